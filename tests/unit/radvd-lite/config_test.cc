#include "config.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "json.h"

namespace radvd_lite {

using netboot::json::JsonError;
using netboot::json::JsonValue;
using netboot::json::parseJson;
namespace {

std::string wrap(const std::string& interface_body) {
    return "{ \"RadvdLite\": { \"interfaces\": [ {" + interface_body + "} ] } }";
}

std::string errorOf(const std::string& text) {
    try {
        parseConfigText(text, "test.conf");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

bool mentions(const std::vector<std::string>& lines, const std::string& needle) {
    for (const std::string& l : lines) {
        if (l.find(needle) != std::string::npos) return true;
    }
    return false;
}

TEST(RadvdLiteConfig, NetbootDefaults) {
    const Config c = parseConfigText(wrap(R"("name": "eth0",
        "prefixes": [{"prefix": "2001:db8:1::/64"}],
        "rdnss": [{"servers": ["2001:db8::53"]}],
        "dnssl": [{"domains": ["example.org"]}],
        "routes": [{"prefix": "2001:db8:2::/48"}])"));
    ASSERT_EQ(c.interfaces.size(), 1u);
    const InterfaceConfig& i = c.interfaces[0];
    EXPECT_EQ(i.name, "eth0");
    EXPECT_TRUE(i.netboot);
    EXPECT_TRUE(i.advert.managed) << "edk2 IPv6 PXE needs stateful DHCPv6";
    EXPECT_TRUE(i.advert.other_config);
    EXPECT_EQ(i.timing.max_interval_ms, 600000);
    EXPECT_EQ(i.timing.min_interval_ms, 198000);
    EXPECT_EQ(i.advert.router_lifetime, 1800);
    EXPECT_EQ(i.advert.cur_hop_limit, 64);
    EXPECT_EQ(i.advert.reachable_time, 0u);
    EXPECT_EQ(i.advert.retrans_timer, 0u);
    EXPECT_FALSE(i.advert.mtu);
    EXPECT_TRUE(i.solicited_unicast);
    EXPECT_TRUE(i.source_link_layer);
    EXPECT_EQ(i.final_advertisements, 1u);  // prompt stop by default; up to 3 when configured
    ASSERT_EQ(i.advert.prefixes.size(), 1u);
    EXPECT_EQ(i.advert.prefixes[0].valid_lifetime, 86400u);
    EXPECT_EQ(i.advert.prefixes[0].preferred_lifetime, 14400u);
    EXPECT_TRUE(i.advert.prefixes[0].on_link);
    EXPECT_TRUE(i.advert.prefixes[0].autonomous);
    EXPECT_EQ(i.advert.rdnss.at(0).lifetime, 1800u) << "RFC 8106: 3 * MaxRtrAdvInterval";
    EXPECT_EQ(i.advert.dnssl.at(0).lifetime, 1800u);
    EXPECT_EQ(i.advert.routes.at(0).lifetime, 1800u);
    EXPECT_TRUE(configWarnings(c).empty());
}

TEST(RadvdLiteConfig, NonNetbootLinkDefaultsToSlaacOnly) {
    const Config c = parseConfigText(wrap(R"("name": "eth1", "netboot": false)"));
    EXPECT_FALSE(c.interfaces[0].advert.managed);
}

TEST(RadvdLiteConfig, ExplicitValuesAndComments) {
    const Config c = parseConfigText(R"(
        # hash comment
        { "RadvdLite": { /* block
            comment */ "interfaces": [ {
          "name": "eth0", // line comment
          "max-rtr-adv-interval": 4, "min-rtr-adv-interval": 3,
          "managed-flag": false, "other-config-flag": true,
          "cur-hop-limit": 32, "router-lifetime": 0, "reachable-time": 30000, "retrans-timer": 1000,
          "router-preference": "high", "link-mtu": 1500, "source-link-layer-address": false,
          "solicited-unicast": false, "final-advertisements": 1, "comment": "lab rack",
          "prefixes": [{"prefix": "2001:db8:1::1/64", "autonomous": false, "on-link": true,
                        "valid-lifetime": "infinity", "preferred-lifetime": 600}]
        } ] } })",
                                     "x");
    const InterfaceConfig& i = c.interfaces.at(0);
    EXPECT_EQ(i.timing.min_interval_ms, 3000);
    EXPECT_EQ(i.timing.max_interval_ms, 4000);
    EXPECT_FALSE(i.advert.managed);
    EXPECT_EQ(i.advert.cur_hop_limit, 32);
    EXPECT_EQ(i.advert.router_lifetime, 0);
    EXPECT_EQ(i.advert.reachable_time, 30000u);
    EXPECT_EQ(i.advert.preference, RouterPreference::High);
    EXPECT_EQ(i.advert.mtu, 1500u);
    EXPECT_FALSE(i.source_link_layer);
    EXPECT_FALSE(i.solicited_unicast);
    EXPECT_EQ(i.final_advertisements, 1u);
    EXPECT_EQ(i.advert.prefixes.at(0).valid_lifetime, 0xffffffffu);
    EXPECT_EQ(formatPrefix(i.advert.prefixes[0].prefix, 64), "2001:db8:1::/64") << "host bits cleared";
    const auto warnings = configWarnings(c);
    EXPECT_TRUE(mentions(warnings, "managed-flag false")) << "M=0 on a netboot link must warn";
    EXPECT_TRUE(mentions(warnings, "router-lifetime 0"));
}

TEST(RadvdLiteConfig, ErrorsNameTheField) {
    struct Case {
        std::string body;
        std::string field;
    };
    const Case cases[] = {
        {R"("name": "eth0", "max-rtr-adv-interval": 2)", "RadvdLite.interfaces[0].max-rtr-adv-interval"},
        {R"("name": "eth0", "max-rtr-adv-interval": 10, "min-rtr-adv-interval": 9)",
         "RadvdLite.interfaces[0].min-rtr-adv-interval"},
        {R"("name": "eth0", "router-lifetime": 100)", "RadvdLite.interfaces[0].router-lifetime"},
        {R"("name": "eth0", "router-lifetime": 9001)", "RadvdLite.interfaces[0].router-lifetime"},
        {R"("name": "eth0", "cur-hop-limit": 256)", "RadvdLite.interfaces[0].cur-hop-limit"},
        {R"("name": "eth0", "link-mtu": 1000)", "RadvdLite.interfaces[0].link-mtu"},
        {R"("name": "eth0", "router-preference": "highest")", "RadvdLite.interfaces[0].router-preference"},
        {R"("name": "eth0", "managed-flag": "yes")", "RadvdLite.interfaces[0].managed-flag"},
        {R"("name": "eth0", "manged-flag": true)", "RadvdLite.interfaces[0].manged-flag: unknown field"},
        {R"("name": "eth0", "prefixes": [{"prefix": "2001:db8::/129"}])", "RadvdLite.interfaces[0].prefixes[0].prefix"},
        {R"("name": "eth0", "prefixes": [{"prefix": "2001:db8::/64"}, {"prefix": "2001:db8:1::/64",
            "valid-lifetime": 100, "preferred-lifetime": 200}])",
         "RadvdLite.interfaces[0].prefixes[1].preferred-lifetime"},
        {R"("name": "eth0", "rdnss": [{"servers": []}])", "RadvdLite.interfaces[0].rdnss[0].servers"},
        {R"("name": "eth0", "rdnss": [{"servers": ["2001:db8::53", "dns.example"]}])",
         "RadvdLite.interfaces[0].rdnss[0].servers[1]"},
        {R"("name": "eth0", "dnssl": [{"domains": ["a..b"]}])", "RadvdLite.interfaces[0].dnssl[0].domains[0]"},
        {R"("name": "eth0", "routes": [{"prefix": "2001:db8::/48", "lifetime": -1}])",
         "RadvdLite.interfaces[0].routes[0].lifetime"},
        {R"("max-rtr-adv-interval": 10)", "RadvdLite.interfaces[0].name: is required"},
        {R"("name": "an-interface-name-too-long")", "RadvdLite.interfaces[0].name"},
        {R"("name": "eth0", "final-advertisements": 4)", "RadvdLite.interfaces[0].final-advertisements"},
    };
    for (const Case& c : cases) {
        const std::string error = errorOf(wrap(c.body));
        EXPECT_NE(error.find(c.field), std::string::npos) << c.body << "\n -> " << error;
        EXPECT_EQ(error.rfind("test.conf:", 0), 0u) << error;
    }
}

TEST(RadvdLiteConfig, StructuralErrors) {
    EXPECT_NE(errorOf("{}").find("RadvdLite: is required"), std::string::npos);
    EXPECT_NE(errorOf(R"({"RadvdLite": {"interfaces": []}})").find("RadvdLite.interfaces"), std::string::npos);
    EXPECT_NE(errorOf(R"({"RadvdLite": {"interfaces": [{"name": "a"}, {"name": "a"}]}})")
                  .find("RadvdLite.interfaces[1].name"),
              std::string::npos);
    EXPECT_NE(errorOf(R"({"RadvdLite": {"interfaces": [{"name": "a"}], "debug": 1}})").find("RadvdLite.debug"),
              std::string::npos);
    const std::string syntax = errorOf("{\n \"RadvdLite\": {\n  \"interfaces\": [ ,");
    EXPECT_EQ(syntax.rfind("test.conf:3:", 0), 0u) << syntax;
}

TEST(RadvdLiteConfig, ErrorCarriesLineAndColumnOfTheValue) {
    const std::string error = errorOf("{\"RadvdLite\": {\"interfaces\": [{\n\"name\": \"eth0\",\n\"cur-hop-limit\": 999}]}}");
    EXPECT_EQ(error.rfind("test.conf:3:18: RadvdLite.interfaces[0].cur-hop-limit", 0), 0u) << error;
}

TEST(RadvdLiteConfig, WarnsAboutNonSlaacAutonomousPrefix) {
    const Config c = parseConfigText(wrap(R"("name": "eth0", "prefixes": [{"prefix": "2001:db8::/56"}])"));
    EXPECT_TRUE(mentions(configWarnings(c), "not a /64"));
}

class RadvdLiteKeaCrossCheck : public ::testing::Test {
protected:
    // ctest runs each test as its own process, in parallel: the name must be
    // unique across processes, not only within this one.
    std::string writeKea(const std::string& text) {
        std::string pattern = ::testing::TempDir() + "radvd-lite-kea-XXXXXX";
        const int fd = ::mkstemp(pattern.data());
        EXPECT_GE(fd, 0) << pattern;
        if (fd >= 0) ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
        return path_;
    }
    void TearDown() override {
        if (!path_.empty()) std::remove(path_.c_str());
    }
    std::string path_;
};

TEST_F(RadvdLiteKeaCrossCheck, MatchingSubnetGivesNoWarning) {
    const Config c = parseConfigText(wrap(R"("name": "eth0", "prefixes": [{"prefix": "2001:db8:1::/64"}])"));
    const std::string kea = writeKea(R"(// kea
        { "Dhcp6": { "interfaces-config": { "interfaces": ["eth0"] },
          "subnet6": [ { "subnet": "2001:db8:1::/64", "interface": "eth0",
                         "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ] } ] } })");
    EXPECT_TRUE(keaCrossCheck(c, kea).empty());
}

TEST_F(RadvdLiteKeaCrossCheck, ReportsEveryMismatch) {
    const Config c = parseConfigText(wrap(R"("name": "eth0", "prefixes": [{"prefix": "2001:db8:9::/64"},
                                               {"prefix": "2001:db8:2::/64"}])"));
    const std::string kea = writeKea(R"({ "Dhcp6": { "interfaces-config": { "interfaces": ["eth1"] },
          "subnet6": [ { "subnet": "2001:db8:1::/64", "interface": "eth0" } ],
          "shared-networks": [ { "interface": "eth1",
                                 "subnet6": [ { "subnet": "2001:db8:2::/64" } ] } ] } })");
    const auto warnings = keaCrossCheck(c, kea);
    EXPECT_TRUE(mentions(warnings, "2001:db8:9::/64 matches no Dhcp6.subnet6")) << warnings.size();
    EXPECT_TRUE(mentions(warnings, "2001:db8:2::/64 belongs to Kea subnet 2001:db8:2::/64 on interface eth1"));
    EXPECT_TRUE(mentions(warnings, "Kea subnet 2001:db8:1::/64 on this interface is not advertised"));
    EXPECT_TRUE(mentions(warnings, "kea-dhcp6 does not listen on eth0"));
}

TEST_F(RadvdLiteKeaCrossCheck, RejectsFileWithoutDhcp6) {
    const Config c = parseConfigText(wrap(R"("name": "eth0")"));
    EXPECT_THROW(keaCrossCheck(c, writeKea(R"({"Dhcp4": {}})")), ConfigError);
    EXPECT_THROW(keaCrossCheck(c, "/nonexistent/kea.json"), ConfigError);
}

TEST(RadvdLiteJson, ParsesValuesEscapesAndPositions) {
    const JsonValue v = parseJson("{\"a\": [1, -2.5e1, true, null, \"x\\u00e9\\n\"],\n \"b\": {}}", "f");
    ASSERT_EQ(v.type, JsonValue::Type::Map);
    const JsonValue* a = v.get("a");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->list.size(), 5u);
    EXPECT_EQ(a->list[0].integer, 1);
    EXPECT_DOUBLE_EQ(a->list[1].real, -25.0);
    EXPECT_TRUE(a->list[2].boolean);
    EXPECT_EQ(a->list[3].type, JsonValue::Type::Null);
    EXPECT_EQ(a->list[4].string, "x\xc3\xa9\n");
    EXPECT_EQ(v.get("b")->where(), "f:2:7");
}

TEST(RadvdLiteJson, RejectsMalformedInput) {
    for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1, \"a\": 2}", "\"abc", "01x", "-", "tru",
                            "/* open", "{\"a\": \"\\q\"}", "1 2", "99999999999999999999"}) {
        EXPECT_THROW(parseJson(bad, "f"), JsonError) << bad;
    }
    EXPECT_THROW(parseJson(std::string(100, '[') + std::string(100, ']'), "f"), JsonError);
}

}  // namespace
}  // namespace radvd_lite
