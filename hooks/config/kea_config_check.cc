#include "kea_config_check.h"

#include "policy_config.h"

namespace netboot {

using isc::data::ConstElementPtr;
using isc::data::Element;

namespace {

const char* const kLibraryName = "libdhcp_netboot.so";

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ConstElementPtr listAt(const ConstElementPtr& map, const std::string& key) {
    ConstElementPtr e = map->get(key);
    return e && e->getType() == Element::list ? e : ConstElementPtr();
}

void checkOverride(const ConstElementPtr& owner, IpFamily family, const std::string& path, ConfigCheck& check) {
    if (!owner || owner->getType() != Element::map) return;
    ConstElementPtr context = owner->get("user-context");
    if (!context || context->getType() != Element::map || !context->contains("netboot")) return;
    try {
        parseOverride(context->get("netboot"), family, path + ".user-context.netboot");
    } catch (const ConfigError& e) {
        check.errors.push_back(e.what());
    }
}

void checkReservations(const ConstElementPtr& owner, IpFamily family, const std::string& path,
                       ConfigCheck& check) {
    if (ConstElementPtr hosts = listAt(owner, "reservations")) {
        for (size_t i = 0; i < hosts->size(); ++i) {
            checkOverride(hosts->get(i), family, path + ".reservations[" + std::to_string(i) + "]", check);
        }
    }
}

void checkSubnets(const ConstElementPtr& owner, const std::string& key, IpFamily family, const std::string& path,
                  ConfigCheck& check) {
    ConstElementPtr subnets = listAt(owner, key);
    if (!subnets) return;
    for (size_t i = 0; i < subnets->size(); ++i) {
        const std::string at = path + "." + key + "[" + std::to_string(i) + "]";
        checkOverride(subnets->get(i), family, at, check);
        if (subnets->get(i)->getType() == Element::map) checkReservations(subnets->get(i), family, at, check);
    }
}

}  // namespace

ConfigCheck checkKeaConfig(const ConstElementPtr& root) {
    ConfigCheck check;
    if (!root || root->getType() != Element::map || (!root->contains("Dhcp4") && !root->contains("Dhcp6"))) {
        check.errors.push_back("(top level): not a kea-dhcp4 or kea-dhcp6 configuration (no Dhcp4 or Dhcp6 map)");
        return check;
    }
    const bool v4 = root->contains("Dhcp4");
    const IpFamily family = v4 ? IpFamily::v4 : IpFamily::v6;
    const std::string top = v4 ? "Dhcp4" : "Dhcp6";
    ConstElementPtr server = root->get(top);
    if (server->getType() != Element::map) {
        check.errors.push_back(top + ": must be a map");
        return check;
    }

    bool found = false;
    bool bootpBefore = false;
    if (ConstElementPtr libraries = listAt(server, "hooks-libraries")) {
        for (size_t i = 0; i < libraries->size(); ++i) {
            ConstElementPtr library = libraries->get(i);
            if (library->getType() != Element::map || !library->contains("library")) continue;
            ConstElementPtr name = library->get("library");
            if (name->getType() != Element::string) continue;
            if (endsWith(name->stringValue(), "libdhcp_bootp.so")) bootpBefore = !found;
            if (!endsWith(name->stringValue(), kLibraryName)) continue;
            if (found) {
                check.errors.push_back(top + ".hooks-libraries[" + std::to_string(i) + "]: " + kLibraryName +
                                       " is loaded twice");
            }
            found = true;
            if (bootpBefore) {
                check.warnings.push_back(top + ".hooks-libraries[" + std::to_string(i) +
                                         "]: list libdhcp_netboot.so before libdhcp_bootp.so, which packs BOOTP "
                                         "replies itself before later libraries can add boot files");
            }
            try {
                parseHookParameters(library->get("parameters"), family,
                                    top + ".hooks-libraries[" + std::to_string(i) + "].parameters");
            } catch (const ConfigError& e) {
                check.errors.push_back(e.what());
            }
        }
    }
    if (!found) {
        check.errors.push_back(top + ".hooks-libraries: no entry loads " + std::string(kLibraryName));
    }

    const std::string subnetKey = v4 ? "subnet4" : "subnet6";
    checkSubnets(server, subnetKey, family, top, check);
    checkReservations(server, family, top, check);
    if (ConstElementPtr networks = listAt(server, "shared-networks")) {
        for (size_t i = 0; i < networks->size(); ++i) {
            if (networks->get(i)->getType() != Element::map) continue;
            checkSubnets(networks->get(i), subnetKey, family,
                         top + ".shared-networks[" + std::to_string(i) + "]", check);
        }
    }
    return check;
}

}  // namespace netboot
