// Boot file and URL templates, e.g. "http://{server}/menu/{mac}.ipxe".
// Parsed once when the configuration is read; expanded per client without
// re-parsing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace netboot {

// The values a template may name. {server} is the address the client
// reached (IPv6 in brackets, ready for a URL); {mac} is the client's hardware
// address as lowercase colon-separated hex ("unknown" when the client has
// none); {arch} is the architecture's slug ("efi-x64-http"); {family} the
// boot-loader family ("efi-x64").
struct TemplateValues {
    std::string_view server;
    std::string_view mac;
    std::string_view arch;
    std::string_view family;
};

class UrlTemplate {
public:
    // Throws std::invalid_argument naming the problem for an unknown
    // placeholder, an unclosed brace or an empty template.
    static UrlTemplate parse(std::string_view text);

    std::string expand(const TemplateValues& values) const;
    const std::string& text() const { return text_; }
    bool names(std::string_view placeholder) const;
    // A full URL ("http://...", "tftp://...") rather than a path.
    bool isUrl() const { return text_.find("://") != std::string::npos; }

private:
    enum class Part : unsigned char { literal, server, mac, arch, family };
    struct Piece {
        Part part;
        std::string literal;
    };
    std::string text_;
    std::vector<Piece> pieces_;
};

}  // namespace netboot
