#include "ra.h"

#include <algorithm>
#include <string>
#include <tuple>

namespace radvd_lite {

namespace {

constexpr uint8_t kOptSourceLinkLayer = 1;
constexpr uint8_t kOptTargetLinkLayer = 2;
constexpr uint8_t kOptPrefixInformation = 3;
constexpr uint8_t kOptMtu = 5;
constexpr uint8_t kOptRouteInformation = 24;
constexpr uint8_t kOptRdnss = 25;
constexpr uint8_t kOptDnssl = 31;

constexpr size_t kRaHeaderSize = 16;
constexpr size_t kRsHeaderSize = 8;
constexpr size_t kNsHeaderSize = 24;

class Writer {
public:
    explicit Writer(Bytes& out) : out_(out) {}
    void u8(uint8_t v) { out_.push_back(v); }
    void u16(uint16_t v) {
        u8(static_cast<uint8_t>(v >> 8));
        u8(static_cast<uint8_t>(v));
    }
    void u32(uint32_t v) {
        u16(static_cast<uint16_t>(v >> 16));
        u16(static_cast<uint16_t>(v));
    }
    void bytes(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
    void zeros(size_t n) { out_.insert(out_.end(), n, 0); }

private:
    Bytes& out_;
};

uint16_t readU16(const uint8_t* p) {
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

uint32_t readU32(const uint8_t* p) {
    return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
           (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

Ipv6Address readAddress(const uint8_t* p) {
    Ipv6Address a;
    std::copy(p, p + 16, a.begin());
    return a;
}

uint8_t preferenceBits(RouterPreference p) {
    return static_cast<uint8_t>((static_cast<uint8_t>(p) & 0x3) << 3);
}

RouterPreference preferenceFromBits(uint8_t flags) {
    return static_cast<RouterPreference>((flags >> 3) & 0x3);
}

std::optional<MacAddress> sourceLinkLayer(const std::vector<NdOption>& options) {
    for (const NdOption& o : options) {
        if (o.type == kOptSourceLinkLayer && o.body_size >= 6) {
            MacAddress mac;
            std::copy(o.body, o.body + 6, mac.begin());
            return mac;
        }
    }
    return std::nullopt;
}

bool hasOption(const std::vector<NdOption>& options, uint8_t type) {
    return std::any_of(options.begin(), options.end(),
                       [type](const NdOption& o) { return o.type == type; });
}

}  // namespace

bool operator==(const PrefixInfo& a, const PrefixInfo& b) {
    return std::tie(a.prefix, a.length, a.on_link, a.autonomous, a.valid_lifetime, a.preferred_lifetime) ==
           std::tie(b.prefix, b.length, b.on_link, b.autonomous, b.valid_lifetime, b.preferred_lifetime);
}

bool operator==(const RouteInfo& a, const RouteInfo& b) {
    return std::tie(a.prefix, a.length, a.preference, a.lifetime) ==
           std::tie(b.prefix, b.length, b.preference, b.lifetime);
}

bool operator==(const RdnssInfo& a, const RdnssInfo& b) {
    return a.servers == b.servers && a.lifetime == b.lifetime;
}

bool operator==(const DnsslInfo& a, const DnsslInfo& b) {
    return a.domains == b.domains && a.lifetime == b.lifetime;
}

bool operator==(const Advertisement& a, const Advertisement& b) {
    return std::tie(a.cur_hop_limit, a.managed, a.other_config, a.preference, a.router_lifetime, a.reachable_time,
                    a.retrans_timer, a.source_link_layer, a.mtu, a.prefixes, a.routes, a.rdnss, a.dnssl) ==
           std::tie(b.cur_hop_limit, b.managed, b.other_config, b.preference, b.router_lifetime, b.reachable_time,
                    b.retrans_timer, b.source_link_layer, b.mtu, b.prefixes, b.routes, b.rdnss, b.dnssl);
}

bool encodeDomainName(const std::string& name, Bytes& out) {
    std::string trimmed = name;
    if (!trimmed.empty() && trimmed.back() == '.') {
        trimmed.pop_back();
    }
    if (trimmed.empty() || trimmed.size() > 253) {
        return false;
    }
    Bytes encoded;
    size_t start = 0;
    while (start <= trimmed.size()) {
        size_t dot = trimmed.find('.', start);
        if (dot == std::string::npos) {
            dot = trimmed.size();
        }
        const size_t label = dot - start;
        if (label == 0 || label > 63) {
            return false;
        }
        encoded.push_back(static_cast<uint8_t>(label));
        encoded.insert(encoded.end(), trimmed.begin() + static_cast<std::ptrdiff_t>(start),
                       trimmed.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    encoded.push_back(0);
    out.insert(out.end(), encoded.begin(), encoded.end());
    return true;
}

Bytes encodeRouterAdvertisement(const Advertisement& ra) {
    Bytes out;
    out.reserve(256);
    Writer w(out);
    w.u8(static_cast<uint8_t>(NdType::RouterAdvertisement));
    w.u8(0);   // code
    w.u16(0);  // checksum, filled in by the kernel
    w.u8(ra.cur_hop_limit);
    w.u8(static_cast<uint8_t>((ra.managed ? 0x80 : 0) | (ra.other_config ? 0x40 : 0) |
                              preferenceBits(ra.preference)));
    w.u16(ra.router_lifetime);
    w.u32(ra.reachable_time);
    w.u32(ra.retrans_timer);

    for (const PrefixInfo& p : ra.prefixes) {
        w.u8(kOptPrefixInformation);
        w.u8(4);
        w.u8(p.length);
        w.u8(static_cast<uint8_t>((p.on_link ? 0x80 : 0) | (p.autonomous ? 0x40 : 0)));
        w.u32(p.valid_lifetime);
        w.u32(p.preferred_lifetime);
        w.u32(0);
        w.bytes(p.prefix.data(), 16);
    }
    for (const RouteInfo& r : ra.routes) {
        // RFC 4191 2.3: the prefix field is 0, 8 or 16 octets, the shortest
        // that holds the prefix length.
        const size_t prefix_octets = r.length == 0 ? 0 : (r.length <= 64 ? 8 : 16);
        w.u8(kOptRouteInformation);
        w.u8(static_cast<uint8_t>(1 + prefix_octets / 8));
        w.u8(r.length);
        w.u8(preferenceBits(r.preference));
        w.u32(r.lifetime);
        w.bytes(r.prefix.data(), prefix_octets);
    }
    for (const RdnssInfo& d : ra.rdnss) {
        w.u8(kOptRdnss);
        w.u8(static_cast<uint8_t>(1 + 2 * d.servers.size()));
        w.u16(0);
        w.u32(d.lifetime);
        for (const Ipv6Address& a : d.servers) {
            w.bytes(a.data(), 16);
        }
    }
    for (const DnsslInfo& d : ra.dnssl) {
        Bytes names;
        for (const std::string& domain : d.domains) {
            encodeDomainName(domain, names);
        }
        const size_t body = 6 + names.size();
        const size_t padded = (body + 2 + 7) / 8 * 8;
        w.u8(kOptDnssl);
        w.u8(static_cast<uint8_t>(padded / 8));
        w.u16(0);
        w.u32(d.lifetime);
        w.bytes(names.data(), names.size());
        w.zeros(padded - 2 - body);
    }
    if (ra.mtu) {
        w.u8(kOptMtu);
        w.u8(1);
        w.u16(0);
        w.u32(*ra.mtu);
    }
    if (ra.source_link_layer) {
        w.u8(kOptSourceLinkLayer);
        w.u8(1);
        w.bytes(ra.source_link_layer->data(), 6);
    }
    return out;
}

const char* malformedName(Malformed why) {
    switch (why) {
    case Malformed::None: return "none";
    case Malformed::TooShort: return "too-short";
    case Malformed::BadCode: return "bad-code";
    case Malformed::BadHopLimit: return "bad-hop-limit";
    case Malformed::ZeroLengthOption: return "zero-length-option";
    case Malformed::TruncatedOption: return "truncated-option";
    case Malformed::SourceLinkLayerFromUnspecified: return "sllao-from-unspecified";
    case Malformed::BadSourceAddress: return "bad-source-address";
    case Malformed::BadTarget: return "bad-target";
    case Malformed::BadOptionContent: return "bad-option-content";
    case Malformed::UnexpectedType: return "unexpected-type";
    }
    return "unknown";
}

Malformed parseNdOptions(const uint8_t* data, size_t size, std::vector<NdOption>& options) {
    options.clear();
    size_t at = 0;
    while (at < size) {
        if (size - at < 2) {
            return Malformed::TruncatedOption;
        }
        const size_t length = static_cast<size_t>(data[at + 1]) * 8;
        if (length == 0) {
            return Malformed::ZeroLengthOption;
        }
        if (length > size - at) {
            return Malformed::TruncatedOption;
        }
        options.push_back(NdOption{data[at], data + at + 2, length - 2});
        at += length;
    }
    return Malformed::None;
}

std::vector<std::string> inconsistencies(const Advertisement& ours, const Advertisement& theirs) {
    std::vector<std::string> found;
    auto differ = [&](const std::string& what, uint64_t mine, uint64_t other) {
        found.push_back(what + " " + std::to_string(other) + " (ours " + std::to_string(mine) + ")");
    };
    // Zero means "unspecified" for these three and is never a conflict.
    if (ours.cur_hop_limit && theirs.cur_hop_limit && ours.cur_hop_limit != theirs.cur_hop_limit) {
        differ("cur-hop-limit", ours.cur_hop_limit, theirs.cur_hop_limit);
    }
    if (ours.managed != theirs.managed) differ("managed-flag", ours.managed, theirs.managed);
    if (ours.other_config != theirs.other_config) differ("other-config-flag", ours.other_config, theirs.other_config);
    if (ours.reachable_time && theirs.reachable_time && ours.reachable_time != theirs.reachable_time) {
        differ("reachable-time", ours.reachable_time, theirs.reachable_time);
    }
    if (ours.retrans_timer && theirs.retrans_timer && ours.retrans_timer != theirs.retrans_timer) {
        differ("retrans-timer", ours.retrans_timer, theirs.retrans_timer);
    }
    if (ours.mtu && theirs.mtu && *ours.mtu != *theirs.mtu) differ("link-mtu", *ours.mtu, *theirs.mtu);
    for (const PrefixInfo& mine : ours.prefixes) {
        for (const PrefixInfo& other : theirs.prefixes) {
            if (mine.length != other.length || mine.prefix != other.prefix) continue;
            if (mine.valid_lifetime != other.valid_lifetime) {
                differ("valid-lifetime of a shared prefix", mine.valid_lifetime, other.valid_lifetime);
            }
            if (mine.preferred_lifetime != other.preferred_lifetime) {
                differ("preferred-lifetime of a shared prefix", mine.preferred_lifetime, other.preferred_lifetime);
            }
        }
    }
    return found;
}

bool isUnspecified(const Ipv6Address& address) {
    return std::all_of(address.begin(), address.end(), [](uint8_t b) { return b == 0; });
}

bool isLinkLocalUnicast(const Ipv6Address& address) {
    return address[0] == 0xfe && (address[1] & 0xc0) == 0x80;
}

InboundPacket classifyInbound(const uint8_t* data, size_t size, int hop_limit,
                              const Ipv6Address& source) {
    InboundPacket result;
    if (size < 4) {
        result.malformed = Malformed::TooShort;
        return result;
    }
    size_t header = 0;
    switch (data[0]) {
    case static_cast<uint8_t>(NdType::RouterSolicitation): header = kRsHeaderSize; break;
    case static_cast<uint8_t>(NdType::RouterAdvertisement): header = kRaHeaderSize; break;
    case static_cast<uint8_t>(NdType::NeighborSolicitation): header = kNsHeaderSize; break;
    default:
        result.malformed = Malformed::UnexpectedType;
        return result;
    }
    result.type = static_cast<NdType>(data[0]);
    if (hop_limit != 255) {
        result.malformed = Malformed::BadHopLimit;
        return result;
    }
    if (data[1] != 0) {
        result.malformed = Malformed::BadCode;
        return result;
    }
    if (size < header) {
        result.malformed = Malformed::TooShort;
        return result;
    }
    std::vector<NdOption> options;
    result.malformed = parseNdOptions(data + header, size - header, options);
    if (result.malformed != Malformed::None) {
        return result;
    }
    for (const NdOption& o : options) {
        if ((o.type == kOptSourceLinkLayer || o.type == kOptTargetLinkLayer) && o.body_size < 6) {
            result.malformed = Malformed::BadOptionContent;
            return result;
        }
    }
    const bool unspecified = isUnspecified(source);
    switch (result.type) {
    case NdType::RouterSolicitation:
    case NdType::NeighborSolicitation:
        if (unspecified && hasOption(options, kOptSourceLinkLayer)) {
            result.malformed = Malformed::SourceLinkLayerFromUnspecified;
            return result;
        }
        if (result.type == NdType::NeighborSolicitation && data[8] == 0xff) {
            result.malformed = Malformed::BadTarget;
            return result;
        }
        break;
    case NdType::RouterAdvertisement:
        if (!isLinkLocalUnicast(source)) {
            result.malformed = Malformed::BadSourceAddress;
            return result;
        }
        break;
    }
    result.source_link_layer = sourceLinkLayer(options);
    return result;
}

bool decodeDomainNames(const uint8_t* data, size_t size, std::vector<std::string>& names) {
    size_t at = 0;
    while (at < size) {
        if (data[at] == 0) {
            // Either the root label ending a name or padding; padding must be
            // all zeros to the end of the option.
            ++at;
            continue;
        }
        std::string name;
        size_t name_octets = 0;
        while (true) {
            if (at >= size) {
                return false;
            }
            const uint8_t label = data[at];
            if (label == 0) {
                ++at;
                break;
            }
            if (label > 63 || label >= size - at) {
                return false;
            }
            name_octets += label + 1u;
            if (name_octets > 255) {
                return false;
            }
            if (!name.empty()) {
                name.push_back('.');
            }
            name.append(reinterpret_cast<const char*>(data + at + 1), label);
            at += label + 1u;
        }
        names.push_back(std::move(name));
    }
    return true;
}

std::optional<Advertisement> decodeRouterAdvertisement(const uint8_t* data, size_t size) {
    if (size < kRaHeaderSize || data[0] != static_cast<uint8_t>(NdType::RouterAdvertisement) ||
        data[1] != 0) {
        return std::nullopt;
    }
    std::vector<NdOption> options;
    if (parseNdOptions(data + kRaHeaderSize, size - kRaHeaderSize, options) != Malformed::None) {
        return std::nullopt;
    }
    Advertisement ra;
    ra.cur_hop_limit = data[4];
    ra.managed = (data[5] & 0x80) != 0;
    ra.other_config = (data[5] & 0x40) != 0;
    ra.preference = preferenceFromBits(data[5]);
    ra.router_lifetime = readU16(data + 6);
    ra.reachable_time = readU32(data + 8);
    ra.retrans_timer = readU32(data + 12);
    for (const NdOption& o : options) {
        switch (o.type) {
        case kOptSourceLinkLayer:
            if (o.body_size < 6) return std::nullopt;
            ra.source_link_layer = MacAddress{};
            std::copy(o.body, o.body + 6, ra.source_link_layer->begin());
            break;
        case kOptMtu:
            if (o.body_size != 6) return std::nullopt;
            ra.mtu = readU32(o.body + 2);
            break;
        case kOptPrefixInformation: {
            if (o.body_size != 30 || o.body[0] > 128) return std::nullopt;
            PrefixInfo p;
            p.length = o.body[0];
            p.on_link = (o.body[1] & 0x80) != 0;
            p.autonomous = (o.body[1] & 0x40) != 0;
            p.valid_lifetime = readU32(o.body + 2);
            p.preferred_lifetime = readU32(o.body + 6);
            p.prefix = readAddress(o.body + 14);
            ra.prefixes.push_back(p);
            break;
        }
        case kOptRouteInformation: {
            // RFC 4191 2.3: length 1, 2 or 3 and large enough for the prefix.
            if (o.body_size != 6 && o.body_size != 14 && o.body_size != 22) return std::nullopt;
            RouteInfo r;
            r.length = o.body[0];
            const size_t prefix_octets = o.body_size - 6;
            if (r.length > 128 || (r.length > 64 && prefix_octets < 16) ||
                (r.length > 0 && prefix_octets < 8)) {
                return std::nullopt;
            }
            r.preference = preferenceFromBits(o.body[1]);
            r.lifetime = readU32(o.body + 2);
            std::copy(o.body + 6, o.body + 6 + prefix_octets, r.prefix.begin());
            ra.routes.push_back(r);
            break;
        }
        case kOptRdnss: {
            // RFC 8106 5.1: at least one address, so length >= 3 and odd.
            if (o.body_size < 22 || (o.body_size - 6) % 16 != 0) return std::nullopt;
            RdnssInfo d;
            d.lifetime = readU32(o.body + 2);
            for (size_t at = 6; at < o.body_size; at += 16) {
                d.servers.push_back(readAddress(o.body + at));
            }
            ra.rdnss.push_back(std::move(d));
            break;
        }
        case kOptDnssl: {
            if (o.body_size < 14) return std::nullopt;
            DnsslInfo d;
            d.lifetime = readU32(o.body + 2);
            // RFC 8106 5.2: one or more domain names; padding alone is malformed.
            if (!decodeDomainNames(o.body + 6, o.body_size - 6, d.domains) || d.domains.empty()) {
                return std::nullopt;
            }
            ra.dnssl.push_back(std::move(d));
            break;
        }
        default:
            break;  // unknown options are skipped, RFC 4861 4.6
        }
    }
    return ra;
}

}  // namespace radvd_lite
