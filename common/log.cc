#include "log.h"

#include <atomic>
#include <cstdio>
#include <ctime>

namespace netboot::log {

namespace {
std::atomic<const char*> program{"netboot"};
std::atomic<int> threshold{static_cast<int>(Level::Info)};

const char* levelName(Level level) {
    switch (level) {
    case Level::Debug: return "DEBUG";
    case Level::Info: return "INFO";
    case Level::Warn: return "WARN";
    case Level::Error: return "ERROR";
    }
    return "?";
}
}  // namespace

void setProgram(const char* name) {
    program = name;
}

void setLevel(Level level) {
    threshold = static_cast<int>(level);
}

bool enabled(Level level) {
    return static_cast<int>(level) >= threshold.load();
}

void line(Level level, std::string_view tag, std::string_view message) {
    if (!enabled(level)) {
        return;
    }
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    tm utc{};
    gmtime_r(&now.tv_sec, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::fprintf(stderr, "%s.%03ldZ %s %s %.*s%s%.*s\n", stamp, now.tv_nsec / 1000000L, program.load(),
                 levelName(level), static_cast<int>(tag.size()), tag.data(), tag.empty() ? "" : " ",
                 static_cast<int>(message.size()), message.data());
    std::fflush(stderr);
}

}  // namespace netboot::log
