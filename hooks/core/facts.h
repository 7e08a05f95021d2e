// What a DHCP client says about how it wants to boot, read from the raw
// payloads of the options it sent. Pure: no Kea types, no I/O, never throws
// on any input, so fuzzers and unit tests drive it directly.
#pragma once

#include "arch.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netboot {

enum class IpFamily : uint8_t { v4, v6 };

// "dhcp4" or "dhcp6": Kea's service name, which the status and the decision
// events use for the family.
constexpr std::string_view serviceName(IpFamily family) { return family == IpFamily::v4 ? "dhcp4" : "dhcp6"; }

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

// Where a DHCPv6 client's hardware address was found. Real clients give it
// in different places: edk2 in a DUID-LLT, iPXE only in the EUI-64 interface
// ID of its link-local source address (its DUID is a DUID-UUID), a relay in
// RFC 6939 option 79.
enum class MacSource : uint8_t { none, duidLl, duidLlt, relayOption, linkLocal, kea };

// "duid-ll", "duid-llt", "relay-option-79", "link-local", "kea", "none".
std::string_view macSourceName(MacSource source);

// The raw material, as received; absent fields are nullopt.
struct MacSources6 {
    std::optional<Bytes> duid;            // option 1 (client identifier) payload
    std::optional<Bytes> linkLocal;       // 16 bytes: the client's source address, or the
                                          // peer-address of the relay closest to it
    std::optional<Bytes> relayLinkLayer;  // option 79 of the relay closest to the client
    std::optional<Bytes> kea;             // Kea's own getMAC(any) result (remote-id, DOCSIS, ...)
};

struct ClientMac {
    std::vector<uint8_t> mac;  // empty when no source gave one
    MacSource source = MacSource::none;
};

// The client's hardware address, first found in this order: a DUID-LL or
// DUID-LLT (what the client itself says, and what Kea reads first), option
// 79 (seen on the wire by the first relay), the link-local address's EUI-64
// interface ID whatever its universal/local bit (Kea refuses a locally
// administered one, which every VM has), then whatever Kea found elsewhere.
// Never throws; anything malformed is simply not a source.
ClientMac deriveClientMac6(const MacSources6& sources);

// "52:54:00:12:34:56": lowercase, colon-separated.
std::string hexText(const uint8_t* data, size_t size);

// What {mac} renders for a client: its MAC, else "duid-" and its DUID (or
// DHCPv4 client identifier) in hex, so machines without a known MAC never
// collapse into one URL; empty when there is neither.
std::string macOrIdentifier(const std::vector<uint8_t>& mac, std::optional<Bytes> identifier,
                            std::string_view identifierPrefix);

// Printable form of untrusted bytes for logs: ASCII kept, the rest \xNN, capped.
std::string printable(Bytes bytes, size_t max = 64);

}  // namespace netboot
