#include "resolver.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace netboot::tftpd {

namespace {

ProtocolError access_violation(const std::string& why) {
    return ProtocolError{ErrorCode::AccessViolation, why};
}

std::vector<std::string> split_components(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string::npos) {
            slash = path.size();
        }
        if (slash > start) {
            parts.push_back(path.substr(start, slash - start));
        }
        start = slash + 1;
    }
    return parts;
}

// openat2 confined beneath dirfd; falls back to plain openat on kernels
// without openat2 (the realpath check below still holds the line there).
int open_beneath(int dirfd, const std::string& relative, uint64_t flags) {
    struct open_how how {};
    how.flags = flags | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, dirfd, relative.c_str(), &how, sizeof(how));
    if (fd < 0 && errno == ENOSYS) {
        fd = ::openat(dirfd, relative.c_str(), static_cast<int>(flags | O_CLOEXEC));
    }
    return static_cast<int>(fd);
}

std::string fd_realpath(int fd) {
    char link[64];
    std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    char target[PATH_MAX + 1];
    ssize_t n = ::readlink(link, target, PATH_MAX);
    if (n < 0) {
        return {};
    }
    return std::string(target, static_cast<size_t>(n));
}

}  // namespace

std::variant<std::string, ProtocolError> normalize_request_path(const std::string& requested,
                                                                const std::string& root_path) {
    std::string path = requested;
    for (char& c : path) {
        if (c == '\\') {
            c = '/';  // Windows-style boot loader paths (pxelinux, WDS configs)
        }
        if (c == '\0') {
            return access_violation("invalid file name");
        }
    }
    // Some configs carry the full server path; treat it as relative to the root.
    std::string root = root_path;
    while (root.size() > 1 && root.back() == '/') {
        root.pop_back();
    }
    if (root.size() > 1 && path.compare(0, root.size(), root) == 0 &&
        (path.size() == root.size() || path[root.size()] == '/')) {
        path.erase(0, root.size());
    }
    std::string normalized;
    for (const std::string& part : split_components(path)) {
        if (part == ".") {
            continue;
        }
        if (part == "..") {
            return access_violation("path escapes the root");
        }
        if (!normalized.empty()) {
            normalized.push_back('/');
        }
        normalized += part;
    }
    if (normalized.empty()) {
        return access_violation("not a file");
    }
    return normalized;
}

RootResolver::RootResolver(const std::string& root_path, bool case_insensitive_fallback)
    : root_path_(root_path), case_insensitive_(case_insensitive_fallback) {
    root_fd_ = UniqueFd(::open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd_) {
        throw std::runtime_error("cannot open root directory " + root_path + ": " + std::strerror(errno));
    }
    char resolved[PATH_MAX];
    if (!::realpath(root_path.c_str(), resolved)) {
        throw std::runtime_error("cannot resolve root directory " + root_path + ": " + std::strerror(errno));
    }
    root_real_ = resolved;
}

std::variant<OpenedFile, ProtocolError> RootResolver::open_for_read(const std::string& requested) const {
    auto normalized = normalize_request_path(requested, root_path_);
    if (auto* error = std::get_if<ProtocolError>(&normalized)) {
        return *error;
    }
    const std::string& relative = std::get<std::string>(normalized);
    auto result = open_relative(relative);
    if (case_insensitive_) {
        if (auto* error = std::get_if<ProtocolError>(&result); error && error->code == ErrorCode::FileNotFound) {
            if (auto match = find_case_insensitive(relative)) {
                return open_relative(*match);
            }
        }
    }
    return result;
}

std::variant<OpenedFile, ProtocolError> RootResolver::open_relative(const std::string& relative) const {
    // O_PATH first: stat without opening, so a FIFO or a device is never
    // actually opened (that could block or have side effects).
    UniqueFd path_fd(open_beneath(root_fd_.get(), relative, O_PATH));
    if (!path_fd) {
        switch (errno) {
        case ENOENT:
        case ENOTDIR:
            return ProtocolError{ErrorCode::FileNotFound, "file not found"};
        case EXDEV:
        case ELOOP:
            return access_violation("path escapes the root");
        default:
            return access_violation("access denied");
        }
    }
    struct stat info {};
    if (::fstat(path_fd.get(), &info) != 0) {
        return access_violation("access denied");
    }
    if (!S_ISREG(info.st_mode)) {
        return access_violation("not a regular file");
    }
    const std::string real = fd_realpath(path_fd.get());
    if (real.empty() || (root_real_ != "/" && real.compare(0, root_real_.size() + 1, root_real_ + "/") != 0)) {
        return access_violation("path escapes the root");
    }
    // Reopen the very inode we checked, for reading.
    char proc_path[64];
    std::snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", path_fd.get());
    UniqueFd file(::open(proc_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!file) {
        if (errno == ENOENT) {
            // No /proc: the O_PATH descriptor is known to be a regular file beneath the root.
            file = UniqueFd(open_beneath(root_fd_.get(), relative, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW));
        }
        if (!file) {
            return access_violation("permission denied");
        }
    }
    struct stat opened {};
    if (::fstat(file.get(), &opened) != 0 || opened.st_ino != info.st_ino || opened.st_dev != info.st_dev ||
        !S_ISREG(opened.st_mode)) {
        return access_violation("file changed while opening");
    }
    OpenedFile result;
    result.fd = std::move(file);
    result.size = static_cast<uint64_t>(opened.st_size);
    result.relative_path = relative;
    return result;
}

std::optional<std::string> RootResolver::find_case_insensitive(const std::string& relative) const {
    std::string resolved;
    const std::vector<std::string> parts = split_components(relative);
    for (size_t index = 0; index < parts.size(); ++index) {
        const std::string& part = parts[index];
        const std::string dir = resolved.empty() ? "." : resolved;
        UniqueFd dir_fd(open_beneath(root_fd_.get(), dir, O_RDONLY | O_DIRECTORY));
        if (!dir_fd) {
            // Cannot descend (e.g. a symlink out of the root): hand the rest
            // back unchanged so open_relative reports the precise refusal.
            for (size_t rest = index; rest < parts.size(); ++rest) {
                resolved += (resolved.empty() ? "" : "/") + parts[rest];
            }
            return resolved;
        }
        DIR* listing = ::fdopendir(dir_fd.get());
        if (!listing) {
            return std::nullopt;
        }
        dir_fd.release();
        std::optional<std::string> found;
        int budget = 100000;  // bounded work per request even in huge directories
        while (struct dirent* entry = ::readdir(listing)) {
            if (--budget == 0) {
                break;
            }
            if (::strcasecmp(entry->d_name, part.c_str()) == 0) {
                found = entry->d_name;
                break;
            }
        }
        ::closedir(listing);
        if (!found) {
            return std::nullopt;
        }
        resolved += (resolved.empty() ? "" : "/") + *found;
    }
    return resolved;
}

UploadDirectory::UploadDirectory(const std::string& path) : path_(path) {
    dir_fd_ = UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd_) {
        throw std::runtime_error("cannot open upload directory " + path + ": " + std::strerror(errno));
    }
}

std::variant<CreatedFile, ProtocolError> UploadDirectory::create(const std::string& requested) const {
    std::string name = requested;
    for (char& c : name) {
        if (c == '\\') {
            c = '/';
        }
    }
    const size_t first = name.find_first_not_of('/');
    name = first == std::string::npos ? "" : name.substr(first);
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos) {
        return access_violation("uploads take a plain file name");
    }
    UniqueFd fd(::openat(dir_fd_.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd) {
        if (errno == EEXIST) {
            return ProtocolError{ErrorCode::FileExists, "file exists"};
        }
        if (errno == ENOSPC || errno == EDQUOT) {
            return ProtocolError{ErrorCode::DiskFull, "disk full"};
        }
        return access_violation("cannot create file");
    }
    return CreatedFile{std::move(fd), name};
}

void UploadDirectory::remove(const std::string& name) const {
    ::unlinkat(dir_fd_.get(), name.c_str(), 0);
}

}  // namespace netboot::tftpd
