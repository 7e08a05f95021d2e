// JSON forms of run-time assignments: the arguments of the netboot-assignment-*
// commands and the persisted state file. Errors are ConfigErrors that name
// the offending field.
#pragma once

#include "config/policy_config.h"
#include "core/assignments.h"

#include <cc/data.h>

namespace netboot {

// Exactly one of "hw-address", "duid", "client-id".
HostKey parseHostKeyArguments(const isc::data::ConstElementPtr& args);

struct SetRequest {
    HostKey key;
    Assignment assignment;
};

// netboot-assignment-set: the key, "profile" (known to `policy`), optional
// "once" (bool) and "expires-in" (seconds from `now`, > 0).
SetRequest parseSetArguments(const isc::data::ConstElementPtr& args, const BootPolicy& policy, int64_t now);

isc::data::ElementPtr assignmentToElement(const HostKey& key, const Assignment& assignment);

// State file: {"version": 1, "assignments": [ ... ]}.
isc::data::ElementPtr storeToElement(const AssignmentStore& store);
AssignmentStore storeFromElement(const isc::data::ConstElementPtr& root, const std::string& path);

}  // namespace netboot
