// Router Advertisement encoding and Neighbor Discovery parsing (RFC 4861,
// RFC 4191, RFC 8106). Pure: bytes in, bytes out, no sockets, no clock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace radvd_lite {

using Bytes = std::vector<uint8_t>;
using Ipv6Address = std::array<uint8_t, 16>;
using MacAddress = std::array<uint8_t, 6>;

// RFC 4861 section 10 and radvd's defaults.h.
constexpr uint32_t kMaxInitialRtrAdvertisements = 3;
constexpr uint32_t kMaxInitialRtrAdvertIntervalMs = 16000;
constexpr uint32_t kMaxFinalRtrAdvertisements = 3;
constexpr uint32_t kDefaultFinalRtrAdvertisements = 1;
constexpr uint32_t kMinDelayBetweenRasMs = 3000;
constexpr uint32_t kMaxRaDelayTimeMs = 500;

enum class RouterPreference : uint8_t { Medium = 0, High = 1, Reserved = 2, Low = 3 };

struct PrefixInfo {
    Ipv6Address prefix{};
    uint8_t length = 64;
    bool on_link = true;
    bool autonomous = true;
    uint32_t valid_lifetime = 86400;
    uint32_t preferred_lifetime = 14400;
};

struct RouteInfo {
    Ipv6Address prefix{};
    uint8_t length = 0;
    RouterPreference preference = RouterPreference::Medium;
    uint32_t lifetime = 0;
};

struct RdnssInfo {
    std::vector<Ipv6Address> servers;
    uint32_t lifetime = 0;
};

struct DnsslInfo {
    std::vector<std::string> domains;
    uint32_t lifetime = 0;
};

// Everything one Router Advertisement carries, as a host would see it.
struct Advertisement {
    uint8_t cur_hop_limit = 64;
    bool managed = false;
    bool other_config = false;
    RouterPreference preference = RouterPreference::Medium;
    uint16_t router_lifetime = 1800;
    uint32_t reachable_time = 0;
    uint32_t retrans_timer = 0;
    std::optional<MacAddress> source_link_layer;
    std::optional<uint32_t> mtu;
    std::vector<PrefixInfo> prefixes;
    std::vector<RouteInfo> routes;
    std::vector<RdnssInfo> rdnss;
    std::vector<DnsslInfo> dnssl;
};

bool operator==(const PrefixInfo& a, const PrefixInfo& b);
bool operator==(const RouteInfo& a, const RouteInfo& b);
bool operator==(const RdnssInfo& a, const RdnssInfo& b);
bool operator==(const DnsslInfo& a, const DnsslInfo& b);
bool operator==(const Advertisement& a, const Advertisement& b);

// ICMPv6 message layout, checksum left at zero: the kernel fills it in on
// raw ICMPv6 sockets. Options follow radvd's order (prefix, route, RDNSS,
// DNSSL, MTU, source link-layer) so captures of both daemons line up.
Bytes encodeRouterAdvertisement(const Advertisement& ra);

// Domain names in DNS wire format, as RFC 8106 section 5.2 wants them.
// Returns false for a name that cannot be encoded (empty label, label > 63,
// name > 255 octets).
bool encodeDomainName(const std::string& name, Bytes& out);

enum class NdType : uint8_t {
    RouterSolicitation = 133,
    RouterAdvertisement = 134,
    NeighborSolicitation = 135,
};

// Why an incoming packet was dropped; each has its own counter.
enum class Malformed {
    None,
    TooShort,
    BadCode,
    BadHopLimit,
    ZeroLengthOption,
    TruncatedOption,
    SourceLinkLayerFromUnspecified,
    BadSourceAddress,
    BadTarget,
    BadOptionContent,
    UnexpectedType,
};
const char* malformedName(Malformed why);

struct NdOption {
    uint8_t type = 0;
    const uint8_t* body = nullptr;  // after type and length
    size_t body_size = 0;           // length * 8 - 2
};

// Walks the TLV options of an ND message (RFC 4861 section 4.6). Any option
// with length 0 or running past the end makes the whole packet invalid, as
// section 6.1 requires.
Malformed parseNdOptions(const uint8_t* data, size_t size, std::vector<NdOption>& options);

struct InboundPacket {
    NdType type = NdType::RouterSolicitation;
    Malformed malformed = Malformed::None;
    std::optional<MacAddress> source_link_layer;  // from RS/RA/NS option 1
};

// Validation per RFC 4861 sections 6.1.1 (RS), 6.1.2 (RA) and 7.1.1 (NS).
// The kernel has already checked the ICMPv6 checksum. hop_limit is the
// received IPv6 hop limit; source the IPv6 source address.
InboundPacket classifyInbound(const uint8_t* data, size_t size, int hop_limit,
                              const Ipv6Address& source);

// Full decode of a Router Advertisement, for tests, the fuzzer and for
// logging what other routers on the link announce. std::nullopt if invalid.
std::optional<Advertisement> decodeRouterAdvertisement(const uint8_t* data, size_t size);

// Decodes RFC 1035 names packed into a DNSSL option body; trailing zero
// padding is allowed. false on any malformed label.
// RFC 4861 6.2.7: what another router on the link advertises differently
// from us (hop limit, M, O, reachable time, retrans timer, MTU, lifetimes
// of a prefix we both announce), one readable line per difference. On a
// netboot link a second router with M=0 sends firmware down the wrong path.
std::vector<std::string> inconsistencies(const Advertisement& ours, const Advertisement& theirs);

bool decodeDomainNames(const uint8_t* data, size_t size, std::vector<std::string>& names);

bool isUnspecified(const Ipv6Address& address);
bool isLinkLocalUnicast(const Ipv6Address& address);

}  // namespace radvd_lite
