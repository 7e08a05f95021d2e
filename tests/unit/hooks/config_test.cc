// Parameter parsing: every error names its field; the offline checker walks
// a whole Kea configuration; Kea-style comments are understood.
#include "config/json_comments.h"
#include "config/kea_config_check.h"
#include "config/policy_config.h"

#include <gtest/gtest.h>

using namespace netboot;
using isc::data::Element;

namespace {

std::string errorOf(const std::string& json, IpFamily family = IpFamily::v4) {
    try {
        parseHookParameters(Element::fromJSON(json), family);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(HookParameters, ValidConfiguration) {
    BootPolicy p = parseHookParameters(Element::fromJSON(R"({
        "server-address": "192.0.2.1",
        "tftp-boot-files": {"bios": "undionly.kpxe", "efi-x64": "ipxe.efi"},
        "http-boot-files": {"efi-x64": "http://{server}/ipxe.efi"},
        "http-base-url": "http://{server}:8080/",
        "ipxe-script-url": "http://{server}/boot.ipxe",
        "always-send-boot-options": false, "nul-terminate-boot-file": false,
        "respect-kea-boot-file": false})"), IpFamily::v4);
    EXPECT_FALSE(p.settings().alwaysSendBootOptions);
    EXPECT_FALSE(p.settings().nulTerminateBootFileOption);
    EXPECT_FALSE(p.settings().respectKeaBootFile);
    EXPECT_EQ(p.defaults().tftpBootFiles.size(), 2u);
    EXPECT_EQ(*p.defaults().serverAddress, "192.0.2.1");
}

TEST(HookParameters, DefaultsAreSafe) {
    BootPolicy p = parseHookParameters(Element::fromJSON(R"({"tftp-boot-files": {"efi-x64": "ipxe.efi"}})"),
                                       IpFamily::v4);
    EXPECT_TRUE(p.settings().alwaysSendBootOptions);
    EXPECT_TRUE(p.settings().nulTerminateBootFileOption);
    EXPECT_TRUE(p.settings().respectKeaBootFile);
}

TEST(HookParameters, ErrorsNameTheField) {
    struct Case { const char* json; const char* expected; IpFamily family; };
    const Case cases[] = {
        {R"({})", "parameters: sets no tftp-boot-files", IpFamily::v4},
        {R"({"tftp-boot-file": {"efi-x64": "a"}})", "parameters.tftp-boot-file: unknown parameter", IpFamily::v4},
        {R"({"tftp-boot-files": {"efi-x65": "a"}})", "parameters.tftp-boot-files.efi-x65: unknown architecture family",
         IpFamily::v4},
        {R"({"tftp-boot-files": {"efi-x64": 7}})", "parameters.tftp-boot-files.efi-x64: must be a string, not integer",
         IpFamily::v4},
        {R"({"tftp-boot-files": ["ipxe.efi"]})", "parameters.tftp-boot-files: must be a map", IpFamily::v4},
        {R"({"tftp-boot-files": {"efi-x64": ""}})", "parameters.tftp-boot-files.efi-x64: must not be empty",
         IpFamily::v4},
        {R"({"tftp-boot-files": {"efi-x64": "tftp://x/ipxe.efi"}})", "parameters.tftp-boot-files.efi-x64: a TFTP boot file is a path",
         IpFamily::v4},
        {R"({"tftp-boot-files": {"efi-x64": "{file}"}})", "parameters.tftp-boot-files.efi-x64: unknown placeholder {file}",
         IpFamily::v4},
        {R"({"http-boot-files": {"efi-x64": "ftp://x/ipxe.efi"}})", "parameters.http-boot-files.efi-x64: an HTTP boot file",
         IpFamily::v4},
        {R"({"ipxe-script-url": "boot.ipxe"})", "parameters.ipxe-script-url: must start with http://", IpFamily::v4},
        {R"({"ipxe-script-url": "http://x/", "http-base-url": "tftp://x/"})", "parameters.http-base-url: must start with",
         IpFamily::v4},
        {R"({"ipxe-script-url": "http://x/", "server-address": "2001:db8::1"})",
         "parameters.server-address: '2001:db8::1' is not an IPv4 address", IpFamily::v4},
        {R"({"ipxe-script-url": "http://x/", "server-address": "192.0.2.1"})",
         "parameters.server-address: '192.0.2.1' is not an IPv6 address", IpFamily::v6},
        {R"({"ipxe-script-url": "http://x/", "enabled": "yes"})", "parameters.enabled: must be true or false",
         IpFamily::v4},
        {R"({"ipxe-script-url": "http://x/", "secure-boot": 1})", "parameters.secure-boot: must be true or false",
         IpFamily::v4},
        {R"({"ipxe-script-url": "http://x/", "secure-boot-files": {"efi-x64": "http://x/shimx64.efi"}})",
         "parameters.secure-boot-files.efi-x64: a TFTP boot file is a path", IpFamily::v4},
        {R"({"ipxe-script-url": "http://x/", "secure-boot-files": {"efi-x63": "shimx64.efi"}})",
         "parameters.secure-boot-files.efi-x63: unknown architecture family", IpFamily::v4},
        {R"({"ipxe-script-url": "http://x/", "always-send-boot-options": 1})",
         "parameters.always-send-boot-options: must be true or false", IpFamily::v4},
    };
    for (const auto& c : cases) {
        const std::string error = errorOf(c.json, c.family);
        EXPECT_EQ(error.rfind(c.expected, 0), 0u) << c.json << "\n got: " << error;
    }
    const std::string longName(128, 'a');
    EXPECT_NE(errorOf(R"({"tftp-boot-files": {"efi-x64": ")" + longName + R"("}})").find("127 characters"),
              std::string::npos);
}

TEST(HookParameters, AssignmentDatabaseTakesKeasConnectionKeys) {
    const HookConfig config = parseHookConfig(Element::fromJSON(R"({"ipxe-script-url": "http://x/",
        "assignment-database": {"type": "postgresql", "name": "kea", "host": "192.0.2.9", "port": 5433,
                                "user": "kea", "password-file": "/etc/kea/netboot-db-password"}})"),
                                              IpFamily::v6);
    ASSERT_TRUE(config.database);
    EXPECT_EQ(config.database->parameters.at("port"), "5433");
    EXPECT_EQ(config.database->parameters.at("password-file"), "/etc/kea/netboot-db-password");
    EXPECT_EQ(config.database->describe(), "postgresql kea@192.0.2.9:5433/kea");
    const HookConfig withPassword = parseHookConfig(Element::fromJSON(R"({"ipxe-script-url": "http://x/",
        "assignment-database": {"type": "postgresql", "name": "kea", "password": "s3cret"}})"), IpFamily::v4);
    EXPECT_EQ(withPassword.database->describe().find("s3cret"), std::string::npos);
    EXPECT_FALSE(parseHookConfig(Element::fromJSON(R"({"ipxe-script-url": "http://x/"})"), IpFamily::v4).database);

    struct Case { const char* database; const char* expected; };
    const Case cases[] = {
        {R"([])", "parameters.assignment-database: must be a map"},
        {R"({"type": "mysql", "name": "kea"})", "parameters.assignment-database.type: must be \"postgresql\""},
        {R"({"name": "kea"})", "parameters.assignment-database.type: must be \"postgresql\""},
        {R"({"type": "postgresql"})", "parameters.assignment-database.name: the database's name is required"},
        {R"({"type": "postgresql", "name": "kea", "hots": "x"})", "parameters.assignment-database.hots: unknown key"},
        {R"({"type": "postgresql", "name": "kea", "port": -1})", "parameters.assignment-database.port: out of range"},
        {R"({"type": "postgresql", "name": "kea", "user": true})",
         "parameters.assignment-database.user: must be a string, not boolean"},
        {R"({"type": "postgresql", "name": "kea", "password": "a", "password-file": "/a"})",
         "parameters.assignment-database.password-file: set either it or password"},
        {R"({"type": "postgresql", "name": "kea", "password-file": "a"})",
         "parameters.assignment-database.password-file: must be an absolute path"},
    };
    for (const auto& c : cases) {
        const std::string error =
            errorOf(std::string(R"({"ipxe-script-url": "http://x/", "assignment-database": )") + c.database + "}");
        EXPECT_EQ(error.rfind(c.expected, 0), 0u) << c.database << "\n got: " << error;
    }
    EXPECT_EQ(errorOf(R"({"ipxe-script-url": "http://x/", "state-file": "/var/lib/kea/a.json",
                          "assignment-database": {"type": "postgresql", "name": "kea"}})")
                  .rfind("parameters.assignment-database: set either it or state-file", 0),
              0u);
}

TEST(HookParameters, OverridesAcceptLayerKeysOnly) {
    EXPECT_NO_THROW(parseOverride(Element::fromJSON(R"({"enabled": false})"), IpFamily::v4, "subnet4[0]"));
    PolicyLayer sb = parseOverride(Element::fromJSON(R"({"secure-boot": true, "secure-boot-files": {"efi-x64": "p/shimx64.efi"}})"),
                                   IpFamily::v6, "subnet6[0]");
    EXPECT_TRUE(sb.secureBoot.value_or(false));
    EXPECT_EQ(sb.secureBootFiles.at("efi-x64").text(), "p/shimx64.efi");
    try {
        parseOverride(Element::fromJSON(R"({"always-send-boot-options": true})"), IpFamily::v4,
                      "Dhcp4.subnet4[0].user-context.netboot");
        FAIL() << "accepted a global-only key";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("Dhcp4.subnet4[0].user-context.netboot.always-send-boot-options", 0), 0u);
    }
}

TEST(JsonComments, StripsAllKindsOutsideStrings) {
    const std::string text = "{ // line\n \"a\": \"http://x/#y\", /* block\n */ # hash\n \"b\": 1 }";
    auto parsed = Element::fromJSON(stripJsonComments(text));
    EXPECT_EQ(parsed->get("a")->stringValue(), "http://x/#y");
    EXPECT_EQ(parsed->get("b")->intValue(), 1);
    EXPECT_EQ(stripJsonComments("\"a\\\"//b\""), "\"a\\\"//b\"");
}

TEST(KeaConfigCheck, FindsHookAndOverrideErrorsByPath) {
    auto config = Element::fromJSON(R"({"Dhcp4": {
        "hooks-libraries": [
            {"library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_bootp.so"},
            {"library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_netboot.so",
             "parameters": {"tftp-boot-files": {"efi-x64": "ipxe.efi"}}}],
        "subnet4": [
            {"subnet": "192.0.2.0/24", "user-context": {"netboot": {"server-address": "x"}},
             "reservations": [{"hw-address": "52:54:00:00:00:01",
                               "user-context": {"netboot": {"tftp-boot-files": {"nope": "a"}}}}]}],
        "shared-networks": [{"name": "n", "subnet4": [
            {"subnet": "198.51.100.0/24", "user-context": {"netboot": {"enabled": 0}}}]}],
        "reservations": [{"hw-address": "52:54:00:00:00:02", "user-context": {"netboot": {"bogus": 1}}}]
    }})");
    ConfigCheck check = checkKeaConfig(config);
    ASSERT_EQ(check.errors.size(), 4u);
    EXPECT_EQ(check.errors[0].rfind("Dhcp4.subnet4[0].user-context.netboot.server-address", 0), 0u) << check.errors[0];
    EXPECT_EQ(check.errors[1].rfind("Dhcp4.subnet4[0].reservations[0].user-context.netboot.tftp-boot-files.nope", 0), 0u)
        << check.errors[1];
    EXPECT_EQ(check.errors[2].rfind("Dhcp4.reservations[0].user-context.netboot.bogus", 0), 0u) << check.errors[2];
    EXPECT_EQ(check.errors[3].rfind("Dhcp4.shared-networks[0].subnet4[0].user-context.netboot.enabled", 0), 0u)
        << check.errors[3];
    ASSERT_EQ(check.warnings.size(), 1u);
    EXPECT_NE(check.warnings[0].find("before libdhcp_bootp.so"), std::string::npos);
}

TEST(KeaConfigCheck, MissingHookAndBadParameters) {
    ConfigCheck check = checkKeaConfig(Element::fromJSON(R"({"Dhcp6": {"subnet6": []}})"));
    ASSERT_EQ(check.errors.size(), 1u);
    EXPECT_EQ(check.errors[0], "Dhcp6.hooks-libraries: no entry loads libdhcp_netboot.so");
    check = checkKeaConfig(Element::fromJSON(
        R"({"Dhcp6": {"hooks-libraries": [{"library": "libdhcp_netboot.so", "parameters": {"server-address": "192.0.2.1", "ipxe-script-url": "http://x/"}}]}})"));
    ASSERT_EQ(check.errors.size(), 1u);
    EXPECT_EQ(check.errors[0].rfind("Dhcp6.hooks-libraries[0].parameters.server-address", 0), 0u);
    check = checkKeaConfig(Element::fromJSON(R"({"Control-agent": {}})"));
    EXPECT_EQ(check.errors.size(), 1u);
}
