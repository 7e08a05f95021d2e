#include "state_file.h"

#include "config/assignment_json.h"
#include "config/json_comments.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace netboot {

namespace {

[[noreturn]] void systemError(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

std::string directoryOf(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

StateFileStamp stampStateFile(const std::string& path) {
    StateFileStamp stamp;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return stamp;
    stamp.exists = true;
    stamp.device = static_cast<uint64_t>(st.st_dev);
    stamp.inode = static_cast<uint64_t>(st.st_ino);
    stamp.size = static_cast<int64_t>(st.st_size);
    stamp.mtimeNs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return stamp;
}

LoadedState readStateFile(const std::string& path) {
    LoadedState loaded;
    loaded.stamp = stampStateFile(path);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) loaded.error = "cannot read " + path + ": " + std::strerror(errno);
        return loaded;  // no file yet: no assignments
    }
    try {
        loaded.store = storeFromElement(readKeaJsonFile(path), path);
    } catch (const std::exception& e) {
        loaded.error = std::string("state file unusable, left untouched (fix or move it away): ") + e.what();
    }
    return loaded;
}

StateFileStamp writeStateFile(const std::string& path, const AssignmentStore& store) {
    const std::string text = storeToElement(store)->str() + "\n";
    const std::string temp = path + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) systemError("cannot create", temp);
    size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            systemError("cannot write", temp);
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        systemError("cannot fsync", temp);
    }
    if (::close(fd) != 0) systemError("cannot close", temp);
    if (::rename(temp.c_str(), path.c_str()) != 0) systemError("cannot rename onto", path);
    const std::string dir = directoryOf(path);
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return stampStateFile(path);
}

}  // namespace netboot
