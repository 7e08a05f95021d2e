// radvd-lite's Kea-style JSON configuration: parsing, defaults, checks.
// Errors name the offending field by its path, e.g.
//   "radvd-lite.conf:12:9: RadvdLite.interfaces[0].prefixes[1].valid-lifetime: ..."
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "config_reader.h"
#include "ra.h"
#include "schedule.h"

namespace radvd_lite {

struct InterfaceConfig {
    std::string name;
    // A link that firmware PXE-boots from; turns M on by default and makes
    // -t warn about settings edk2 or iPXE trip on.
    bool netboot = true;
    ScheduleTiming timing;
    bool solicited_unicast = true;  // RFC 7772
    bool source_link_layer = true;
    // One final RA by default: stopping takes no MIN_DELAY_BETWEEN_RAS (3 s)
    // per extra RA, as service managers and restarts expect; up to
    // MAX_FINAL_RTR_ADVERTISEMENTS when configured (RFC 4861 6.2.5 "should").
    uint32_t final_advertisements = kDefaultFinalRtrAdvertisements;
    // Header fields and options; source_link_layer is filled at send time.
    Advertisement advert;
};

struct Config {
    std::vector<InterfaceConfig> interfaces;
};

using ConfigError = netboot::config::ConfigError;

// Parses JSON text (comments allowed). `origin` names the source in messages.
Config parseConfigText(const std::string& text, const std::string& origin = "<config>");
Config loadConfigFile(const std::string& path);

// Things a valid config may still get wrong on a netboot link.
std::vector<std::string> configWarnings(const Config& config);

// Compares the advertised prefixes with a Kea dhcp6 config file
// ("Dhcp6" -> "subnet6", also inside "shared-networks"). Throws ConfigError
// if the Kea file cannot be read or has no Dhcp6 section.
std::vector<std::string> keaCrossCheck(const Config& config, const std::string& kea_config_path);

bool parsePrefix(const std::string& text, Ipv6Address& prefix, uint8_t& length);
std::string formatAddress(const Ipv6Address& address);
std::string formatPrefix(const Ipv6Address& prefix, uint8_t length);

}  // namespace radvd_lite
