#pragma once

#include "messages.h"

#include <log/log_dbglevels.h>
#include <log/logger.h>
#include <log/macros.h>

namespace netboot {

// Configured in Kea's "loggers" as "kea-dhcp4.netboot-hooks" / "kea-dhcp6.netboot-hooks".
extern isc::log::Logger netbootLogger;

// Per-packet decisions log at Kea's packet-handling debug level.
inline const int& kDebugDecision = isc::log::DBGLVL_PKT_HANDLING;

}  // namespace netboot
