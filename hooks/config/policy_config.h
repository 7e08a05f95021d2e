// Reads the hook's JSON parameters and the "netboot" maps of subnet and host
// user-contexts into a BootPolicy. Uses only Kea's JSON library (libkea-cc),
// so the same code validates inside kea-dhcp4/6 and in the offline checker.
#pragma once

#include "core/policy.h"

#include <cc/data.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace netboot {

// A configuration error; what() starts with the path of the offending field,
// e.g. "parameters.tftp-boot-files.efi-x64: must be a string, not an integer".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A database that holds the site's run-time assignments for every Kea
// daemon and HA peer, with Kea's own connection settings (the keys of its
// "lease-database"), as the strings Kea's database library takes.
struct AssignmentDatabase {
    std::map<std::string, std::string> parameters;
    // "postgresql user@host:port/name", never the password: for logs and status.
    std::string describe() const;
};

// Everything the hook's "parameters" map configures.
struct HookConfig {
    BootPolicy policy;
    // Where run-time assignments persist (under Kea's state directory by
    // default); unused when `database` is set.
    std::string stateFile;
    std::optional<AssignmentDatabase> database;
};

// `path` names `params` in messages ("parameters" for the hook's own).
HookConfig parseHookConfig(const isc::data::ConstElementPtr& params, IpFamily family,
                           const std::string& path = "parameters");

inline BootPolicy parseHookParameters(const isc::data::ConstElementPtr& params, IpFamily family,
                                      const std::string& path = "parameters") {
    return parseHookConfig(params, family, path).policy;
}

// The state file when "state-file" is not set. Debian's AppArmor profile for
// kea-dhcp4 (Debian 12 and 13 alike) lets it write only
// `owner /var/lib/kea/kea-leases4.csv* rw` under /var/lib/kea (kea-dhcp6:
// kea-leases6.csv*), and Debian 12's profile has no local/ include a package
// could add a rule to. So the default is named to fall under that pattern:
// /var/lib/kea/kea-leases4.csv.netboot-assignments.json (…leases6… for v6).
// tests/apparmor checks it, and the temporary file next to it, against the
// profile installed on the machine.
std::string defaultStateFile(IpFamily family);

// The default of releases before the AppArmor fix,
// /var/lib/kea/kea-netboot-assignments{4,6}.json: read once when the new
// default does not exist yet (see readStateFile), removed on purge.
std::string legacyDefaultStateFile(IpFamily family);

// The file readStateFile reads when `path` is absent: the old default for
// the new one, else empty (a state file the operator set is not migrated).
std::string stateMigrationSource(const std::string& path);

// A user-context "netboot" map of a subnet or host reservation.
PolicyLayer parseOverride(const isc::data::ConstElementPtr& netboot, IpFamily family,
                          const std::string& path);

}  // namespace netboot
