// What a DHCP client says about how it wants to boot, read from the raw
// payloads of the options it sent. Pure: no Kea types, no I/O, never throws
// on any input, so fuzzers and unit tests drive it directly.
#pragma once

#include "arch.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netboot {

enum class IpFamily : uint8_t { v4, v6 };

// A read-only view of one option's payload (no code, no length header).
struct Bytes {
    const uint8_t* data = nullptr;
    size_t size = 0;
};

// The options that carry netboot signals, as received. An absent option is
// nullopt; a present but empty option is an empty Bytes.
struct RawOptions {
    IpFamily family = IpFamily::v4;
    std::optional<Bytes> arch;          // v4 93 / v6 61: list of 16-bit codes
    std::optional<Bytes> vendorClass;   // v4 60: string / v6 16: enterprise + tuples
    std::optional<Bytes> userClass;     // v4 77 / v6 15
    bool ipxeEncapsulated = false;      // v4 175 present: only iPXE sends it
};

enum class VendorKind : uint8_t { none, pxe, http, other };

// The enterprise number edk2 and iPXE use in v6 option 16 (Intel).
constexpr uint32_t kDefaultEnterprise = 343;

struct ClientFacts {
    IpFamily family = IpFamily::v4;
    // The first code of the arch option that the registry knows; when the
    // option is absent, the code named in a "PXEClient:Arch:NNNNN" vendor class.
    std::optional<Architecture> arch;
    // The client sent an architecture, but no code of it is assigned.
    bool unknownArch = false;
    VendorKind vendor = VendorKind::none;
    // v6 option 16's enterprise number, echoed back in an HTTPClient answer.
    uint32_t enterprise = kDefaultEnterprise;
    bool ipxe = false;
    // What was wrong with the options, for one log line; empty when nothing.
    std::string malformed;

    bool netbootSignal() const { return arch || unknownArch || vendor == VendorKind::pxe ||
                                        vendor == VendorKind::http || ipxe; }
    Transport transport() const {
        return (vendor == VendorKind::http || (arch && arch->transport == Transport::http))
                   ? Transport::http : Transport::tftp;
    }
};

ClientFacts extractFacts(const RawOptions& options);

// Printable form of untrusted bytes for logs: ASCII kept, the rest \xNN, capped.
std::string printable(Bytes bytes, size_t max = 64);

}  // namespace netboot
