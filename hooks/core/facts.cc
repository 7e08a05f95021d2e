#include "facts.h"

#include <cstring>
#include <string_view>

namespace netboot {

namespace {

constexpr std::string_view kIpxe = "iPXE";
constexpr std::string_view kPxeClient = "PXEClient";
constexpr std::string_view kHttpClient = "HTTPClient";

std::string_view text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

void note(std::string& malformed, std::string_view what) {
    if (!malformed.empty()) {
        malformed += "; ";
    }
    malformed += what;
}

VendorKind vendorKind(std::string_view vendor) {
    if (vendor.substr(0, kHttpClient.size()) == kHttpClient) {
        return VendorKind::http;
    }
    if (vendor.substr(0, kPxeClient.size()) == kPxeClient) {
        return VendorKind::pxe;
    }
    return VendorKind::other;
}

// "PXEClient:Arch:00007:UNDI:003000" -> 7. Both PXE and HTTP clients name
// their architecture this way, in decimal. Nothing when there is no ":Arch:";
// 0xffffffff when it is followed by anything but five digits up to 65535.
constexpr uint32_t kBadVendorArch = 0xffffffff;
std::optional<uint32_t> archFromVendorClass(std::string_view vendor) {
    constexpr std::string_view kArch = ":Arch:";
    const size_t at = vendor.find(kArch);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view digits = vendor.substr(at + kArch.size(), 5);
    if (digits.size() != 5) {
        return kBadVendorArch;
    }
    uint32_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return kBadVendorArch;
        }
        value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    return value > 0xffff ? kBadVendorArch : value;
}

void readArch(Bytes arch, ClientFacts& facts) {
    if (arch.size == 0) {
        note(facts.malformed, "empty client architecture option");
        return;
    }
    if (arch.size % 2 != 0) {
        note(facts.malformed, "client architecture option has odd length " + std::to_string(arch.size));
    }
    for (size_t i = 0; i + 1 < arch.size; i += 2) {
        const uint16_t code = static_cast<uint16_t>(arch.data[i] << 8 | arch.data[i + 1]);
        if (auto known = lookupArchitecture(code)) {
            facts.arch = known;
            return;
        }
    }
    facts.unknownArch = arch.size >= 2;
}

// v6 option 16 (RFC 8415 21.16): enterprise-number, then vendor-class-data
// tuples with 2-byte lengths. Only the first tuple names the client kind.
std::string_view readVendorClassV6(Bytes vc, ClientFacts& facts) {
    if (vc.size < 4) {
        note(facts.malformed, "vendor class option shorter than its enterprise number");
        return {};
    }
    facts.enterprise = static_cast<uint32_t>(vc.data[0]) << 24 | static_cast<uint32_t>(vc.data[1]) << 16 |
                       static_cast<uint32_t>(vc.data[2]) << 8 | vc.data[3];
    if (vc.size < 6) {
        note(facts.malformed, "vendor class option without class data");
        return {};
    }
    const size_t length = static_cast<size_t>(vc.data[4] << 8 | vc.data[5]);
    if (6 + length > vc.size) {
        note(facts.malformed, "vendor class tuple longer than the option");
        return text(vc.data + 6, vc.size - 6);
    }
    return text(vc.data + 6, length);
}

// v4 option 77: iPXE sends the bare string "iPXE"; RFC 3004 clients send
// length-prefixed items. Printable text that is neither is some other
// vendor's raw user class ("MSFT 5.0"), which is legal and simply not iPXE;
// a leading control byte announces RFC 3004 items, which must then add up.
bool userClassV4SaysIpxe(Bytes uc, ClientFacts& facts) {
    if (text(uc.data, uc.size) == kIpxe) {
        return true;
    }
    if (uc.size == 0) {
        note(facts.malformed, "empty user class option");
        return false;
    }
    if (uc.data[0] >= 0x20) {
        return false;
    }
    size_t pos = 0;
    while (pos < uc.size) {
        const size_t length = uc.data[pos];
        if (length == 0 || pos + 1 + length > uc.size) {
            note(facts.malformed, "user class item length past the end of the option");
            return false;
        }
        if (text(uc.data + pos + 1, length) == kIpxe) {
            return true;
        }
        pos += 1 + length;
    }
    return false;
}

// v6 option 15 (RFC 8415 21.15): items with 2-byte lengths, at least one.
bool userClassV6SaysIpxe(Bytes uc, ClientFacts& facts) {
    if (uc.size == 0) {
        note(facts.malformed, "empty user class option");
        return false;
    }
    size_t pos = 0;
    bool ipxe = false;
    while (pos < uc.size) {
        if (pos + 2 > uc.size) {
            note(facts.malformed, "user class item length cut short");
            break;
        }
        const size_t length = static_cast<size_t>(uc.data[pos] << 8 | uc.data[pos + 1]);
        if (pos + 2 + length > uc.size) {
            note(facts.malformed, "user class item longer than the option");
            break;
        }
        ipxe = ipxe || text(uc.data + pos + 2, length) == kIpxe;
        pos += 2 + length;
    }
    return ipxe;
}

}  // namespace

ClientFacts extractFacts(const RawOptions& options) {
    ClientFacts facts;
    facts.family = options.family;

    std::string_view vendor;
    if (options.vendorClass) {
        if (options.family == IpFamily::v6) {
            vendor = readVendorClassV6(*options.vendorClass, facts);
        } else {
            vendor = text(options.vendorClass->data, options.vendorClass->size);
            if (vendor.empty()) {
                note(facts.malformed, "empty vendor class option");
            }
        }
        if (!vendor.empty()) {
            facts.vendor = vendorKind(vendor);
        }
    }

    if (options.arch) {
        readArch(*options.arch, facts);
    } else if (facts.vendor == VendorKind::pxe || facts.vendor == VendorKind::http) {
        if (auto code = archFromVendorClass(vendor)) {
            if (*code == kBadVendorArch) {
                note(facts.malformed, "vendor class names no valid architecture after ':Arch:'");
            } else {
                facts.arch = lookupArchitecture(static_cast<uint16_t>(*code));
                facts.unknownArch = !facts.arch;
            }
        }
    }

    if (options.userClass) {
        facts.ipxe = options.family == IpFamily::v6 ? userClassV6SaysIpxe(*options.userClass, facts)
                                                    : userClassV4SaysIpxe(*options.userClass, facts);
    }
    facts.ipxe = facts.ipxe || (options.family == IpFamily::v4 && options.ipxeEncapsulated);
    return facts;
}

std::string_view macSourceName(MacSource source) {
    switch (source) {
    case MacSource::duidLl: return "duid-ll";
    case MacSource::duidLlt: return "duid-llt";
    case MacSource::relayOption: return "relay-option-79";
    case MacSource::linkLocal: return "link-local";
    case MacSource::kea: return "kea";
    case MacSource::none: break;
    }
    return "none";
}

namespace {

// Kea's HWAddr::MAX_HWADDR_LEN: nothing longer is a link-layer address.
constexpr size_t kMaxLinkLayer = 20;

bool usableLinkLayer(const uint8_t* data, size_t size) {
    if (size == 0 || size > kMaxLinkLayer) return false;
    for (size_t i = 0; i < size; ++i) {
        if (data[i] != 0) return true;  // all zeros is a placeholder, not a NIC
    }
    return false;
}

ClientMac fromBytes(const uint8_t* data, size_t size, MacSource source) {
    if (!usableLinkLayer(data, size)) return {};
    return {std::vector<uint8_t>(data, data + size), source};
}

// RFC 8415 11.2 / 11.4: type 1 = LLT (hw type, time, address), type 3 = LL
// (hw type, address).
ClientMac fromDuid(Bytes duid) {
    if (duid.size < 2) return {};
    const uint16_t type = static_cast<uint16_t>(duid.data[0] << 8 | duid.data[1]);
    if (type == 3 && duid.size > 4) return fromBytes(duid.data + 4, duid.size - 4, MacSource::duidLl);
    if (type == 1 && duid.size > 8) return fromBytes(duid.data + 8, duid.size - 8, MacSource::duidLlt);
    return {};
}

// RFC 6939: 2-byte link-layer type, then the address.
ClientMac fromRelayOption(Bytes option) {
    if (option.size <= 2) return {};
    return fromBytes(option.data + 2, option.size - 2, MacSource::relayOption);
}

// RFC 4291 appendix A: fe80::/64 whose interface ID is the MAC-48 with
// ff:fe in the middle and the universal/local bit inverted. The bit says
// nothing about whether the IID is EUI-64 (a VM's 52:54:00:... becomes
// 5054:ff:fe...), so it is flipped back, not checked. A group MAC is never
// a station's source, so such an IID is not one.
ClientMac fromLinkLocal(Bytes address) {
    const uint8_t* a = address.data;
    if (address.size != 16 || a[0] != 0xfe || (a[1] & 0xc0) != 0x80 || a[11] != 0xff || a[12] != 0xfe) {
        return {};
    }
    const uint8_t first = static_cast<uint8_t>(a[8] ^ 0x02);
    if (first & 0x01) return {};
    const uint8_t mac[6] = {first, a[9], a[10], a[13], a[14], a[15]};
    return fromBytes(mac, sizeof mac, MacSource::linkLocal);
}

}  // namespace

ClientMac deriveClientMac6(const MacSources6& sources) {
    ClientMac found;
    if (sources.duid) found = fromDuid(*sources.duid);
    if (found.source == MacSource::none && sources.relayLinkLayer) found = fromRelayOption(*sources.relayLinkLayer);
    if (found.source == MacSource::none && sources.linkLocal) found = fromLinkLocal(*sources.linkLocal);
    if (found.source == MacSource::none && sources.kea) {
        found = fromBytes(sources.kea->data, sources.kea->size, MacSource::kea);
    }
    return found;
}

std::string hexText(const uint8_t* data, size_t size) {
    static constexpr char kHex[] = "0123456789abcdef";
    if (size == 0) return std::string();
    std::string text(size * 3 - 1, ':');
    char* out = text.data();
    for (size_t i = 0; i < size; ++i) {
        out[0] = kHex[data[i] >> 4];
        out[1] = kHex[data[i] & 0xf];
        out += 3;
    }
    return text;
}

std::string macOrIdentifier(const std::vector<uint8_t>& mac, std::optional<Bytes> identifier,
                            std::string_view identifierPrefix) {
    if (!mac.empty()) return hexText(mac.data(), mac.size());
    if (!identifier || identifier->size == 0) return std::string();
    return std::string(identifierPrefix) + hexText(identifier->data, identifier->size);
}

std::string printable(Bytes bytes, size_t max) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    const size_t n = bytes.size < max ? bytes.size : max;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t c = bytes.data[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    if (bytes.size > max) {
        out += "...";
    }
    return out;
}

}  // namespace netboot
