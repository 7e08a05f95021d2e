// A small JSON reader for Kea-style configuration files: JSON plus #, //
// and /* */ comments, with the line and column of every value so errors can
// point at the field. The daemons (netboot-tftpd, radvd-lite) read their
// configuration with it instead of linking libkea-cc: Kea's libraries, and
// the OpenSSL they pull in, would be most of a small daemon's resident memory.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace netboot::json {

class JsonError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct JsonValue {
    enum class Type { Null, Boolean, Integer, Real, String, List, Map };
    Type type = Type::Null;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0;
    std::string string;
    std::vector<JsonValue> list;
    std::vector<std::pair<std::string, JsonValue>> map;  // in file order
    std::string origin;  // file name, for messages
    int line = 0;
    int column = 0;

    const JsonValue* get(const std::string& key) const;
    std::string where() const;  // "file:line:column"
};

const char* jsonTypeName(JsonValue::Type type);

// Throws JsonError "origin:line:column: message" on malformed input,
// duplicate keys or nesting deeper than 64.
JsonValue parseJson(const std::string& text, const std::string& origin);

}  // namespace netboot::json
