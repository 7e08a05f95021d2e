#include "json.h"

#include <cerrno>
#include <cstdlib>

namespace netboot::json {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
public:
    Parser(const std::string& text, const std::string& origin) : text_(text), origin_(origin) {}

    JsonValue document() {
        JsonValue v = value(0);
        skipSpace();
        if (at_ < text_.size()) fail("unexpected text after the JSON value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& message) const {
        throw JsonError(origin_ + ":" + std::to_string(line_) + ":" + std::to_string(column()) + ": " + message);
    }

    int column() const { return static_cast<int>(at_ - line_start_) + 1; }

    void advance() {
        if (text_[at_] == '\n') {
            ++line_;
            line_start_ = at_ + 1;
        }
        ++at_;
    }

    char peek(size_t ahead = 0) const { return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0'; }

    void skipSpace() {
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                advance();
            } else if (c == '#' || (c == '/' && peek(1) == '/')) {
                while (at_ < text_.size() && text_[at_] != '\n') advance();
            } else if (c == '/' && peek(1) == '*') {
                advance();
                advance();
                while (at_ < text_.size() && !(text_[at_] == '*' && peek(1) == '/')) advance();
                if (at_ >= text_.size()) fail("unterminated /* comment");
                advance();
                advance();
            } else {
                return;
            }
        }
    }

    JsonValue start() const {
        JsonValue v;
        v.origin = origin_;
        v.line = line_;
        v.column = column();
        return v;
    }

    JsonValue value(int depth) {
        if (depth > kMaxDepth) fail("nested too deeply");
        skipSpace();
        JsonValue v = start();
        const char c = peek();
        if (c == '{') {
            v.type = JsonValue::Type::Map;
            advance();
            skipSpace();
            if (peek() == '}') {
                advance();
                return v;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') fail("expected a quoted member name");
                std::string key = string();
                if (v.get(key)) fail("duplicate member \"" + key + "\"");
                skipSpace();
                if (peek() != ':') fail("expected ':' after member name");
                advance();
                v.map.emplace_back(std::move(key), value(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    advance();
                } else if (peek() == '}') {
                    advance();
                    return v;
                } else {
                    fail("expected ',' or '}'");
                }
            }
        }
        if (c == '[') {
            v.type = JsonValue::Type::List;
            advance();
            skipSpace();
            if (peek() == ']') {
                advance();
                return v;
            }
            while (true) {
                v.list.push_back(value(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    advance();
                } else if (peek() == ']') {
                    advance();
                    return v;
                } else {
                    fail("expected ',' or ']'");
                }
            }
        }
        if (c == '"') {
            v.type = JsonValue::Type::String;
            v.string = string();
            return v;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            number(v);
            return v;
        }
        for (const char* word : {"true", "false", "null"}) {
            if (text_.compare(at_, std::char_traits<char>::length(word), word) == 0) {
                for (const char* p = word; *p; ++p) advance();
                v.type = word[0] == 'n' ? JsonValue::Type::Null : JsonValue::Type::Boolean;
                v.boolean = word[0] == 't';
                return v;
            }
        }
        fail(at_ >= text_.size() ? "unexpected end of input" : std::string("unexpected character '") + c + "'");
    }

    void appendUtf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
        } else {
            out.push_back(static_cast<char>(0xe0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
        }
    }

    std::string string() {
        advance();  // opening quote
        std::string out;
        while (true) {
            if (at_ >= text_.size()) fail("unterminated string");
            const char c = text_[at_];
            if (c == '"') {
                advance();
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
            if (c != '\\') {
                out.push_back(c);
                advance();
                continue;
            }
            advance();
            const char e = peek();
            switch (e) {
            case '"': case '\\': case '/': out.push_back(e); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'u': {
                unsigned code = 0;
                for (int i = 1; i <= 4; ++i) {
                    const char h = peek(static_cast<size_t>(i));
                    code <<= 4;
                    if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
                    else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
                    else fail("bad \\u escape");
                }
                for (int i = 0; i < 4; ++i) advance();
                appendUtf8(out, code);
                break;
            }
            default: fail("bad escape in string");
            }
            advance();
        }
    }

    void number(JsonValue& v) {
        const size_t begin = at_;
        bool integral = true;
        if (peek() == '-') advance();
        if (!(peek() >= '0' && peek() <= '9')) fail("bad number");
        while (peek() >= '0' && peek() <= '9') advance();
        if (peek() == '.') {
            integral = false;
            advance();
            if (!(peek() >= '0' && peek() <= '9')) fail("bad number");
            while (peek() >= '0' && peek() <= '9') advance();
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            advance();
            if (peek() == '+' || peek() == '-') advance();
            if (!(peek() >= '0' && peek() <= '9')) fail("bad number");
            while (peek() >= '0' && peek() <= '9') advance();
        }
        const std::string digits = text_.substr(begin, at_ - begin);
        errno = 0;
        if (integral) {
            v.type = JsonValue::Type::Integer;
            v.integer = std::strtoll(digits.c_str(), nullptr, 10);
            if (errno == ERANGE) fail("integer out of range");
        } else {
            v.type = JsonValue::Type::Real;
            v.real = std::strtod(digits.c_str(), nullptr);
        }
    }

    const std::string& text_;
    const std::string& origin_;
    size_t at_ = 0;
    int line_ = 1;
    size_t line_start_ = 0;
};

}  // namespace

const JsonValue* JsonValue::get(const std::string& key) const {
    for (const auto& [name, value] : map) {
        if (name == key) return &value;
    }
    return nullptr;
}

std::string JsonValue::where() const {
    return origin + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const char* jsonTypeName(JsonValue::Type type) {
    switch (type) {
    case JsonValue::Type::Null: return "null";
    case JsonValue::Type::Boolean: return "boolean";
    case JsonValue::Type::Integer: return "integer";
    case JsonValue::Type::Real: return "real";
    case JsonValue::Type::String: return "string";
    case JsonValue::Type::List: return "list";
    case JsonValue::Type::Map: return "map";
    }
    return "?";
}

JsonValue parseJson(const std::string& text, const std::string& origin) {
    return Parser(text, origin).document();
}

}  // namespace netboot::json
