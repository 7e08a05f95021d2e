// The IANA "Processor Architecture Types" registry (DHCPv4 option 93,
// DHCPv6 option 61) as one table: what a client's code means for the boot
// loader it needs and how it wants to fetch it. The table is generated from
// kea-config/netboot_site/architectures.json, its only copy.
#pragma once

#include "core/architecture_count.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace netboot {

enum class Transport : uint8_t { tftp, http };

std::string_view transportName(Transport transport);

struct Architecture {
    uint16_t code;
    // IANA's description, for logs.
    std::string_view name;
    // Short machine-friendly name for URL templates and statistics, e.g. "efi-x64-http".
    std::string_view slug;
    // Which boot loader fits: "bios", "efi-x64", "efi-arm64", ... Boot files
    // are configured per family; the family never crosses firmware kinds, so
    // an unknown UEFI machine can never be handed a BIOS loader.
    std::string_view family;
    Transport transport;
};


// The registry entry for `code`, or nothing for codes IANA has not assigned
// (including iPXE's 0xffff "not assigned").
std::optional<Architecture> lookupArchitecture(uint16_t code);

// Every family name that some registry entry uses (for config validation).
bool isKnownFamily(std::string_view family);

// All registry entries, in code order.
const Architecture* architecturesBegin();
const Architecture* architecturesEnd();

}  // namespace netboot
