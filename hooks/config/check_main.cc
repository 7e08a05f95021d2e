// netboot-check-config: the offline check of a Kea configuration's netboot
// settings (see --help).
#include "json_comments.h"
#include "kea_config_check.h"
#include "policy_config.h"
#include "kea/state_file.h"

#include <cc/data.h>

#include <cstring>
#include <iostream>

namespace {

const char* const kUsage =
    "Usage: netboot-check-config [-q] KEA-CONFIG.json\n"
    "       netboot-check-config --print-defaults\n"
    "\n"
    "Checks the parts of a kea-dhcp4 or kea-dhcp6 configuration that belong to\n"
    "libdhcp_netboot.so: the hook's \"parameters\" and every \"netboot\" map in a\n"
    "subnet's or host reservation's \"user-context\". Kea's own `kea-dhcp4 -t` does\n"
    "not run a hook's load(), so it accepts these even when the server would\n"
    "refuse them at start; run both before deploying a configuration.\n"
    "\n"
    "The file may contain comments, as Kea allows. Each problem is printed on one\n"
    "line, starting with the path of the field (for example\n"
    "Dhcp4.hooks-libraries[0].parameters.tftp-boot-files.efi-x64).\n"
    "\n"
    "  -q      print nothing when the configuration is valid\n"
    "  --print-defaults\n"
    "          print, as JSON, the hook's default state-file for kea-dhcp4 and\n"
    "          kea-dhcp6 and every file it writes or reads there by default,\n"
    "          with the access it needs (what an AppArmor profile must allow)\n"
    "  -h      this help\n"
    "\n"
    "Exit status: 0 valid (warnings may be printed), 1 invalid, 2 unreadable file\n"
    "or bad usage.\n";

using isc::data::Element;
using isc::data::ElementPtr;

ElementPtr access(const std::string& path, const char* mode, const char* why) {
    ElementPtr entry = Element::createMap();
    entry->set("path", Element::create(path));
    entry->set("access", Element::create(std::string(mode)));
    entry->set("why", Element::create(std::string(why)));
    return entry;
}

// The hook's defaults, from the functions the hook itself uses.
// "files": must be allowed or the hook cannot keep assignments;
// "best-effort": the hook goes on without them.
ElementPtr defaultsElement() {
    ElementPtr all = Element::createMap();
    for (const auto& [service, family] : {std::pair{"dhcp4", netboot::IpFamily::v4},
                                          std::pair{"dhcp6", netboot::IpFamily::v6}}) {
        const std::string state = netboot::defaultStateFile(family);
        ElementPtr files = Element::createList();
        files->add(access(state, "rw", "the state file: read at load, replaced by rename"));
        files->add(access(netboot::stateTempFile(state), "w", "written, fsynced and renamed onto the state file"));
        ElementPtr bestEffort = Element::createList();
        bestEffort->add(access(netboot::stateDirectory(state) + "/", "r",
                               "opened to fsync the directory after the rename; failure ignored"));
        const std::string migrateFrom = netboot::stateMigrationSource(state);
        if (!migrateFrom.empty()) {
            bestEffort->add(access(migrateFrom, "r",
                                   "the previous releases' default, read while the state file does not exist"));
        }
        ElementPtr one = Element::createMap();
        one->set("state-file", Element::create(state));
        one->set("files", files);
        one->set("best-effort", bestEffort);
        all->set(service, one);
    }
    return all;
}

}  // namespace

int main(int argc, char** argv) {
    bool quiet = false;
    const char* path = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help")) {
            std::cout << kUsage;
            return 0;
        }
        if (!std::strcmp(argv[i], "--print-defaults")) {
            if (argc != 2) {
                std::cerr << "netboot-check-config: --print-defaults takes no other argument\n" << kUsage;
                return 2;
            }
            isc::data::prettyPrint(defaultsElement(), std::cout);
            std::cout << "\n";
            return 0;
        }
        if (!std::strcmp(argv[i], "-q")) {
            quiet = true;
        } else if (!path && argv[i][0] != '-') {
            path = argv[i];
        } else {
            std::cerr << "netboot-check-config: unexpected argument '" << argv[i] << "'\n" << kUsage;
            return 2;
        }
    }
    if (!path) {
        std::cerr << kUsage;
        return 2;
    }
    isc::data::ConstElementPtr root;
    try {
        root = netboot::readKeaJsonFile(path);
    } catch (const std::exception& e) {
        std::cerr << path << ": cannot read: " << e.what() << "\n";
        return 2;
    }
    const netboot::ConfigCheck check = netboot::checkKeaConfig(root);
    for (const auto& warning : check.warnings) std::cerr << path << ": warning: " << warning << "\n";
    for (const auto& error : check.errors) std::cerr << path << ": error: " << error << "\n";
    if (!check.errors.empty()) return 1;
    if (!quiet) std::cout << path << ": netboot configuration OK\n";
    return 0;
}
