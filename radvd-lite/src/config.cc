#include "config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include <cc/data.h>
#include <exceptions/exceptions.h>

namespace radvd_lite {

using isc::data::ConstElementPtr;
using isc::data::Element;

namespace {

constexpr const char* kTopLevel = "RadvdLite";

// RFC 4861 section 6.2.1 bounds, as radvd enforces them.
constexpr double kMaxIntervalLow = 4;
constexpr double kMaxIntervalHigh = 1800;
constexpr double kMinIntervalLow = 3;
constexpr int64_t kRouterLifetimeHigh = 9000;
constexpr int64_t kReachableTimeHigh = 3600000;
constexpr uint32_t kInfinity = 0xffffffff;

std::string where(const ConstElementPtr& e) {
    const Element::Position& p = e->getPosition();
    return p.file_ + ":" + std::to_string(p.line_) + ":" + std::to_string(p.pos_);
}

// One JSON object being read: remembers which keys were used so unknown
// (typically misspelt) keys are reported instead of silently ignored.
class MapReader {
public:
    MapReader(ConstElementPtr element, std::string path) : element_(std::move(element)), path_(std::move(path)) {
        if (element_->getType() != Element::map) {
            fail(element_, path_, "must be an object");
        }
    }

    [[noreturn]] static void fail(const ConstElementPtr& e, const std::string& path, const std::string& message) {
        throw ConfigError(where(e) + ": " + path + ": " + message);
    }

    std::string field(const std::string& key) const { return path_ + "." + key; }

    ConstElementPtr take(const std::string& key) {
        used_.insert(key);
        return element_->get(key);
    }

    ConstElementPtr require(const std::string& key) {
        ConstElementPtr e = take(key);
        if (!e) {
            fail(element_, field(key), "is required");
        }
        return e;
    }

    bool has(const std::string& key) const { return static_cast<bool>(element_->get(key)); }

    bool boolean(const std::string& key, bool fallback) {
        ConstElementPtr e = take(key);
        if (!e) return fallback;
        if (e->getType() != Element::boolean) fail(e, field(key), "must be true or false");
        return e->boolValue();
    }

    int64_t integer(const std::string& key, int64_t fallback, int64_t low, int64_t high) {
        ConstElementPtr e = take(key);
        if (!e) return fallback;
        if (e->getType() != Element::integer) fail(e, field(key), "must be an integer");
        const int64_t v = e->intValue();
        if (v < low || v > high) {
            fail(e, field(key), "must be between " + std::to_string(low) + " and " + std::to_string(high) +
                                    ", got " + std::to_string(v));
        }
        return v;
    }

    // Lifetimes accept "infinity" for 0xffffffff, as radvd does.
    uint32_t lifetime(const std::string& key, uint32_t fallback) {
        ConstElementPtr e = take(key);
        if (!e) return fallback;
        if (e->getType() == Element::string && e->stringValue() == "infinity") return kInfinity;
        if (e->getType() != Element::integer || e->intValue() < 0 || e->intValue() > kInfinity) {
            fail(e, field(key), "must be an integer from 0 to 4294967295 or \"infinity\"");
        }
        return static_cast<uint32_t>(e->intValue());
    }

    double seconds(const std::string& key, double fallback) {
        ConstElementPtr e = take(key);
        if (!e) return fallback;
        if (e->getType() != Element::integer && e->getType() != Element::real) {
            fail(e, field(key), "must be a number of seconds");
        }
        return e->getType() == Element::integer ? static_cast<double>(e->intValue()) : e->doubleValue();
    }

    std::string string(const std::string& key) {
        ConstElementPtr e = require(key);
        if (e->getType() != Element::string) fail(e, field(key), "must be a string");
        return e->stringValue();
    }

    const std::vector<isc::data::ElementPtr>& list(const std::string& key, bool required) {
        static const std::vector<isc::data::ElementPtr> empty;
        ConstElementPtr e = required ? require(key) : take(key);
        if (!e) return empty;
        if (e->getType() != Element::list) fail(e, field(key), "must be a list");
        return e->listValue();
    }

    void rejectUnknown() const {
        for (const auto& [key, value] : element_->mapValue()) {
            if (used_.count(key) == 0 && key != "comment" && key != "user-context") {
                fail(value, field(key), "unknown field");
            }
        }
    }

    const ConstElementPtr& element() const { return element_; }

private:
    ConstElementPtr element_;
    std::string path_;
    std::set<std::string> used_;
};

RouterPreference parsePreference(MapReader& r, const std::string& key) {
    ConstElementPtr e = r.take(key);
    if (!e) return RouterPreference::Medium;
    const std::string v = e->getType() == Element::string ? e->stringValue() : "";
    if (v == "medium") return RouterPreference::Medium;
    if (v == "high") return RouterPreference::High;
    if (v == "low") return RouterPreference::Low;
    MapReader::fail(e, r.field(key), "must be \"low\", \"medium\" or \"high\"");
}

void readPrefixField(MapReader& r, Ipv6Address& prefix, uint8_t& length) {
    ConstElementPtr e = r.require("prefix");
    if (e->getType() != Element::string || !parsePrefix(e->stringValue(), prefix, length)) {
        MapReader::fail(e, r.field("prefix"), "must be an IPv6 prefix like \"2001:db8::/64\"");
    }
}

Ipv6Address readAddress(const ConstElementPtr& e, const std::string& path) {
    Ipv6Address a{};
    if (e->getType() != Element::string || inet_pton(AF_INET6, e->stringValue().c_str(), a.data()) != 1) {
        MapReader::fail(e, path, "must be an IPv6 address");
    }
    return a;
}

InterfaceConfig parseInterface(const ConstElementPtr& element, const std::string& path) {
    MapReader r(element, path);
    InterfaceConfig c;
    c.name = r.string("name");
    if (c.name.empty() || c.name.size() >= 16) {
        MapReader::fail(r.take("name"), r.field("name"), "must be an interface name of 1 to 15 characters");
    }
    c.netboot = r.boolean("netboot", true);

    const double max_s = r.seconds("max-rtr-adv-interval", 600);
    if (max_s < kMaxIntervalLow || max_s > kMaxIntervalHigh) {
        MapReader::fail(r.take("max-rtr-adv-interval"), r.field("max-rtr-adv-interval"),
                        "must be between 4 and 1800 seconds (RFC 4861 6.2.1)");
    }
    // RFC 4861 6.2.1 default 0.33 * max, but never under the 3 s floor.
    const double min_s = r.seconds("min-rtr-adv-interval", std::max(kMinIntervalLow, 0.33 * max_s));
    if (min_s < kMinIntervalLow || min_s > 0.75 * max_s) {
        MapReader::fail(r.has("min-rtr-adv-interval") ? r.take("min-rtr-adv-interval") : element,
                        r.field("min-rtr-adv-interval"),
                        "must be between 3 seconds and 0.75 * max-rtr-adv-interval (RFC 4861 6.2.1)");
    }
    c.timing.max_interval_ms = static_cast<Millis>(std::llround(max_s * 1000));
    c.timing.min_interval_ms = static_cast<Millis>(std::llround(min_s * 1000));
    const uint32_t three_max = static_cast<uint32_t>(std::llround(3 * max_s));

    Advertisement& a = c.advert;
    a.managed = r.boolean("managed-flag", c.netboot);
    a.other_config = r.boolean("other-config-flag", true);
    a.cur_hop_limit = static_cast<uint8_t>(r.integer("cur-hop-limit", 64, 0, 255));
    const int64_t lifetime = r.integer("router-lifetime", std::min<int64_t>(three_max, kRouterLifetimeHigh), 0,
                                       kRouterLifetimeHigh);
    if (lifetime != 0 && lifetime < max_s) {
        MapReader::fail(r.take("router-lifetime"), r.field("router-lifetime"),
                        "must be 0 or at least max-rtr-adv-interval (RFC 4861 6.2.1)");
    }
    a.router_lifetime = static_cast<uint16_t>(lifetime);
    a.reachable_time = static_cast<uint32_t>(r.integer("reachable-time", 0, 0, kReachableTimeHigh));
    a.retrans_timer = static_cast<uint32_t>(r.integer("retrans-timer", 0, 0, kInfinity));
    a.preference = parsePreference(r, "router-preference");
    const int64_t mtu = r.integer("link-mtu", 0, 0, kInfinity);
    if (mtu != 0 && mtu < 1280) {
        MapReader::fail(r.take("link-mtu"), r.field("link-mtu"), "must be 0 (not sent) or at least 1280");
    }
    if (mtu != 0) a.mtu = static_cast<uint32_t>(mtu);
    c.source_link_layer = r.boolean("source-link-layer-address", true);
    c.solicited_unicast = r.boolean("solicited-unicast", true);
    c.final_advertisements =
        static_cast<uint32_t>(r.integer("final-advertisements", kMaxFinalRtrAdvertisements, 0, kMaxFinalRtrAdvertisements));

    const auto& prefixes = r.list("prefixes", false);
    for (size_t i = 0; i < prefixes.size(); ++i) {
        MapReader p(prefixes[i], r.field("prefixes") + "[" + std::to_string(i) + "]");
        PrefixInfo info;
        readPrefixField(p, info.prefix, info.length);
        info.on_link = p.boolean("on-link", true);
        info.autonomous = p.boolean("autonomous", true);
        info.valid_lifetime = p.lifetime("valid-lifetime", 86400);
        info.preferred_lifetime = p.lifetime("preferred-lifetime", 14400);
        if (info.preferred_lifetime > info.valid_lifetime) {
            MapReader::fail(p.has("preferred-lifetime") ? p.take("preferred-lifetime") : prefixes[i],
                            p.field("preferred-lifetime"), "must not exceed valid-lifetime (RFC 4861 4.6.2)");
        }
        p.rejectUnknown();
        a.prefixes.push_back(info);
    }
    const auto& routes = r.list("routes", false);
    for (size_t i = 0; i < routes.size(); ++i) {
        MapReader p(routes[i], r.field("routes") + "[" + std::to_string(i) + "]");
        RouteInfo info;
        readPrefixField(p, info.prefix, info.length);
        info.preference = parsePreference(p, "preference");
        info.lifetime = p.lifetime("lifetime", three_max);
        p.rejectUnknown();
        a.routes.push_back(info);
    }
    const auto& rdnss = r.list("rdnss", false);
    for (size_t i = 0; i < rdnss.size(); ++i) {
        MapReader p(rdnss[i], r.field("rdnss") + "[" + std::to_string(i) + "]");
        RdnssInfo info;
        const auto& servers = p.list("servers", true);
        if (servers.empty() || servers.size() > 127) {
            MapReader::fail(p.take("servers"), p.field("servers"), "must list 1 to 127 addresses");
        }
        for (size_t j = 0; j < servers.size(); ++j) {
            info.servers.push_back(readAddress(servers[j], p.field("servers") + "[" + std::to_string(j) + "]"));
        }
        // RFC 8106 5.1: 3 * MaxRtrAdvInterval by default.
        info.lifetime = p.lifetime("lifetime", three_max);
        p.rejectUnknown();
        a.rdnss.push_back(std::move(info));
    }
    const auto& dnssl = r.list("dnssl", false);
    for (size_t i = 0; i < dnssl.size(); ++i) {
        MapReader p(dnssl[i], r.field("dnssl") + "[" + std::to_string(i) + "]");
        DnsslInfo info;
        const auto& domains = p.list("domains", true);
        if (domains.empty()) {
            MapReader::fail(p.take("domains"), p.field("domains"), "must list at least one domain");
        }
        Bytes encoded;
        for (size_t j = 0; j < domains.size(); ++j) {
            const std::string field = p.field("domains") + "[" + std::to_string(j) + "]";
            if (domains[j]->getType() != Element::string || !encodeDomainName(domains[j]->stringValue(), encoded)) {
                MapReader::fail(domains[j], field, "must be a domain name (labels of 1 to 63 characters)");
            }
            info.domains.push_back(domains[j]->stringValue());
        }
        if (encoded.size() + 8 > 255 * 8) {
            MapReader::fail(p.take("domains"), p.field("domains"), "too long for one DNSSL option");
        }
        info.lifetime = p.lifetime("lifetime", three_max);
        p.rejectUnknown();
        a.dnssl.push_back(std::move(info));
    }
    r.rejectUnknown();
    return c;
}

Config parseRoot(const ConstElementPtr& root) {
    if (root->getType() != Element::map) {
        MapReader::fail(root, "<top>", "must be an object with a \"RadvdLite\" member");
    }
    ConstElementPtr section = root->get(kTopLevel);
    if (!section) {
        MapReader::fail(root, kTopLevel, "is required");
    }
    MapReader r(section, kTopLevel);
    Config config;
    const auto& interfaces = r.list("interfaces", true);
    std::set<std::string> names;
    for (size_t i = 0; i < interfaces.size(); ++i) {
        const std::string path = r.field("interfaces") + "[" + std::to_string(i) + "]";
        InterfaceConfig c = parseInterface(interfaces[i], path);
        if (!names.insert(c.name).second) {
            MapReader::fail(interfaces[i], path + ".name", "interface \"" + c.name + "\" is listed twice");
        }
        config.interfaces.push_back(std::move(c));
    }
    if (config.interfaces.empty()) {
        MapReader::fail(r.take("interfaces"), r.field("interfaces"), "must list at least one interface");
    }
    r.rejectUnknown();
    return config;
}

isc::data::ElementPtr parseJson(std::istream& in, const std::string& origin) {
    try {
        return Element::fromJSON(in, origin, true);
    } catch (const isc::Exception& e) {
        throw ConfigError(std::string(e.what()));
    }
}

bool prefixContains(const Ipv6Address& outer, uint8_t outer_len, const Ipv6Address& inner, uint8_t inner_len) {
    if (inner_len < outer_len) return false;
    for (uint8_t bit = 0; bit < outer_len; ++bit) {
        const uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
        if ((outer[bit / 8] & mask) != (inner[bit / 8] & mask)) return false;
    }
    return true;
}

}  // namespace

bool parsePrefix(const std::string& text, Ipv6Address& prefix, uint8_t& length) {
    const size_t slash = text.find('/');
    if (slash == std::string::npos || slash + 1 >= text.size() || text.size() - slash > 4) return false;
    int len = 0;
    for (size_t i = slash + 1; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        len = len * 10 + (text[i] - '0');
    }
    if (len > 128) return false;
    if (inet_pton(AF_INET6, text.substr(0, slash).c_str(), prefix.data()) != 1) return false;
    length = static_cast<uint8_t>(len);
    // Bits past the prefix length would be sent on the wire as they are;
    // clear them so "2001:db8::1/64" advertises 2001:db8::/64.
    for (int bit = len; bit < 128; ++bit) {
        prefix[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
    }
    return true;
}

std::string formatAddress(const Ipv6Address& address) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, address.data(), buf, sizeof buf);
    return buf;
}

std::string formatPrefix(const Ipv6Address& prefix, uint8_t length) {
    return formatAddress(prefix) + "/" + std::to_string(length);
}

Config parseConfigText(const std::string& text, const std::string& origin) {
    std::istringstream in(text);
    return parseRoot(parseJson(in, origin));
}

Config loadConfigFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ConfigError(path + ": cannot open");
    }
    return parseRoot(parseJson(in, path));
}

std::vector<std::string> configWarnings(const Config& config) {
    std::vector<std::string> warnings;
    for (const InterfaceConfig& c : config.interfaces) {
        const std::string who = "interface " + c.name + ": ";
        if (c.netboot && !c.advert.managed) {
            warnings.push_back(who + "netboot link with managed-flag false: edk2's IPv6 PXE does a stateful "
                                     "DHCPv6 SOLICIT anyway and needs a DHCPv6 server handing out addresses; "
                                     "set \"managed-flag\": true");
        }
        if (c.netboot && !c.advert.managed && !c.advert.other_config) {
            warnings.push_back(who + "netboot link with M=0 and O=0: iPXE will not ask DHCPv6 for a boot URL");
        }
        if (c.advert.router_lifetime == 0) {
            warnings.push_back(who + "router-lifetime 0: hosts will not use this router as default router");
        }
        for (const PrefixInfo& p : c.advert.prefixes) {
            if (p.autonomous && p.length != 64) {
                warnings.push_back(who + "prefix " + formatPrefix(p.prefix, p.length) +
                                   " is autonomous but not a /64: hosts will not form SLAAC addresses");
            }
        }
        for (const RdnssInfo& d : c.advert.rdnss) {
            if (d.lifetime != 0 && d.lifetime < c.timing.max_interval_ms / 1000) {
                warnings.push_back(who + "rdnss lifetime below max-rtr-adv-interval (RFC 8106 5.1)");
            }
        }
        for (const DnsslInfo& d : c.advert.dnssl) {
            if (d.lifetime != 0 && d.lifetime < c.timing.max_interval_ms / 1000) {
                warnings.push_back(who + "dnssl lifetime below max-rtr-adv-interval (RFC 8106 5.2)");
            }
        }
    }
    return warnings;
}

std::vector<std::string> keaCrossCheck(const Config& config, const std::string& kea_config_path) {
    std::ifstream in(kea_config_path);
    if (!in) {
        throw ConfigError(kea_config_path + ": cannot open");
    }
    ConstElementPtr root = parseJson(in, kea_config_path);
    ConstElementPtr dhcp6 = root->getType() == Element::map ? root->get("Dhcp6") : ConstElementPtr();
    if (!dhcp6 || dhcp6->getType() != Element::map) {
        throw ConfigError(kea_config_path + ": Dhcp6: is required (a kea-dhcp6 config)");
    }
    struct KeaSubnet {
        Ipv6Address prefix{};
        uint8_t length = 0;
        std::string interface;
    };
    std::vector<KeaSubnet> subnets;
    auto collect = [&](const ConstElementPtr& list, const std::string& inherited_interface) {
        if (!list || list->getType() != Element::list) return;
        for (const auto& s : list->listValue()) {
            if (s->getType() != Element::map) continue;
            ConstElementPtr text = s->get("subnet");
            KeaSubnet k;
            if (!text || text->getType() != Element::string || !parsePrefix(text->stringValue(), k.prefix, k.length)) {
                continue;
            }
            ConstElementPtr iface = s->get("interface");
            k.interface = iface && iface->getType() == Element::string ? iface->stringValue() : inherited_interface;
            subnets.push_back(k);
        }
    };
    collect(dhcp6->get("subnet6"), "");
    if (ConstElementPtr shared = dhcp6->get("shared-networks"); shared && shared->getType() == Element::list) {
        for (const auto& n : shared->listValue()) {
            if (n->getType() != Element::map) continue;
            ConstElementPtr iface = n->get("interface");
            collect(n->get("subnet6"), iface && iface->getType() == Element::string ? iface->stringValue() : "");
        }
    }
    std::set<std::string> kea_interfaces;
    bool kea_all_interfaces = false;
    if (ConstElementPtr ic = dhcp6->get("interfaces-config"); ic && ic->getType() == Element::map) {
        if (ConstElementPtr l = ic->get("interfaces"); l && l->getType() == Element::list) {
            for (const auto& i : l->listValue()) {
                if (i->getType() != Element::string) continue;
                const std::string name = i->stringValue().substr(0, i->stringValue().find('/'));
                if (name == "*") kea_all_interfaces = true;
                kea_interfaces.insert(name);
            }
        }
    }

    std::vector<std::string> warnings;
    for (const InterfaceConfig& c : config.interfaces) {
        const std::string who = "interface " + c.name + ": ";
        if (!c.netboot) continue;
        if (c.advert.managed && !kea_all_interfaces && kea_interfaces.count(c.name) == 0) {
            warnings.push_back(who + "M=1 but kea-dhcp6 does not listen on " + c.name +
                               " (Dhcp6.interfaces-config.interfaces)");
        }
        for (const PrefixInfo& p : c.advert.prefixes) {
            if (!p.on_link) continue;
            const KeaSubnet* match = nullptr;
            for (const KeaSubnet& k : subnets) {
                if (prefixContains(k.prefix, k.length, p.prefix, p.length) ||
                    prefixContains(p.prefix, p.length, k.prefix, k.length)) {
                    match = &k;
                    break;
                }
            }
            const std::string name = formatPrefix(p.prefix, p.length);
            if (!match) {
                warnings.push_back(who + "advertised prefix " + name + " matches no Dhcp6.subnet6 in " +
                                   kea_config_path);
            } else if (!match->interface.empty() && match->interface != c.name) {
                warnings.push_back(who + "advertised prefix " + name + " belongs to Kea subnet " +
                                   formatPrefix(match->prefix, match->length) + " on interface " + match->interface);
            }
        }
        for (const KeaSubnet& k : subnets) {
            if (k.interface != c.name) continue;
            bool advertised = false;
            for (const PrefixInfo& p : c.advert.prefixes) {
                advertised = advertised || prefixContains(k.prefix, k.length, p.prefix, p.length) ||
                             prefixContains(p.prefix, p.length, k.prefix, k.length);
            }
            if (!advertised) {
                warnings.push_back(who + "Kea subnet " + formatPrefix(k.prefix, k.length) +
                                   " on this interface is not advertised as a prefix");
            }
        }
    }
    return warnings;
}

}  // namespace radvd_lite
