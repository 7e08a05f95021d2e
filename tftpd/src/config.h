// netboot-tftpd settings: Kea-style JSON (comments allowed) under a
// "netboot-tftpd" map, optionally overridden by command-line flags. Every
// error names the offending field, e.g. "netboot-tftpd.max-blksize".
#pragma once

#include "config_reader.h"
#include "log.h"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace netboot::tftpd {

using ConfigError = netboot::config::ConfigError;

struct ListenAddress {
    boost::asio::ip::address address;
    uint16_t port = 69;
    std::string text;  // as written, for messages
};

struct ClientNetwork {
    boost::asio::ip::address network;
    unsigned prefix_length = 0;
    bool contains(const boost::asio::ip::address& client) const;
};

struct RemapRule {
    std::string pattern;
    std::regex match;
    std::string replace;                 // $1.. groups; {client} = client address
    std::vector<ClientNetwork> clients;  // empty: every client
};


struct Settings {
    std::string root = "/srv/netboot";
    std::vector<ListenAddress> listen;   // empty after parsing never: defaults to [::]:69 dual-stack
    std::optional<std::string> user;
    // A boot storm: bench/storm had 2000 machines, 1760 of them on TFTP at once,
    // refused at the old 1000 (edk2 gives up on "server busy"); tftpd peaked at 20 MiB RSS there.
    uint32_t max_transfers = 4096;
    uint32_t max_blksize = 65464;
    bool blksize_fits_mtu = true;
    uint32_t max_windowsize = 64;
    uint64_t max_window_bytes = 1u << 20;
    uint32_t timeout_ms = 1000;
    uint32_t max_timeout_ms = 16000;
    uint32_t retries = 5;
    bool case_insensitive = false;
    uint64_t netascii_max_bytes = 4u << 20;
    std::optional<std::string> upload_directory;  // WRQ refused unless set
    uint64_t upload_max_bytes = 64u << 20;
    std::vector<ClientNetwork> allow;    // empty: every client
    std::vector<RemapRule> remap;
    log::Level log_level = log::Level::Info;
};

struct CommandLine {
    std::optional<std::string> config_file;
    bool test_only = false;
    bool help = false;
    bool version = false;
    bool foreground_stats = false;
    // Flag values, keyed by the JSON field they override.
    std::vector<std::pair<std::string, std::string>> overrides;
};

// Throws ConfigError with a message meant for the operator.
CommandLine parse_command_line(int argc, char** argv);
Settings load_settings(const CommandLine& command_line);
// For tests and -t: the JSON text of a config file plus flag overrides.
Settings parse_settings_text(const std::string& json_text, const std::string& origin,
                             const std::vector<std::pair<std::string, std::string>>& overrides = {});

ListenAddress parse_listen_address(const std::string& text);
ClientNetwork parse_client_network(const std::string& text);
// Applies the first matching rule; returns the path unchanged if none match.
std::string apply_remap(const std::vector<RemapRule>& rules, const std::string& path,
                        const boost::asio::ip::address& client);

const char* usage_text();

}  // namespace netboot::tftpd
