#include "config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <utility>

#include "config_reader.h"
#include "json.h"

namespace radvd_lite {

using netboot::json::JsonError;
using netboot::json::JsonValue;
using netboot::json::parseJson;
using netboot::config::MapReader;

namespace {

constexpr const char* kTopLevel = "RadvdLite";

// RFC 4861 section 6.2.1 bounds, as radvd enforces them.
constexpr double kMaxIntervalLow = 4;
constexpr double kMaxIntervalHigh = 1800;
constexpr double kMinIntervalLow = 3;
constexpr int64_t kRouterLifetimeHigh = 9000;
constexpr int64_t kReachableTimeHigh = 3600000;
constexpr uint32_t kInfinity = 0xffffffff;

// Lifetimes accept "infinity" for 0xffffffff, as radvd does.
uint32_t readLifetime(MapReader& r, const std::string& key, uint32_t fallback) {
    const JsonValue* e = r.take(key);
    if (!e) return fallback;
    if (e->type == JsonValue::Type::String && e->string == "infinity") return kInfinity;
    if (e->type != JsonValue::Type::Integer || e->integer < 0 || e->integer > kInfinity) {
        MapReader::fail(e, r.field(key), "must be an integer from 0 to 4294967295 or \"infinity\"");
    }
    return static_cast<uint32_t>(e->integer);
}

RouterPreference parsePreference(MapReader& r, const std::string& key) {
    const JsonValue* e = r.take(key);
    if (!e) return RouterPreference::Medium;
    const std::string v = e->type == JsonValue::Type::String ? e->string : "";
    if (v == "medium") return RouterPreference::Medium;
    if (v == "high") return RouterPreference::High;
    if (v == "low") return RouterPreference::Low;
    MapReader::fail(e, r.field(key), "must be \"low\", \"medium\" or \"high\"");
}

void readPrefixField(MapReader& r, Ipv6Address& prefix, uint8_t& length) {
    const JsonValue* e = r.require("prefix");
    if (e->type != JsonValue::Type::String || !parsePrefix(e->string, prefix, length)) {
        MapReader::fail(e, r.field("prefix"), "must be an IPv6 prefix like \"2001:db8::/64\"");
    }
}

Ipv6Address readAddress(const JsonValue* e, const std::string& path) {
    Ipv6Address a{};
    if (e->type != JsonValue::Type::String || inet_pton(AF_INET6, e->string.c_str(), a.data()) != 1) {
        MapReader::fail(e, path, "must be an IPv6 address");
    }
    return a;
}

InterfaceConfig parseInterface(const JsonValue* element, const std::string& path) {
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
        static_cast<uint32_t>(r.integer("final-advertisements", kDefaultFinalRtrAdvertisements, 0, kMaxFinalRtrAdvertisements));

    const auto& prefixes = r.list("prefixes", false);
    for (size_t i = 0; i < prefixes.size(); ++i) {
        MapReader p(&prefixes[i], r.field("prefixes") + "[" + std::to_string(i) + "]");
        PrefixInfo info;
        readPrefixField(p, info.prefix, info.length);
        info.on_link = p.boolean("on-link", true);
        info.autonomous = p.boolean("autonomous", true);
        info.valid_lifetime = readLifetime(p, "valid-lifetime", 86400);
        info.preferred_lifetime = readLifetime(p, "preferred-lifetime", 14400);
        if (info.preferred_lifetime > info.valid_lifetime) {
            MapReader::fail(p.has("preferred-lifetime") ? p.take("preferred-lifetime") : &prefixes[i],
                            p.field("preferred-lifetime"), "must not exceed valid-lifetime (RFC 4861 4.6.2)");
        }
        p.rejectUnknown();
        a.prefixes.push_back(info);
    }
    const auto& routes = r.list("routes", false);
    for (size_t i = 0; i < routes.size(); ++i) {
        MapReader p(&routes[i], r.field("routes") + "[" + std::to_string(i) + "]");
        RouteInfo info;
        readPrefixField(p, info.prefix, info.length);
        info.preference = parsePreference(p, "preference");
        info.lifetime = readLifetime(p, "lifetime", three_max);
        p.rejectUnknown();
        a.routes.push_back(info);
    }
    const auto& rdnss = r.list("rdnss", false);
    for (size_t i = 0; i < rdnss.size(); ++i) {
        MapReader p(&rdnss[i], r.field("rdnss") + "[" + std::to_string(i) + "]");
        RdnssInfo info;
        const auto& servers = p.list("servers", true);
        if (servers.empty() || servers.size() > 127) {
            MapReader::fail(p.take("servers"), p.field("servers"), "must list 1 to 127 addresses");
        }
        for (size_t j = 0; j < servers.size(); ++j) {
            info.servers.push_back(readAddress(&servers[j], p.field("servers") + "[" + std::to_string(j) + "]"));
        }
        // RFC 8106 5.1: 3 * MaxRtrAdvInterval by default.
        info.lifetime = readLifetime(p, "lifetime", three_max);
        p.rejectUnknown();
        a.rdnss.push_back(std::move(info));
    }
    const auto& dnssl = r.list("dnssl", false);
    for (size_t i = 0; i < dnssl.size(); ++i) {
        MapReader p(&dnssl[i], r.field("dnssl") + "[" + std::to_string(i) + "]");
        DnsslInfo info;
        const auto& domains = p.list("domains", true);
        if (domains.empty()) {
            MapReader::fail(p.take("domains"), p.field("domains"), "must list at least one domain");
        }
        Bytes encoded;
        for (size_t j = 0; j < domains.size(); ++j) {
            const std::string field = p.field("domains") + "[" + std::to_string(j) + "]";
            if (domains[j].type != JsonValue::Type::String || !encodeDomainName(domains[j].string, encoded)) {
                MapReader::fail(&domains[j], field, "must be a domain name (labels of 1 to 63 characters)");
            }
            info.domains.push_back(domains[j].string);
        }
        if (encoded.size() + 8 > 255 * 8) {
            MapReader::fail(p.take("domains"), p.field("domains"), "too long for one DNSSL option");
        }
        info.lifetime = readLifetime(p, "lifetime", three_max);
        p.rejectUnknown();
        a.dnssl.push_back(std::move(info));
    }
    r.rejectUnknown();
    return c;
}

Config parseRoot(const JsonValue* root) {
    if (root->type != JsonValue::Type::Map) {
        MapReader::fail(root, "<top>", "must be an object with a \"RadvdLite\" member");
    }
    const JsonValue* section = root->get(kTopLevel);
    if (!section) {
        MapReader::fail(root, kTopLevel, "is required");
    }
    MapReader r(section, kTopLevel);
    Config config;
    const auto& interfaces = r.list("interfaces", true);
    std::set<std::string> names;
    for (size_t i = 0; i < interfaces.size(); ++i) {
        const std::string path = r.field("interfaces") + "[" + std::to_string(i) + "]";
        InterfaceConfig c = parseInterface(&interfaces[i], path);
        if (!names.insert(c.name).second) {
            MapReader::fail(&interfaces[i], path + ".name", "interface \"" + c.name + "\" is listed twice");
        }
        config.interfaces.push_back(std::move(c));
    }
    if (config.interfaces.empty()) {
        MapReader::fail(r.take("interfaces"), r.field("interfaces"), "must list at least one interface");
    }
    r.rejectUnknown();
    return config;
}

std::string readFile(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        throw ConfigError(path + ": cannot open: " + std::strerror(errno));
    }
    std::string text;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
        text.append(buffer, n);
    }
    std::fclose(f);
    return text;
}

JsonValue parseJsonOrThrow(const std::string& text, const std::string& origin) {
    try {
        return parseJson(text, origin);
    } catch (const JsonError& e) {
        throw ConfigError(e.what());
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
    const JsonValue root = parseJsonOrThrow(text, origin);
    return parseRoot(&root);
}

Config loadConfigFile(const std::string& path) {
    const JsonValue root = parseJsonOrThrow(readFile(path), path);
    return parseRoot(&root);
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
    const JsonValue document = parseJsonOrThrow(readFile(kea_config_path), kea_config_path);
    const JsonValue* dhcp6 = document.type == JsonValue::Type::Map ? document.get("Dhcp6") : nullptr;
    if (!dhcp6 || dhcp6->type != JsonValue::Type::Map) {
        throw ConfigError(kea_config_path + ": Dhcp6: is required (a kea-dhcp6 config)");
    }
    struct KeaSubnet {
        Ipv6Address prefix{};
        uint8_t length = 0;
        std::string interface;
    };
    std::vector<KeaSubnet> subnets;
    auto collect = [&](const JsonValue* list, const std::string& inherited_interface) {
        if (!list || list->type != JsonValue::Type::List) return;
        for (const JsonValue& entry : list->list) {
            const JsonValue* s = &entry;
            if (s->type != JsonValue::Type::Map) continue;
            const JsonValue* text = s->get("subnet");
            KeaSubnet k;
            if (!text || text->type != JsonValue::Type::String || !parsePrefix(text->string, k.prefix, k.length)) {
                continue;
            }
            const JsonValue* iface = s->get("interface");
            k.interface = iface && iface->type == JsonValue::Type::String ? iface->string : inherited_interface;
            subnets.push_back(k);
        }
    };
    collect(dhcp6->get("subnet6"), "");
    if (const JsonValue* shared = dhcp6->get("shared-networks"); shared && shared->type == JsonValue::Type::List) {
        for (const JsonValue& entry : shared->list) {
            const JsonValue* n = &entry;
            if (n->type != JsonValue::Type::Map) continue;
            const JsonValue* iface = n->get("interface");
            collect(n->get("subnet6"), iface && iface->type == JsonValue::Type::String ? iface->string : "");
        }
    }
    std::set<std::string> kea_interfaces;
    bool kea_all_interfaces = false;
    if (const JsonValue* ic = dhcp6->get("interfaces-config"); ic && ic->type == JsonValue::Type::Map) {
        if (const JsonValue* l = ic->get("interfaces"); l && l->type == JsonValue::Type::List) {
            for (const JsonValue& entry : l->list) {
                const JsonValue* i = &entry;
                if (i->type != JsonValue::Type::String) continue;
                const std::string name = i->string.substr(0, i->string.find('/'));
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
