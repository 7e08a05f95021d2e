#include "config_reader.h"

namespace netboot::config {

using json::JsonValue;

std::string where(const JsonValue& value) {
    return value.line == 0 ? std::string("command line") : value.where();
}

MapReader::MapReader(const JsonValue* element, std::string path) : element_(element), path_(std::move(path)) {
    if (element_->type != JsonValue::Type::Map) {
        fail(element_, path_, "must be an object");
    }
}

void MapReader::fail(const JsonValue* element, const std::string& path, const std::string& message) {
    throw ConfigError(where(*element) + ": " + path + ": " + message);
}

const JsonValue* MapReader::take(const std::string& key) {
    used_.insert(key);
    return element_->get(key);
}

const JsonValue* MapReader::require(const std::string& key) {
    const JsonValue* e = take(key);
    if (!e) {
        fail(element_, field(key), "is required");
    }
    return e;
}

bool MapReader::boolean(const std::string& key, bool fallback) {
    const JsonValue* e = take(key);
    if (!e) return fallback;
    if (e->type != JsonValue::Type::Boolean) fail(e, field(key), "must be true or false");
    return e->boolean;
}

int64_t MapReader::integer(const std::string& key, int64_t fallback, int64_t low, int64_t high) {
    const JsonValue* e = take(key);
    if (!e) return fallback;
    if (e->type != JsonValue::Type::Integer) {
        fail(e, field(key), "must be an integer from " + std::to_string(low) + " to " + std::to_string(high));
    }
    const int64_t v = e->integer;
    if (v < low || v > high) {
        fail(e, field(key), "must be between " + std::to_string(low) + " and " + std::to_string(high) + ", got " +
                                std::to_string(v));
    }
    return v;
}

double MapReader::seconds(const std::string& key, double fallback) {
    const JsonValue* e = take(key);
    if (!e) return fallback;
    if (e->type != JsonValue::Type::Integer && e->type != JsonValue::Type::Real) {
        fail(e, field(key), "must be a number of seconds");
    }
    return e->type == JsonValue::Type::Integer ? static_cast<double>(e->integer) : e->real;
}

std::string MapReader::string(const std::string& key) {
    const JsonValue* e = require(key);
    if (e->type != JsonValue::Type::String) fail(e, field(key), "must be a string");
    return e->string;
}

std::optional<std::string> MapReader::optionalString(const std::string& key) {
    if (!has(key)) {
        used_.insert(key);
        return std::nullopt;
    }
    return string(key);
}

const std::vector<JsonValue>& MapReader::list(const std::string& key, bool required) {
    static const std::vector<JsonValue> empty;
    const JsonValue* e = required ? require(key) : take(key);
    if (!e) return empty;
    if (e->type != JsonValue::Type::List) fail(e, field(key), "must be a list");
    return e->list;
}

void MapReader::rejectUnknown() const {
    for (const auto& [key, value] : element_->map) {
        if (used_.count(key) == 0 && key != "comment" && key != "user-context") {
            fail(&value, field(key), "unknown field");
        }
    }
}

}  // namespace netboot::config
