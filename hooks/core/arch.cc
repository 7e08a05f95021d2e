#include "arch.h"

#include <algorithm>
#include <iterator>

namespace netboot {

namespace {

// Dense from code 0: the code is the index.
constexpr Architecture kRegistry[] = {
#include "core/architecture_rows.inc"
};

static_assert(std::size(kRegistry) == kArchitectureCount, "one entry per assigned code");

}  // namespace

std::string_view transportName(Transport transport) {
    return transport == Transport::http ? "http" : "tftp";
}

std::optional<Architecture> lookupArchitecture(uint16_t code) {
    // The table is dense from 0, so the code is its index.
    if (code < std::size(kRegistry)) {
        return kRegistry[code];
    }
    return std::nullopt;
}

bool isKnownFamily(std::string_view family) {
    return std::any_of(std::begin(kRegistry), std::end(kRegistry),
                       [family](const Architecture& a) { return a.family == family; });
}

const Architecture* architecturesBegin() { return std::begin(kRegistry); }
const Architecture* architecturesEnd() { return std::end(kRegistry); }

}  // namespace netboot
