#include "config.h"

#include "config_reader.h"
#include "json.h"
#include "protocol.h"

#include <getopt.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace netboot::tftpd {

using netboot::json::JsonError;
using netboot::json::JsonValue;
using Type = JsonValue::Type;
using netboot::config::MapReader;

namespace {

const char* const kSection = "netboot-tftpd";

// A list of client networks ("192.0.2.0/24"), each refused by its index.
std::vector<ClientNetwork> client_networks(MapReader& reader, const std::string& key) {
    std::vector<ClientNetwork> networks;
    const auto& items = reader.list(key, false);
    for (size_t i = 0; i < items.size(); ++i) {
        const std::string item_field = reader.field(key) + "[" + std::to_string(i) + "]";
        if (items[i].type != Type::String) MapReader::fail(&items[i], item_field, "must be a string");
        try {
            networks.push_back(parse_client_network(items[i].string));
        } catch (const ConfigError& error) {
            MapReader::fail(&items[i], item_field, error.what());
        }
    }
    return networks;
}

std::optional<std::string> absolute_directory(MapReader& reader, const std::string& key) {
    std::optional<std::string> path = reader.optionalString(key);
    if (path && (path->empty() || (*path)[0] != '/')) {
        MapReader::fail(reader.take(key), reader.field(key), "must be an absolute directory path");
    }
    return path;
}

// Flag values arrive as text; turn them into the JSON type the field wants.
JsonValue flag_value(const std::string& field, const std::string& value) {
    static const std::set<std::string> integers = {"max-transfers", "max-blksize", "max-windowsize",
                                                   "max-window-bytes", "timeout-ms", "max-timeout-ms",
                                                   "retries", "netascii-max-bytes", "upload-max-bytes"};
    static const std::set<std::string> booleans = {"case-insensitive", "blksize-fits-mtu"};
    if (integers.count(field)) {
        char* end = nullptr;
        errno = 0;
        const long long number = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || errno != 0) {
            throw ConfigError("--" + field + ": expected an integer, got '" + value + "'");
        }
        JsonValue v;
        v.type = Type::Integer;
        v.integer = number;
        return v;
    }
    if (booleans.count(field)) {
        JsonValue v;
        v.type = Type::Boolean;
        if (value == "true" || value == "yes" || value == "1") {
            v.boolean = true;
            return v;
        }
        if (value == "false" || value == "no" || value == "0") {
            return v;
        }
        throw ConfigError("--" + field + ": expected true or false, got '" + value + "'");
    }
    JsonValue v;
    v.type = Type::String;
    v.string = value;
    return v;
}

Settings settings_from_section(const JsonValue& section) {
    if (section.type != Type::Map) {
        throw ConfigError(std::string(kSection) + ": expected a map (" + netboot::config::where(section) + ")");
    }
    MapReader r(&section, kSection);
    Settings settings;
    if (auto root = absolute_directory(r, "root")) settings.root = *root;
    if (r.has("listen")) {
        const auto& items = r.list("listen", true);
        if (items.empty()) MapReader::fail(r.take("listen"), r.field("listen"), "needs at least one address");
        for (size_t i = 0; i < items.size(); ++i) {
            const std::string item_field = r.field("listen") + "[" + std::to_string(i) + "]";
            if (items[i].type != Type::String) MapReader::fail(&items[i], item_field, "must be a string");
            try {
                settings.listen.push_back(parse_listen_address(items[i].string));
            } catch (const ConfigError& error) {
                MapReader::fail(&items[i], item_field, error.what());
            }
        }
    } else {
        settings.listen.push_back(parse_listen_address("[::]:69"));
    }
    settings.user = r.optionalString("user");
    if (settings.user && settings.user->empty()) {
        MapReader::fail(r.take("user"), r.field("user"), "must not be empty (leave it out to keep the starting user)");
    }
    auto u32 = [&r](const char* key, uint32_t fallback, int64_t low, int64_t high) {
        return static_cast<uint32_t>(r.integer(key, fallback, low, high));
    };
    auto u64 = [&r](const char* key, uint64_t fallback, int64_t low, int64_t high) {
        return static_cast<uint64_t>(r.integer(key, static_cast<int64_t>(fallback), low, high));
    };
    settings.max_transfers = u32("max-transfers", settings.max_transfers, 1, 100000);
    settings.max_blksize = u32("max-blksize", settings.max_blksize, kMinBlockSize, kMaxBlockSize);
    settings.blksize_fits_mtu = r.boolean("blksize-fits-mtu", settings.blksize_fits_mtu);
    settings.max_windowsize = u32("max-windowsize", settings.max_windowsize, 1, kMaxWindowSize);
    settings.max_window_bytes = u64("max-window-bytes", settings.max_window_bytes, 512, 64 << 20);
    settings.timeout_ms = u32("timeout-ms", settings.timeout_ms, 10, 255000);
    settings.max_timeout_ms = u32("max-timeout-ms", settings.max_timeout_ms, 10, 600000);
    settings.retries = u32("retries", settings.retries, 0, 100);
    settings.case_insensitive = r.boolean("case-insensitive", settings.case_insensitive);
    settings.netascii_max_bytes = u64("netascii-max-bytes", settings.netascii_max_bytes, 0, 1 << 30);
    settings.upload_directory = absolute_directory(r, "upload-directory");
    settings.upload_max_bytes = u64("upload-max-bytes", settings.upload_max_bytes, 1, int64_t{1} << 40);
    settings.allow = client_networks(r, "allow");
    const auto& rules = r.list("remap", false);
    for (size_t i = 0; i < rules.size(); ++i) {
        MapReader rule_reader(&rules[i], r.field("remap") + "[" + std::to_string(i) + "]");
        RemapRule rule;
        rule.pattern = rule_reader.string("match");
        try {
            rule.match = std::regex(rule.pattern, std::regex::ECMAScript);
        } catch (const std::regex_error& error) {
            MapReader::fail(rule_reader.take("match"), rule_reader.field("match"),
                            std::string("invalid regular expression: ") + error.what());
        }
        rule.replace = rule_reader.string("replace");
        rule.clients = client_networks(rule_reader, "clients");
        rule_reader.rejectUnknown();
        settings.remap.push_back(std::move(rule));
    }
    if (auto level = r.optionalString("log-level")) {
        if (*level == "debug") {
            settings.log_level = log::Level::Debug;
        } else if (*level == "info") {
            settings.log_level = log::Level::Info;
        } else if (*level == "warning") {
            settings.log_level = log::Level::Warn;
        } else if (*level == "error") {
            settings.log_level = log::Level::Error;
        } else {
            MapReader::fail(r.take("log-level"), r.field("log-level"), "expected debug, info, warning or error");
        }
    }
    r.rejectUnknown();
    if (settings.max_timeout_ms < settings.timeout_ms) {
        settings.max_timeout_ms = settings.timeout_ms;
    }
    return settings;
}

Settings settings_from_text(const std::string& json_text, const std::string& origin,
                            const std::vector<std::pair<std::string, std::string>>& overrides) {
    JsonValue top;
    top.type = Type::Map;
    if (!json_text.empty()) {
        try {
            // Kea's daemons accept //, /* */ and # comments anywhere; so does the reader.
            top = netboot::json::parseJson(json_text, origin);
        } catch (const JsonError& error) {
            throw ConfigError(std::string("invalid JSON at ") + error.what());
        }
    }
    if (top.type != Type::Map) {
        throw ConfigError(origin + ": expected a JSON map with a \"netboot-tftpd\" entry");
    }
    const JsonValue* existing = top.get(kSection);
    JsonValue section;
    section.type = Type::Map;
    if (existing) {
        section = *existing;
    }
    if (section.type == Type::Map) {
        for (const auto& [field, value] : overrides) {
            auto slot = std::find_if(section.map.begin(), section.map.end(),
                                     [&field = field](const auto& entry) { return entry.first == field; });
            if (field == "listen" || field == "allow") {
                // Repeatable flags collect into one list that replaces the file's.
                if (slot == section.map.end() || slot->second.line != 0 || slot->second.type != Type::List) {
                    JsonValue list;
                    list.type = Type::List;
                    if (slot == section.map.end()) {
                        section.map.emplace_back(field, list);
                        slot = section.map.end() - 1;
                    } else {
                        slot->second = list;
                    }
                }
                slot->second.list.push_back(flag_value(field, value));
            } else if (slot == section.map.end()) {
                section.map.emplace_back(field, flag_value(field, value));
            } else {
                slot->second = flag_value(field, value);
            }
        }
    }
    return settings_from_section(section);
}

}  // namespace

bool ClientNetwork::contains(const boost::asio::ip::address& client_in) const {
    boost::asio::ip::address client = client_in;
    if (client.is_v6() && client.to_v6().is_v4_mapped()) {
        client = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, client.to_v6());
    }
    if (client.is_v4() != network.is_v4()) {
        return false;
    }
    if (client.is_v4()) {
        const uint32_t mask = prefix_length == 0 ? 0 : ~uint32_t{0} << (32 - prefix_length);
        return (client.to_v4().to_uint() & mask) == (network.to_v4().to_uint() & mask);
    }
    const auto a = client.to_v6().to_bytes();
    const auto b = network.to_v6().to_bytes();
    unsigned bits = prefix_length;
    for (size_t i = 0; i < a.size() && bits > 0; ++i) {
        const unsigned take = std::min(bits, 8u);
        const uint8_t mask = static_cast<uint8_t>(0xFF00u >> take);
        if ((a[i] & mask) != (b[i] & mask)) {
            return false;
        }
        bits -= take;
    }
    return true;
}

ListenAddress parse_listen_address(const std::string& text) {
    ListenAddress listen;
    listen.text = text;
    std::string host = text;
    std::string port_text;
    bool has_port = false;
    if (!text.empty() && text[0] == '[') {
        const size_t close = text.find(']');
        if (close == std::string::npos) {
            throw ConfigError("'" + text + "': missing ']' after an IPv6 address");
        }
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                throw ConfigError("'" + text + "': expected ':port' after ']'");
            }
            port_text = text.substr(close + 2);
            has_port = true;
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const size_t colon = text.find(':');
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        has_port = true;
    }
    boost::system::error_code ec;
    listen.address = boost::asio::ip::make_address(host, ec);
    if (ec) {
        throw ConfigError("'" + text + "': not an IP address (write [v6]:port or v4:port)");
    }
    if (has_port) {
        char* end = nullptr;
        const long port = std::strtol(port_text.c_str(), &end, 10);
        if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
            throw ConfigError("'" + text + "': port must be 0..65535");
        }
        listen.port = static_cast<uint16_t>(port);
    }
    return listen;
}

ClientNetwork parse_client_network(const std::string& text) {
    ClientNetwork network;
    const size_t slash = text.find('/');
    boost::system::error_code ec;
    network.network = boost::asio::ip::make_address(text.substr(0, slash), ec);
    if (ec) {
        throw ConfigError("'" + text + "': expected an address or address/prefix");
    }
    const unsigned max_prefix = network.network.is_v4() ? 32 : 128;
    network.prefix_length = max_prefix;
    if (slash != std::string::npos) {
        const std::string prefix = text.substr(slash + 1);
        char* end = nullptr;
        const long length = std::strtol(prefix.c_str(), &end, 10);
        if (prefix.empty() || *end != '\0' || length < 0 || length > static_cast<long>(max_prefix)) {
            throw ConfigError("'" + text + "': prefix length must be 0.." + std::to_string(max_prefix));
        }
        network.prefix_length = static_cast<unsigned>(length);
    }
    return network;
}

std::string apply_remap(const std::vector<RemapRule>& rules, const std::string& path,
                        const boost::asio::ip::address& client_in) {
    boost::asio::ip::address client = client_in;
    if (client.is_v6() && client.to_v6().is_v4_mapped()) {
        client = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, client.to_v6());
    }
    for (const auto& rule : rules) {
        if (!rule.clients.empty() &&
            std::none_of(rule.clients.begin(), rule.clients.end(),
                         [&](const ClientNetwork& n) { return n.contains(client); })) {
            continue;
        }
        std::smatch match;
        if (!std::regex_search(path, match, rule.match)) {
            continue;
        }
        std::string format = rule.replace;
        const std::string client_text = client.to_string();
        for (size_t at = format.find("{client}"); at != std::string::npos; at = format.find("{client}", at)) {
            format.replace(at, 8, client_text);
            at += client_text.size();
        }
        return std::regex_replace(path, rule.match, format, std::regex_constants::format_first_only);
    }
    return path;
}

Settings parse_settings_text(const std::string& json_text, const std::string& origin,
                             const std::vector<std::pair<std::string, std::string>>& overrides) {
    return settings_from_text(json_text, origin, overrides);
}

Settings load_settings(const CommandLine& command_line) {
    std::string text;
    std::string origin = "command line";
    if (command_line.config_file) {
        std::ifstream input(*command_line.config_file);
        if (!input) {
            throw ConfigError(*command_line.config_file + ": cannot read: " + std::strerror(errno));
        }
        std::stringstream buffer;
        buffer << input.rdbuf();
        text = buffer.str();
        origin = *command_line.config_file;
    }
    return settings_from_text(text, origin, command_line.overrides);
}

CommandLine parse_command_line(int argc, char** argv) {
    enum { kFirstLongOnly = 256 };
    static const struct option options[] = {
        {"config", required_argument, nullptr, 'c'},
        {"test", no_argument, nullptr, 't'},
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},
        {"root", required_argument, nullptr, 'r'},
        {"listen", required_argument, nullptr, 'l'},
        {"user", required_argument, nullptr, 'u'},
        {"allow", required_argument, nullptr, 'a'},
        {"max-transfers", required_argument, nullptr, kFirstLongOnly + 0},
        {"max-blksize", required_argument, nullptr, kFirstLongOnly + 1},
        {"max-windowsize", required_argument, nullptr, kFirstLongOnly + 2},
        {"timeout-ms", required_argument, nullptr, kFirstLongOnly + 3},
        {"retries", required_argument, nullptr, kFirstLongOnly + 4},
        {"log-level", required_argument, nullptr, kFirstLongOnly + 5},
        {"case-insensitive", no_argument, nullptr, kFirstLongOnly + 6},
        {"max-window-bytes", required_argument, nullptr, kFirstLongOnly + 7},
        {"no-mtu-cap", no_argument, nullptr, kFirstLongOnly + 8},
        {"upload-dir", required_argument, nullptr, kFirstLongOnly + 9},
        {"upload-max-bytes", required_argument, nullptr, kFirstLongOnly + 10},
        {nullptr, 0, nullptr, 0},
    };
    static const char* const long_only_fields[] = {"max-transfers", "max-blksize", "max-windowsize",
                                                   "timeout-ms",    "retries",     "log-level",
                                                   "case-insensitive", "max-window-bytes", "blksize-fits-mtu"};
    CommandLine result;
    optind = 1;
    opterr = 0;
    int option_index = 0;
    while (true) {
        const int c = getopt_long(argc, argv, "c:thVr:l:u:a:d", options, &option_index);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'c': result.config_file = optarg; break;
        case 't': result.test_only = true; break;
        case 'h': result.help = true; break;
        case 'V': result.version = true; break;
        case 'r': result.overrides.emplace_back("root", optarg); break;
        case 'l': result.overrides.emplace_back("listen", optarg); break;
        case 'u': result.overrides.emplace_back("user", optarg); break;
        case 'a': result.overrides.emplace_back("allow", optarg); break;
        case 'd': result.overrides.emplace_back("log-level", "debug"); break;
        case kFirstLongOnly + 6: result.overrides.emplace_back("case-insensitive", "true"); break;
        case kFirstLongOnly + 8: result.overrides.emplace_back("blksize-fits-mtu", "false"); break;
        case kFirstLongOnly + 9: result.overrides.emplace_back("upload-directory", optarg); break;
        case kFirstLongOnly + 10: result.overrides.emplace_back("upload-max-bytes", optarg); break;
        case '?':
        case ':': {
            const char* bad = argv[optind - 1];
            throw ConfigError(std::string("unknown or incomplete option '") + (bad ? bad : "?") +
                              "' (see --help)");
        }
        default:
            if (c >= kFirstLongOnly && c <= kFirstLongOnly + 7) {
                result.overrides.emplace_back(long_only_fields[c - kFirstLongOnly], optarg);
            }
            break;
        }
    }
    if (optind < argc) {
        throw ConfigError(std::string("unexpected argument '") + argv[optind] + "' (see --help)");
    }
    return result;
}

const char* usage_text() {
    return R"(Usage: netboot-tftpd [-c FILE] [-t] [options]

A read-only TFTP server for network boot: RFC 1350 (octet, netascii),
RFC 2347 OACK, 2348 blksize, 2349 timeout/tsize, 7440 windowsize;
IPv4 and IPv6 in one process, one ephemeral socket per transfer.

  -c, --config FILE        Kea-style JSON config (comments allowed) with a
                           "netboot-tftpd" map; flags below override it
  -t, --test               check the configuration (and the root) and exit:
                           0 if valid, 1 with the offending field otherwise
  -r, --root DIR           serve files from DIR (default /srv/netboot)
  -l, --listen ADDR:PORT   listen address, repeatable; [v6]:port or v4:port.
                           Default [::]:69, which also takes IPv4 (dual-stack)
  -u, --user NAME          drop to this user after binding (needs root)
  -a, --allow NET          only serve clients in NET (addr/prefix), repeatable
      --max-transfers N    concurrent transfer cap (default 4096); beyond it
                           a request gets TFTP error 0 "server busy"
      --max-blksize N      largest blksize granted, 8..65464 (default 65464)
      --no-mtu-cap         do not lower blksize to fit the path MTU
      --max-windowsize N   largest windowsize granted (default 64)
      --max-window-bytes N cap on windowsize*blksize (default 1048576)
      --timeout-ms N       retransmission timeout when the client sets none
                           (default 1000); doubles per retry
      --retries N          retransmissions before giving up (default 5)
      --case-insensitive   retry a missing file name case-insensitively
      --upload-dir DIR     accept write requests, as new files in DIR only
                           (default: read-only, WRQ gets error 2)
      --upload-max-bytes N largest upload (default 67108864)
      --log-level LEVEL    debug, info, warning or error (default info)
  -d                       same as --log-level debug
  -h, --help               this text
  -V, --version            print the version

Signals: SIGHUP reloads the config file (root, limits, allow, remap;
listen addresses and user need a restart), SIGTERM/SIGINT stop cleanly,
SIGUSR1 logs the counters. Logs go to stderr, one line per transfer.
)";
}

}  // namespace netboot::tftpd
