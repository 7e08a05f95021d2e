// Reads the hook's JSON parameters and the "netboot" maps of subnet and host
// user-contexts into a BootPolicy. Uses only Kea's JSON library (libkea-cc),
// so the same code validates inside kea-dhcp4/6 and in the offline checker.
#pragma once

#include "core/policy.h"

#include <cc/data.h>

#include <stdexcept>
#include <string>

namespace netboot {

// A configuration error; what() starts with the path of the offending field,
// e.g. "parameters.tftp-boot-files.efi-x64: must be a string, not an integer".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Everything the hook's "parameters" map configures.
struct HookConfig {
    BootPolicy policy;
    // Where run-time assignments persist (under Kea's state directory by default).
    std::string stateFile;
};

// `path` names `params` in messages ("parameters" for the hook's own).
HookConfig parseHookConfig(const isc::data::ConstElementPtr& params, IpFamily family,
                           const std::string& path = "parameters");

inline BootPolicy parseHookParameters(const isc::data::ConstElementPtr& params, IpFamily family,
                                      const std::string& path = "parameters") {
    return parseHookConfig(params, family, path).policy;
}

// Debian's Kea state directory, the one its AppArmor profile lets Kea write.
std::string defaultStateFile(IpFamily family);

// A user-context "netboot" map of a subnet or host reservation.
PolicyLayer parseOverride(const isc::data::ConstElementPtr& netboot, IpFamily family,
                          const std::string& path);

}  // namespace netboot
