#include "log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace netboot::tftpd {

namespace {
std::atomic<int> current_level{static_cast<int>(LogLevel::Info)};

const char* level_name(LogLevel level) {
    switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warning: return "WARN";
    case LogLevel::Error: return "ERROR";
    }
    return "?";
}
}  // namespace

void set_log_level(LogLevel level) {
    current_level = static_cast<int>(level);
}

bool log_enabled(LogLevel level) {
    return static_cast<int>(level) >= current_level.load();
}

void log_line(LogLevel level, const std::string& message) {
    if (!log_enabled(level)) {
        return;
    }
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    struct tm utc {};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
    std::fprintf(stderr, "%s.%03dZ netboot-tftpd %s %s\n", stamp, static_cast<int>(millis), level_name(level),
                 message.c_str());
    std::fflush(stderr);
}

}  // namespace netboot::tftpd
