#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config.h"

using namespace netboot::tftpd;
namespace ip = boost::asio::ip;

namespace {

std::string error_of(const std::string& json, const std::vector<std::pair<std::string, std::string>>& flags = {}) {
    try {
        parse_settings_text(json, "test.json", flags);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "no error";
}

CommandLine command_line(std::vector<std::string> args) {
    std::vector<char*> argv;
    args.insert(args.begin(), "netboot-tftpd");
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    return parse_command_line(static_cast<int>(args.size()), argv.data());
}

}  // namespace

TEST(tftpdConfig, DefaultsAreDualStackPort69) {
    Settings settings = parse_settings_text("", "none");
    EXPECT_EQ(settings.root, "/srv/netboot");
    ASSERT_EQ(settings.listen.size(), 1u);
    EXPECT_EQ(settings.listen[0].address, ip::make_address("::"));
    EXPECT_EQ(settings.listen[0].port, 69);
    EXPECT_EQ(settings.max_transfers, 4096u);  // a storm of 2000 machines fits (bench/storm)
}

TEST(tftpdConfig, ParsesAFullFileWithComments) {
    const std::string json = R"(
# a comment
{
  // C++ comment, "quoted"
  "netboot-tftpd": {
    /* a block
       comment */
    "root": "/srv/boot", // trailing
      # an indented hash comment, as Kea's daemons accept
    "comment": "not // a comment # nor this",
    "listen": ["192.0.2.1:69", "[2001:db8::1]:6969", "::"],
    "user": "tftp",
    "max-transfers": 50,
    "max-blksize": 1468,
    "max-windowsize": 16,
    "timeout-ms": 500,
    "retries": 3,
    "case-insensitive": true,
    "allow": ["192.0.2.0/24", "2001:db8::/32"],
    "remap": [ { "match": "^pxelinux\\.cfg/(.*)$", "replace": "bios/pxelinux.cfg/$1" } ],
    "log-level": "debug"
  }
}
)";
    Settings settings = parse_settings_text(json, "test.json");
    EXPECT_EQ(settings.root, "/srv/boot");
    ASSERT_EQ(settings.listen.size(), 3u);
    EXPECT_EQ(settings.listen[0].address, ip::make_address("192.0.2.1"));
    EXPECT_EQ(settings.listen[1].port, 6969);
    EXPECT_EQ(settings.listen[2].port, 69);
    EXPECT_EQ(settings.user, "tftp");
    EXPECT_EQ(settings.max_transfers, 50u);
    EXPECT_EQ(settings.max_blksize, 1468u);
    EXPECT_EQ(settings.max_windowsize, 16u);
    EXPECT_EQ(settings.timeout_ms, 500u);
    EXPECT_EQ(settings.retries, 3u);
    EXPECT_TRUE(settings.case_insensitive);
    ASSERT_EQ(settings.allow.size(), 2u);
    EXPECT_TRUE(settings.allow[0].contains(ip::make_address("192.0.2.77")));
    EXPECT_TRUE(settings.allow[0].contains(ip::make_address("::ffff:192.0.2.77")));
    EXPECT_FALSE(settings.allow[0].contains(ip::make_address("198.51.100.1")));
    EXPECT_TRUE(settings.allow[1].contains(ip::make_address("2001:db8:1::5")));
    EXPECT_FALSE(settings.allow[1].contains(ip::make_address("2001:db9::5")));
    EXPECT_EQ(settings.log_level, netboot::log::Level::Debug);
    EXPECT_EQ(apply_remap(settings.remap, "pxelinux.cfg/default", ip::make_address("192.0.2.5")),
              "bios/pxelinux.cfg/default");
    EXPECT_EQ(apply_remap(settings.remap, "ipxe.efi", ip::make_address("192.0.2.5")), "ipxe.efi");
}

TEST(tftpdConfig, ErrorsNameTheField) {
    auto wrap = [](const std::string& body) { return "{ \"netboot-tftpd\": { " + body + " } }"; };
    EXPECT_NE(error_of(wrap("\"max-blksize\": 7")).find("netboot-tftpd.max-blksize"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"max-blksize\": 7")).find("test.json:1:"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"max-blksize\": \"big\"")).find("netboot-tftpd.max-blksize"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"root\": \"relative\"")).find("netboot-tftpd.root"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"listen\": [\"nowhere\"]")).find("netboot-tftpd.listen[0]"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"listen\": [\"[::1]:70000\"]")).find("netboot-tftpd.listen[0]"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"allow\": [\"192.0.2.0/33\"]")).find("netboot-tftpd.allow[0]"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"remap\": [{\"match\": \"(\", \"replace\": \"x\"}]")).find("netboot-tftpd.remap[0].match"),
              std::string::npos);
    EXPECT_NE(error_of(wrap("\"remap\": [{\"match\": \"a\"}]")).find("netboot-tftpd.remap[0]"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"colour\": 1")).find("netboot-tftpd.colour: unknown field"), std::string::npos);
    EXPECT_NE(error_of(wrap("\"log-level\": \"loud\"")).find("netboot-tftpd.log-level"), std::string::npos);
    EXPECT_NE(error_of("{ \"netboot-tftpd\": [] }").find("netboot-tftpd: expected a map"), std::string::npos);
    EXPECT_NE(error_of("{ broken").find("invalid JSON"), std::string::npos);
    EXPECT_NE(error_of("", {{"max-windowsize", "0"}}).find("netboot-tftpd.max-windowsize"), std::string::npos);
    EXPECT_NE(error_of("", {{"max-windowsize", "0"}}).find("command line"), std::string::npos);
}

TEST(tftpdConfig, FlagsOverrideTheFile) {
    CommandLine line = command_line({"--root", "/tmp/x", "--listen", "127.0.0.1:6969", "--listen", "[::1]:6969",
                                     "--max-blksize", "1024", "-t", "--case-insensitive", "--no-mtu-cap"});
    EXPECT_TRUE(line.test_only);
    Settings settings = parse_settings_text(
        R"({ "netboot-tftpd": { "root": "/srv/a", "listen": ["[::]:69"], "retries": 9 } })", "f", line.overrides);
    EXPECT_EQ(settings.root, "/tmp/x");
    ASSERT_EQ(settings.listen.size(), 2u);
    EXPECT_EQ(settings.listen[0].port, 6969);
    EXPECT_EQ(settings.listen[1].address, ip::make_address("::1"));
    EXPECT_EQ(settings.max_blksize, 1024u);
    EXPECT_EQ(settings.retries, 9u);
    EXPECT_TRUE(settings.case_insensitive);
    EXPECT_FALSE(settings.blksize_fits_mtu);
}

TEST(tftpdConfig, RejectsUnknownFlags) {
    EXPECT_THROW(command_line({"--frobnicate"}), ConfigError);
    EXPECT_THROW(command_line({"stray"}), ConfigError);
    EXPECT_THROW(parse_settings_text("", "x", command_line({"--retries", "many"}).overrides), ConfigError);
}

TEST(tftpdConfig, RemapCanUseTheClientAddressAndFilterClients) {
    Settings settings = parse_settings_text(R"({ "netboot-tftpd": { "remap": [
        { "match": "^grub\\.cfg$", "replace": "hosts/{client}/grub.cfg", "clients": ["2001:db8::/32"] },
        { "match": "^grub\\.cfg$", "replace": "default/grub.cfg" } ] } })", "f");
    EXPECT_EQ(apply_remap(settings.remap, "grub.cfg", ip::make_address("2001:db8::7")), "hosts/2001:db8::7/grub.cfg");
    EXPECT_EQ(apply_remap(settings.remap, "grub.cfg", ip::make_address("::ffff:192.0.2.9")), "default/grub.cfg");
}
