// Persistence of run-time assignments: a JSON file under Kea's state
// directory, replaced atomically so a crash leaves the old or the new
// content, never half of either.
#pragma once

#include "core/assignments.h"

#include <string>

namespace netboot {

struct LoadedState {
    AssignmentStore store;
    // Non-empty when the file exists but cannot be used; the file is then
    // left untouched and assignments stay read-only until it is fixed.
    std::string error;
};

LoadedState readStateFile(const std::string& path);

// Temp file in the same directory, fsync, rename over the old one, fsync
// the directory. Throws std::runtime_error naming the file and the reason.
void writeStateFile(const std::string& path, const AssignmentStore& store);

}  // namespace netboot
