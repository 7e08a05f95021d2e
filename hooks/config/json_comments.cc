#include "json_comments.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace netboot {

std::string stripJsonComments(const std::string& text) {
    std::string out = text;
    enum class State { code, string, escape, line, block } state = State::code;
    for (size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        const char next = i + 1 < out.size() ? out[i + 1] : '\0';
        switch (state) {
        case State::code:
            if (c == '"') {
                state = State::string;
            } else if (c == '#' || (c == '/' && next == '/')) {
                state = State::line;
                out[i] = ' ';
            } else if (c == '/' && next == '*') {
                state = State::block;
                out[i] = ' ';
                out[++i] = ' ';
            }
            break;
        case State::string:
            if (c == '\\') state = State::escape;
            else if (c == '"') state = State::code;
            break;
        case State::escape:
            state = State::string;
            break;
        case State::line:
            if (c == '\n') state = State::code;
            else out[i] = ' ';
            break;
        case State::block:
            if (c == '*' && next == '/') {
                out[i] = ' ';
                out[++i] = ' ';
                state = State::code;
            } else if (c != '\n') {
                out[i] = ' ';
            }
            break;
        }
    }
    return out;
}

isc::data::ConstElementPtr readKeaJsonFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot open " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::istringstream stripped(stripJsonComments(text.str()));
    return isc::data::Element::fromJSON(stripped, path);
}

}  // namespace netboot
