#include "messages.h"

#include <log/message_initializer.h>

namespace netboot {

extern const isc::log::MessageID NETBOOT_LOADED = "NETBOOT_LOADED";
extern const isc::log::MessageID NETBOOT_LOAD_FAILED = "NETBOOT_LOAD_FAILED";
extern const isc::log::MessageID NETBOOT_UNLOADED = "NETBOOT_UNLOADED";
extern const isc::log::MessageID NETBOOT_DECISION = "NETBOOT_DECISION";
extern const isc::log::MessageID NETBOOT_MALFORMED_OPTIONS = "NETBOOT_MALFORMED_OPTIONS";
extern const isc::log::MessageID NETBOOT_BAD_OVERRIDE = "NETBOOT_BAD_OVERRIDE";
extern const isc::log::MessageID NETBOOT_CALLOUT_ERROR = "NETBOOT_CALLOUT_ERROR";
extern const isc::log::MessageID NETBOOT_FILE_TOO_LONG = "NETBOOT_FILE_TOO_LONG";
extern const isc::log::MessageID NETBOOT_STATE_UNUSABLE = "NETBOOT_STATE_UNUSABLE";
extern const isc::log::MessageID NETBOOT_STATE_WRITE_FAILED = "NETBOOT_STATE_WRITE_FAILED";
extern const isc::log::MessageID NETBOOT_ASSIGNMENT_SET = "NETBOOT_ASSIGNMENT_SET";
extern const isc::log::MessageID NETBOOT_ASSIGNMENT_DELETED = "NETBOOT_ASSIGNMENT_DELETED";
extern const isc::log::MessageID NETBOOT_ASSIGNMENT_CONSUMED = "NETBOOT_ASSIGNMENT_CONSUMED";
extern const isc::log::MessageID NETBOOT_ASSIGNMENT_PROFILE_UNKNOWN = "NETBOOT_ASSIGNMENT_PROFILE_UNKNOWN";
extern const isc::log::MessageID NETBOOT_STATE_USABLE_AGAIN = "NETBOOT_STATE_USABLE_AGAIN";
extern const isc::log::MessageID NETBOOT_STATE_CHANGED = "NETBOOT_STATE_CHANGED";

namespace {

// ID, then its text; %N are the arguments in order.
const char* values[] = {
    // INFO at load: the effective configuration, one line.
    "NETBOOT_LOADED", "netboot hook loaded into %1: %2",
    // ERROR: the parameters are refused; Kea refuses the configuration.
    "NETBOOT_LOAD_FAILED", "netboot hook refused its configuration: %1",
    "NETBOOT_UNLOADED", "netboot hook unloaded",
    // DEBUG per answered packet: client, what it sent, what it got and why,
    // as one JSON object (docs/decision-events.md) for tools to read.
    "NETBOOT_DECISION", "%1",
    // WARN once per client: options that could not be read as sent.
    "NETBOOT_MALFORMED_OPTIONS", "%1: malformed netboot options ignored where unreadable: %2",
    // ERROR once per bad map: a subnet's or reservation's user-context is ignored.
    "NETBOOT_BAD_OVERRIDE", "ignoring netboot user-context of %1: %2",
    // ERROR: an unexpected failure; the packet is still answered by Kea.
    "NETBOOT_CALLOUT_ERROR", "%1: netboot %2 failed, Kea's answer left unchanged: %3",
    "NETBOOT_FILE_TOO_LONG", "%1: boot file '%2' does not fit the 128-byte file field; sent in option 67 only",
    // ERROR at load: assignments exist on disk but cannot be read; they are
    // neither used nor overwritten until the operator fixes the file.
    "NETBOOT_STATE_UNUSABLE", "run-time assignments disabled: %1",
    "NETBOOT_STATE_WRITE_FAILED", "could not save run-time assignments: %1",
    "NETBOOT_ASSIGNMENT_SET", "assignment set: %1 boots profile %2 (%3)",
    "NETBOOT_ASSIGNMENT_DELETED", "assignment deleted: %1",
    // INFO: a "once" assignment was used by a boot that reached iPXE's script.
    "NETBOOT_ASSIGNMENT_CONSUMED", "%1: one-time assignment of %2 to profile %3 used and removed",
    // WARN at load and whenever the file is read again: the assignment is
    // kept (the profile may come back with the next configuration) but not
    // used, so the machine is not silently given the default and the
    // assignment is not used up by it.
    "NETBOOT_ASSIGNMENT_PROFILE_UNKNOWN",
    "assignment of %1 names profile '%2', which is not configured: kept but not used until the profile "
    "returns (netboot-assignment-del removes it)",
    // INFO: the state file that made assignments read-only can be read
    // again (checked at every netboot-* command).
    "NETBOOT_STATE_USABLE_AGAIN", "state file %1 is usable again: %2 assignment(s) read, no longer read-only",
    // WARN: the state file is not what Kea last read or wrote (an edit, a
    // restore); what is on disk now wins over what Kea held.
    "NETBOOT_STATE_CHANGED", "state file %1 changed on disk since Kea last read or wrote it: read again, %2 assignment(s)",
    nullptr};

const isc::log::MessageInitializer initializer(values);

}  // namespace

}  // namespace netboot
