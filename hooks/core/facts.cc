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
