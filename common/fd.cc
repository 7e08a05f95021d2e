#include "fd.h"

#include <unistd.h>

#include <cerrno>

namespace netboot {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

namespace {

// Calls `step(done)` until `length` bytes are done: a signal interrupting it
// is retried, an error or end of file ends it (errno says which).
template <typename Step>
size_t untilDone(size_t length, Step step) {
    size_t done = 0;
    while (done < length) {
        const ssize_t n = step(done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += static_cast<size_t>(n);
    }
    return done;
}

}  // namespace

size_t readFullyAt(int fd, void* out, size_t length, uint64_t offset) {
    auto* bytes = static_cast<unsigned char*>(out);
    return untilDone(length, [&](size_t done) {
        return ::pread(fd, bytes + done, length - done, static_cast<off_t>(offset + done));
    });
}

bool writeFullyAt(int fd, const void* data, size_t length, uint64_t offset) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    return untilDone(length, [&](size_t done) {
        return ::pwrite(fd, bytes + done, length - done, static_cast<off_t>(offset + done));
    }) == length;
}

}  // namespace netboot
