// File descriptors for the daemons: an owner that closes, and positioned
// reads and writes that finish what they can (a signal interrupting a
// system call is not an error, a short count is not the end).
#pragma once

#include <cstddef>
#include <cstdint>

namespace netboot {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const { return fd_; }
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// Reads up to `length` bytes at `offset`; fewer only at end of file or on an
// error (errno says which).
size_t readFullyAt(int fd, void* out, size_t length, uint64_t offset);

// Writes all `length` bytes at `offset`, or returns false with errno set.
bool writeFullyAt(int fd, const void* data, size_t length, uint64_t offset);

}  // namespace netboot
