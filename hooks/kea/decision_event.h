// The hook's decision as one machine-readable record, the same in the debug
// log (NETBOOT_DECISION) and in netboot-status's "recent" list. Tools and
// tests read these keys instead of the wording of a log line; the format and
// its versioning are described in docs/decision-events.md.
#pragma once

#include <cc/data.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netboot {

struct DecisionEvent {
    // Bumped only when a key is removed or changes meaning; new keys may be
    // added within a version.
    static constexpr int kVersion = 1;

    std::optional<int64_t> time;   // seconds since the epoch; netboot-status
    std::string_view family;       // "dhcp4" or "dhcp6"
    std::string packet;            // Kea's label of the query; log only
    std::string mac;               // "52:54:00:12:34:56"; empty when none was found
    std::string_view macSource;    // where the MAC came from
    std::string client;            // the MAC, or the client identifier / DUID without one
    std::string_view arch;         // architecture slug, "unassigned" or "none"
    std::string_view transport;    // "tftp" or "http"
    bool ipxe = false;
    std::optional<std::string> vendorClass;  // log only
    std::string_view answer;
    std::string bootFile;          // file (v4) or URL (v6) answered
    std::string_view why;          // log only
    std::string_view keaBootFileReplaced;  // log only: what was wrong with Kea's own
    std::string_view profile;      // "default" or the assigned profile
    std::string_view assignment;   // "once", "persistent" or empty
    std::string assignmentNotUsed; // an assignment kept but not used, and why
};

// One JSON object; keys whose value is empty or absent are left out.
isc::data::ElementPtr toElement(const DecisionEvent& event);

}  // namespace netboot
