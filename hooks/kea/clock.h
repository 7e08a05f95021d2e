// Seconds since the epoch: when assignments expire, when a decision was made,
// when the state file was found changed.
#pragma once

#include <chrono>
#include <cstdint>

namespace netboot {

inline int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace netboot
