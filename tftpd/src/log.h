// Line-oriented logging to stderr (journald adds its own timestamps when run
// under systemd; the ISO time here is for foreground runs and test logs).
#pragma once

#include <string>

#include "config.h"

namespace netboot::tftpd {

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, const std::string& message);

}  // namespace netboot::tftpd
