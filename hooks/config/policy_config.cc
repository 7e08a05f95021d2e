#include "policy_config.h"

#include <arpa/inet.h>

#include <set>

namespace netboot {

using isc::data::ConstElementPtr;
using isc::data::Element;

namespace {

// Longest `file` field value a client reliably reads: 128 bytes, NUL-padded,
// so 127 leaves room for the terminator.
constexpr size_t kMaxV4FileLength = 127;

std::string typeName(const ConstElementPtr& e) {
    return Element::typeToName(static_cast<Element::types>(e->getType()));
}

[[noreturn]] void fail(const std::string& path, const std::string& message) {
    throw ConfigError(path + ": " + message);
}

std::string expectString(const ConstElementPtr& e, const std::string& path) {
    if (e->getType() != Element::string) {
        fail(path, "must be a string, not " + typeName(e));
    }
    return e->stringValue();
}

bool expectBool(const ConstElementPtr& e, const std::string& path) {
    if (e->getType() != Element::boolean) {
        fail(path, "must be true or false, not " + typeName(e));
    }
    return e->boolValue();
}

UrlTemplate expectTemplate(const ConstElementPtr& e, const std::string& path) {
    try {
        return UrlTemplate::parse(expectString(e, path));
    } catch (const std::invalid_argument& ex) {
        fail(path, ex.what());
    }
}

bool startsWith(const std::string& s, const char* prefix) {
    return s.rfind(prefix, 0) == 0;
}

std::string expectAddress(const ConstElementPtr& e, IpFamily family, const std::string& path) {
    const std::string text = expectString(e, path);
    unsigned char buf[16];
    const int af = family == IpFamily::v4 ? AF_INET : AF_INET6;
    if (inet_pton(af, text.c_str(), buf) != 1) {
        fail(path, "'" + text + "' is not an IPv" + (family == IpFamily::v4 ? "4" : "6") + " address");
    }
    return text;
}

std::map<std::string, UrlTemplate, std::less<>> expectBootFiles(const ConstElementPtr& e, bool http,
                                                                IpFamily family, const std::string& path) {
    if (e->getType() != Element::map) {
        fail(path, "must be a map of architecture family to boot file, not " + typeName(e));
    }
    std::map<std::string, UrlTemplate, std::less<>> files;
    for (const auto& [name, value] : e->mapValue()) {
        const std::string field = path + "." + name;
        if (!isKnownFamily(name)) {
            std::string known;
            std::set<std::string_view> seen;
            for (auto a = architecturesBegin(); a != architecturesEnd(); ++a) {
                if (seen.insert(a->family).second) {
                    known += (known.empty() ? "" : ", ") + std::string(a->family);
                }
            }
            fail(field, "unknown architecture family '" + name + "' (known: " + known + ")");
        }
        UrlTemplate file = expectTemplate(value, field);
        if (http) {
            if (file.isUrl() && !startsWith(file.text(), "http://") && !startsWith(file.text(), "https://")) {
                fail(field, "an HTTP boot file must be a path or an http:// or https:// URL");
            }
        } else {
            if (file.isUrl()) {
                fail(field, "a TFTP boot file is a path on the TFTP server, not a URL");
            }
            if (family == IpFamily::v4 && file.text().size() > kMaxV4FileLength) {
                fail(field, "longer than the " + std::to_string(kMaxV4FileLength) +
                                " characters the DHCPv4 file field holds");
            }
        }
        files.emplace(name, std::move(file));
    }
    return files;
}

UrlTemplate expectUrl(const ConstElementPtr& e, const std::string& path, bool allowTftp) {
    UrlTemplate url = expectTemplate(e, path);
    const std::string& text = url.text();
    if (!startsWith(text, "http://") && !startsWith(text, "https://") &&
        !(allowTftp && startsWith(text, "tftp://"))) {
        fail(path, std::string("must start with http:// or https://") + (allowTftp ? " or tftp://" : ""));
    }
    return url;
}

// Keys a layer may set; the hook's parameters accept the global settings too.
const std::set<std::string> kLayerKeys = {"enabled",       "server-address",  "tftp-boot-files",
                                          "http-boot-files", "http-base-url", "ipxe-script-url",
                                          "secure-boot",   "secure-boot-files"};
const std::set<std::string> kGlobalKeys = {"always-send-boot-options", "nul-terminate-boot-file",
                                           "respect-kea-boot-file", "profiles", "state-file",
                                           "assignment-database"};

// The connection keys of Kea's own "lease-database" that a PostgreSQL
// connection uses; anything else is more likely a typo than a setting.
const std::set<std::string> kDatabaseKeys = {"type",     "name",       "host",     "port",
                                             "user",     "password",   "connect-timeout",
                                             "tcp-user-timeout", "trust-anchor", "cert-file",
                                             "key-file", "cipher-list", "password-file"};

AssignmentDatabase parseAssignmentDatabase(const ConstElementPtr& map, const std::string& path) {
    if (map->getType() != Element::map) fail(path, "must be a map, not " + typeName(map));
    AssignmentDatabase database;
    for (const auto& [key, value] : map->mapValue()) {
        const std::string field = path + "." + key;
        if (!kDatabaseKeys.count(key)) {
            std::string known;
            for (const auto& k : kDatabaseKeys) known += (known.empty() ? "" : ", ") + k;
            fail(field, "unknown key (known: " + known + ")");
        }
        if (value->getType() == Element::integer) {
            if (value->intValue() < 0 || value->intValue() > 0xffffffffLL) fail(field, "out of range");
            database.parameters[key] = std::to_string(value->intValue());
        } else {
            database.parameters[key] = expectString(value, field);
        }
    }
    if (database.parameters["type"] != "postgresql") {
        fail(path + ".type", "must be \"postgresql\" (the database Kea's own library connects to)");
    }
    if (database.parameters["name"].empty()) fail(path + ".name", "the database's name is required");
    if (map->get("password-file")) {
        if (map->get("password")) fail(path + ".password-file", "set either it or password");
        const std::string& file = database.parameters["password-file"];
        if (file.empty() || file.front() != '/') {
            fail(path + ".password-file", "must be an absolute path (kea-dhcp reads it at every connection)");
        }
    }
    return database;
}

PolicyLayer parseLayer(const ConstElementPtr& map, IpFamily family, const std::string& path, bool global) {
    if (!map || map->getType() != Element::map) {
        fail(path, "must be a map, not " + (map ? typeName(map) : std::string("missing")));
    }
    PolicyLayer layer;
    for (const auto& [key, value] : map->mapValue()) {
        const std::string field = path + "." + key;
        if (!kLayerKeys.count(key) && !(global && kGlobalKeys.count(key))) {
            std::string known;
            for (const auto& k : kLayerKeys) known += (known.empty() ? "" : ", ") + k;
            if (global) for (const auto& k : kGlobalKeys) known += ", " + k;
            fail(field, "unknown parameter (known: " + known + ")");
        }
        if (key == "enabled") {
            layer.enabled = expectBool(value, field);
        } else if (key == "server-address") {
            layer.serverAddress = expectAddress(value, family, field);
        } else if (key == "tftp-boot-files") {
            layer.tftpBootFiles = expectBootFiles(value, false, family, field);
        } else if (key == "http-boot-files") {
            layer.httpBootFiles = expectBootFiles(value, true, family, field);
        } else if (key == "http-base-url") {
            layer.httpBaseUrl = expectUrl(value, field, false);
        } else if (key == "ipxe-script-url") {
            layer.ipxeScriptUrl = expectUrl(value, field, true);
        } else if (key == "secure-boot") {
            layer.secureBoot = expectBool(value, field);
        } else if (key == "secure-boot-files") {
            // A path, served by TFTP and (under http-base-url) by HTTP alike.
            layer.secureBootFiles = expectBootFiles(value, false, family, field);
        }
    }
    return layer;
}

}  // namespace

std::string defaultStateFile(IpFamily family) {
    // Inside AppArmor's `kea-leases4.csv*` without being Kea's: kea-lfc and
    // Kea's memfile back end touch only names they build from the lease file
    // by fixed suffixes (Memfile_LeaseMgr::appendSuffix: .1 .2 .output
    // .completed .pid; lease4-write/lease6-write: .bak<pid>, and .tmp<pid>
    // after 3.0; master's PIDLock: .pid.lock), and LFCController::fileRotate removes exactly the .2 and .1
    // files it was given, never a pattern or a directory listing (checked in
    // isc-projects/kea src/bin/lfc/lfc_controller.cc and
    // src/lib/dhcpsrv/memfile_lease_mgr.cc at Kea-2.2.0, Kea-2.6.3,
    // Kea-3.0.4 and master, August 2026). ".netboot-assignments.json" and its
    // ".tmp" collide with none of them.
    return family == IpFamily::v4 ? "/var/lib/kea/kea-leases4.csv.netboot-assignments.json"
                                  : "/var/lib/kea/kea-leases6.csv.netboot-assignments.json";
}

std::string legacyDefaultStateFile(IpFamily family) {
    return family == IpFamily::v4 ? "/var/lib/kea/kea-netboot-assignments4.json"
                                  : "/var/lib/kea/kea-netboot-assignments6.json";
}

std::string stateMigrationSource(const std::string& path) {
    for (IpFamily family : {IpFamily::v4, IpFamily::v6}) {
        if (path == defaultStateFile(family)) return legacyDefaultStateFile(family);
    }
    return {};
}

HookConfig parseHookConfig(const ConstElementPtr& params, IpFamily family, const std::string& path) {
    if (!params) {
        fail(path, "missing: the hook needs at least one boot file or an ipxe-script-url");
    }
    PolicyLayer defaults = parseLayer(params, family, path, true);
    GlobalSettings settings;
    if (auto e = params->get("always-send-boot-options")) {
        settings.alwaysSendBootOptions = expectBool(e, path + ".always-send-boot-options");
    }
    if (auto e = params->get("nul-terminate-boot-file")) {
        settings.nulTerminateBootFileOption = expectBool(e, path + ".nul-terminate-boot-file");
    }
    if (auto e = params->get("respect-kea-boot-file")) {
        settings.respectKeaBootFile = expectBool(e, path + ".respect-kea-boot-file");
    }
    if (defaults.tftpBootFiles.empty() && defaults.httpBootFiles.empty() && !defaults.ipxeScriptUrl) {
        fail(path, "sets no tftp-boot-files, http-boot-files or ipxe-script-url: the hook would answer nobody");
    }
    std::map<std::string, PolicyLayer, std::less<>> profiles;
    if (auto e = params->get("profiles")) {
        const std::string field = path + ".profiles";
        if (e->getType() != Element::map) {
            fail(field, "must be a map of profile name to settings, not " + typeName(e));
        }
        for (const auto& [name, layer] : e->mapValue()) {
            if (name == BootPolicy::kDefaultProfile) {
                fail(field + "." + name, "'default' is the hook's own settings and cannot be redefined");
            }
            if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos) {
                fail(field + "." + name, "profile names use a-z, 0-9, '-', '_' and '.'");
            }
            profiles.emplace(name, parseLayer(layer, family, field + "." + name, false));
        }
    }
    std::string stateFile = defaultStateFile(family);
    if (auto e = params->get("state-file")) {
        stateFile = expectString(e, path + ".state-file");
        if (stateFile.empty() || stateFile.front() != '/') {
            fail(path + ".state-file", "must be an absolute path (Debian's Kea may write only under /var/lib/kea)");
        }
    }
    std::optional<AssignmentDatabase> database;
    if (auto e = params->get("assignment-database")) {
        if (params->get("state-file")) {
            fail(path + ".assignment-database", "set either it or state-file: assignments live in one place");
        }
        database = parseAssignmentDatabase(e, path + ".assignment-database");
    }
    return HookConfig{BootPolicy(settings, std::move(defaults), std::move(profiles)), stateFile, database};
}

std::string AssignmentDatabase::describe() const {
    auto value = [this](const char* key, const char* otherwise) {
        auto found = parameters.find(key);
        return found == parameters.end() || found->second.empty() ? std::string(otherwise) : found->second;
    };
    return value("type", "postgresql") + " " + value("user", "(default user)") + "@" + value("host", "localhost") + ":" +
           value("port", "5432") + "/" + value("name", "");
}

PolicyLayer parseOverride(const ConstElementPtr& netboot, IpFamily family, const std::string& path) {
    return parseLayer(netboot, family, path, false);
}

}  // namespace netboot
