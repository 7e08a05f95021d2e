#include "url_template.h"

#include <stdexcept>

namespace netboot {

UrlTemplate UrlTemplate::parse(std::string_view text) {
    if (text.empty()) {
        throw std::invalid_argument("must not be empty");
    }
    UrlTemplate result;
    result.text_ = std::string(text);
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t open = text.find('{', pos);
        const size_t close_stray = text.find('}', pos);
        if (close_stray < open) {
            throw std::invalid_argument("'}' without '{' at offset " + std::to_string(close_stray));
        }
        if (open == std::string_view::npos) {
            result.pieces_.push_back({Part::literal, std::string(text.substr(pos))});
            break;
        }
        if (open > pos) {
            result.pieces_.push_back({Part::literal, std::string(text.substr(pos, open - pos))});
        }
        const size_t close = text.find('}', open);
        if (close == std::string_view::npos) {
            throw std::invalid_argument("'{' at offset " + std::to_string(open) + " is never closed");
        }
        const std::string_view name = text.substr(open + 1, close - open - 1);
        Part part;
        if (name == "server") {
            part = Part::server;
        } else if (name == "mac") {
            part = Part::mac;
        } else if (name == "arch") {
            part = Part::arch;
        } else if (name == "family") {
            part = Part::family;
        } else {
            throw std::invalid_argument("unknown placeholder {" + std::string(name) +
                                        "} (known: {server}, {mac}, {arch}, {family})");
        }
        result.pieces_.push_back({part, {}});
        pos = close + 1;
    }
    return result;
}

std::string UrlTemplate::expand(const TemplateValues& values) const {
    std::string out;
    out.reserve(text_.size() + 32);
    for (const Piece& piece : pieces_) {
        switch (piece.part) {
        case Part::literal: out += piece.literal; break;
        case Part::server: out += values.server; break;
        case Part::mac: out += values.mac; break;
        case Part::arch: out += values.arch; break;
        case Part::family: out += values.family; break;
        }
    }
    return out;
}

bool UrlTemplate::names(std::string_view placeholder) const {
    for (const Piece& piece : pieces_) {
        if ((placeholder == "server" && piece.part == Part::server) ||
            (placeholder == "mac" && piece.part == Part::mac) ||
            (placeholder == "arch" && piece.part == Part::arch) ||
            (placeholder == "family" && piece.part == Part::family)) {
            return true;
        }
    }
    return false;
}

}  // namespace netboot
