#include "log.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>

namespace radvd_lite {

namespace {
LogLevel g_level = LogLevel::Info;

const char* levelName(LogLevel level) {
    switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warn: return "WARN";
    case LogLevel::Error: return "ERROR";
    }
    return "?";
}
}  // namespace

void setLogLevel(LogLevel level) {
    g_level = level;
}

bool logEnabled(LogLevel level) {
    return level >= g_level;
}

void logLine(LogLevel level, const std::string& tag, const std::string& message) {
    if (!logEnabled(level)) {
        return;
    }
    timeval now{};
    gettimeofday(&now, nullptr);
    tm utc{};
    gmtime_r(&now.tv_sec, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::fprintf(stderr, "%s.%03ldZ %s %s %s\n", stamp, static_cast<long>(now.tv_usec / 1000), levelName(level),
                 tag.c_str(), message.c_str());
    std::fflush(stderr);
}

}  // namespace radvd_lite
