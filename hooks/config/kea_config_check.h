// Offline check of a whole kea-dhcp4/kea-dhcp6 configuration for what Kea's
// own `-t` cannot see: Kea never runs a hook's load() when testing, so the
// hook's parameters and the "netboot" user-contexts are checked here.
#pragma once

#include <cc/data.h>

#include <string>
#include <vector>

namespace netboot {

struct ConfigCheck {
    std::vector<std::string> errors;    // each starts with the field's path
    std::vector<std::string> warnings;
};

ConfigCheck checkKeaConfig(const isc::data::ConstElementPtr& root);

}  // namespace netboot
