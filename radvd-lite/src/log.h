// Plain line logging to stderr (journald adds time and unit when run by
// systemd); each message starts with a stable upper-case tag to grep for.
#pragma once

#include <string>

namespace radvd_lite {

enum class LogLevel { Debug, Info, Warn, Error };

void setLogLevel(LogLevel level);
bool logEnabled(LogLevel level);
void logLine(LogLevel level, const std::string& tag, const std::string& message);

}  // namespace radvd_lite
