// Log message IDs of libdhcp_netboot. Kea's message compiler is not packaged
// in Debian, so the table lives in messages.cc as the compiler would emit it.
#pragma once

#include <log/message_types.h>

namespace netboot {

extern const isc::log::MessageID NETBOOT_LOADED;
extern const isc::log::MessageID NETBOOT_LOAD_FAILED;
extern const isc::log::MessageID NETBOOT_UNLOADED;
extern const isc::log::MessageID NETBOOT_DECISION;
extern const isc::log::MessageID NETBOOT_MALFORMED_OPTIONS;
extern const isc::log::MessageID NETBOOT_BAD_OVERRIDE;
extern const isc::log::MessageID NETBOOT_CALLOUT_ERROR;
extern const isc::log::MessageID NETBOOT_FILE_TOO_LONG;
extern const isc::log::MessageID NETBOOT_STATE_UNUSABLE;
extern const isc::log::MessageID NETBOOT_STATE_WRITE_FAILED;
extern const isc::log::MessageID NETBOOT_ASSIGNMENT_SET;
extern const isc::log::MessageID NETBOOT_ASSIGNMENT_DELETED;
extern const isc::log::MessageID NETBOOT_ASSIGNMENT_CONSUMED;
extern const isc::log::MessageID NETBOOT_ASSIGNMENT_PROFILE_UNKNOWN;
extern const isc::log::MessageID NETBOOT_STATE_USABLE_AGAIN;
extern const isc::log::MessageID NETBOOT_STATE_CHANGED;

}  // namespace netboot
