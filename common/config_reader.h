// Reading a daemon's configuration from parsed JSON (json.h) the same way in
// every daemon: each refusal names the field's path and where it was written,
// and a key nobody read is refused as unknown instead of silently ignored.
#pragma once

#include "json.h"

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace netboot::config {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "file:line:column", or "command line" for a value that came from a flag
// (a value built in code has line 0).
std::string where(const json::JsonValue& value);

// One JSON object being read, at `path` ("netboot-tftpd", "RadvdLite.interfaces[0]").
class MapReader {
public:
    MapReader(const json::JsonValue* element, std::string path);

    // Throws ConfigError "WHERE: PATH: MESSAGE".
    [[noreturn]] static void fail(const json::JsonValue* element, const std::string& path, const std::string& message);

    std::string field(const std::string& key) const { return path_ + "." + key; }

    // The value of `key`, marked as read; nullptr when absent.
    const json::JsonValue* take(const std::string& key);
    const json::JsonValue* require(const std::string& key);
    bool has(const std::string& key) const { return element_->get(key) != nullptr; }

    bool boolean(const std::string& key, bool fallback);
    int64_t integer(const std::string& key, int64_t fallback, int64_t low, int64_t high);
    double seconds(const std::string& key, double fallback);
    std::string string(const std::string& key);  // required
    std::optional<std::string> optionalString(const std::string& key);
    const std::vector<json::JsonValue>& list(const std::string& key, bool required);

    // Refuses the first key not read ("comment" and "user-context" are free
    // text for the operator, as in Kea).
    void rejectUnknown() const;

    const json::JsonValue* element() const { return element_; }

private:
    const json::JsonValue* element_;
    std::string path_;
    std::set<std::string> used_;
};

}  // namespace netboot::config
