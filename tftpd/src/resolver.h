// Maps a requested TFTP file name to an open file strictly inside the root.
// The kernel does the confinement (openat2 RESOLVE_BENEATH refuses "..",
// absolute symlinks and symlinks that climb out), and a realpath check of the
// opened descriptor backs it up; only regular files are ever opened for read,
// so devices and FIFOs are refused before anything could block on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "fd.h"
#include "protocol.h"

namespace netboot::tftpd {

using netboot::UniqueFd;

// Request path -> path relative to the root, or an error for the client.
// Backslashes become slashes, leading slashes (or a leading copy of the
// root's own path) mean "relative to the root"; any ".." component is refused.
std::variant<std::string, ProtocolError> normalize_request_path(const std::string& requested,
                                                                const std::string& root_path);

struct OpenedFile {
    UniqueFd fd;
    uint64_t size = 0;
    std::string relative_path;  // as resolved, for logging
};

struct CreatedFile {
    UniqueFd fd;
    std::string name;
};

// Where uploads land: one flat directory, new files only. A WRQ name must be
// a plain file name (no directories, no ".."), and an existing name (file or
// symlink) is refused with error 6, so nothing is ever overwritten.
class UploadDirectory {
public:
    explicit UploadDirectory(const std::string& path);  // throws std::runtime_error
    std::variant<CreatedFile, ProtocolError> create(const std::string& requested) const;
    void remove(const std::string& name) const;
    int fd() const { return dir_fd_.get(); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    UniqueFd dir_fd_;
};

class RootResolver {
public:
    // Throws std::runtime_error if root cannot be opened as a directory.
    RootResolver(const std::string& root_path, bool case_insensitive_fallback);

    std::variant<OpenedFile, ProtocolError> open_for_read(const std::string& requested) const;
    const std::string& root() const { return root_path_; }

private:
    std::variant<OpenedFile, ProtocolError> open_relative(const std::string& relative) const;
    std::optional<std::string> find_case_insensitive(const std::string& relative) const;

    std::string root_path_;   // as configured
    std::string root_real_;   // realpath, for the confinement check
    UniqueFd root_fd_;
    bool case_insensitive_;
};

}  // namespace netboot::tftpd
