#include "state_file.h"

#include "config/assignment_json.h"
#include "config/json_comments.h"
#include "config/policy_config.h"

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

LoadedState readStateFile(const std::string& path, const std::string& migrateFrom) {
    LoadedState loaded;
    loaded.stamp = stampStateFile(path);
    std::string source = path;
    struct stat st;
    if (!migrateFrom.empty() && ::stat(path.c_str(), &st) != 0 && errno == ENOENT &&
        ::stat(migrateFrom.c_str(), &st) == 0) {
        source = migrateFrom;
    }
    loaded.readFrom = source;
    if (::stat(source.c_str(), &st) != 0) {
        if (errno != ENOENT) loaded.error = "cannot read " + source + ": " + std::strerror(errno);
        return loaded;  // no file yet: no assignments
    }
    try {
        loaded.store = storeFromElement(readKeaJsonFile(source), source);
    } catch (const std::exception& e) {
        loaded.error = std::string("state file unusable, left untouched (fix or move it away): ") + e.what();
    }
    return loaded;
}

LoadedState readStateFile(const std::string& path) { return readStateFile(path, stateMigrationSource(path)); }

StateFileStamp writeStateFile(const std::string& path, const AssignmentStore& store) {
    const std::string text = storeToElement(store)->str() + "\n";
    const std::string temp = stateTempFile(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) systemError("cannot create", temp);
    // A temp file that did not become the state file is removed: on a full
    // disk it would keep the space the next write needs.
    auto fail = [&](const char* what, const std::string& where, bool open) {
        const int error = errno;
        if (open) ::close(fd);
        ::unlink(temp.c_str());
        errno = error;
        systemError(what, where);
    };
    size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", temp, true);
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) fail("cannot fsync", temp, true);
    if (::close(fd) != 0) fail("cannot close", temp, false);
    if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot rename onto", path, false);
    // Best effort, and deliberately silent: the rename above is what makes
    // the new content current; fsync of the directory only makes the rename
    // itself durable across a power cut. Opening the directory needs `r` on
    // it, and Debian's AppArmor profiles for kea-dhcp4/kea-dhcp6 grant no
    // rule for /var/lib/kea/ itself (only kea-leases{4,6}.csv*), so under
    // an enforcing profile this open fails with EACCES on every write. The
    // file is complete and renamed by then: failing or logging here would
    // turn every assignment into an error or a log line for nothing. What is
    // lost: after a power cut right after a write, the directory may still
    // name the previous file (old content, never a partial one).
    const std::string dir = stateDirectory(path);
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return stampStateFile(path);
}

}  // namespace netboot
