// Persistence of run-time assignments: a JSON file under Kea's state
// directory, replaced atomically so a crash leaves the old or the new
// content, never half of either.
#pragma once

#include "core/assignments.h"

#include <string>

namespace netboot {

// What the file on disk was when Kea last read or wrote it. A different
// stamp later means someone else changed it (an editor, a restore, damage),
// which must be noticed rather than overwritten.
struct StateFileStamp {
    bool exists = false;
    uint64_t device = 0;
    uint64_t inode = 0;
    int64_t size = 0;
    int64_t mtimeNs = 0;

    bool operator==(const StateFileStamp& o) const {
        return exists == o.exists && device == o.device && inode == o.inode && size == o.size &&
               mtimeNs == o.mtimeNs;
    }
    bool operator!=(const StateFileStamp& o) const { return !(*this == o); }
};

// The stamp of `path` now (exists = false when it cannot be stat()ed).
StateFileStamp stampStateFile(const std::string& path);

struct LoadedState {
    AssignmentStore store;
    // Taken before reading: a change made while reading shows up as a
    // difference at the next check, never as a missed one.
    StateFileStamp stamp;
    // Non-empty when the file exists but cannot be used; the file is then
    // left untouched and assignments stay read-only until it is fixed.
    std::string error;
    // The file read: `path`, or the old default it was migrated from.
    std::string readFrom;
};

// Reads the state file. When `path` is the hook's default state file
// (defaultStateFile) and does not exist yet but the previous releases'
// default (legacyDefaultStateFile) does, that one is read instead: the
// first write then creates the file at the new default, which is read from
// then on. The old file is left in place (the AppArmor profile would deny
// removing it) and removed on purge. A state file the operator set is
// read as it is.
LoadedState readStateFile(const std::string& path);

// readStateFile with an explicit `migrateFrom` (empty: none).
LoadedState readStateFile(const std::string& path, const std::string& migrateFrom);

// The temporary file writeStateFile creates next to `path` and renames onto
// it. Named here so that `netboot-check-config --print-defaults` (and through
// it the AppArmor test) reports exactly the files the hook writes.
inline std::string stateTempFile(const std::string& path) { return path + ".tmp"; }

// The directory writeStateFile opens (read-only) to fsync after the rename.
inline std::string stateDirectory(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// Temp file in the same directory, fsync, rename over the old one, fsync
// the directory. Throws std::runtime_error naming the file and the reason.
// Returns the stamp of what it wrote.
StateFileStamp writeStateFile(const std::string& path, const AssignmentStore& store);

}  // namespace netboot
