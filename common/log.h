// One line per event on stderr, in the same format for every daemon of the
// project:
//
//   2026-12-04T07:01:41.123Z PROGRAM LEVEL [TAG ]message
//
// journald adds its own time and unit under systemd; the stamp is for
// foreground runs and test logs. A TAG is a stable upper-case word to grep
// for; messages carry their facts as key=value.
#pragma once

#include <string_view>

namespace netboot::log {

enum class Level { Debug, Info, Warn, Error };

// The daemon's name in every line; `name` must outlive the program.
void setProgram(const char* name);
void setLevel(Level level);
bool enabled(Level level);
void line(Level level, std::string_view tag, std::string_view message);
inline void line(Level level, std::string_view message) { line(level, {}, message); }

}  // namespace netboot::log
