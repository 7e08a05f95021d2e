// libFuzzer target over everything the hook reads as JSON from outside:
// its parameters, subnet/host user-contexts, command arguments (arriving
// over the control channel) and the state file. Each must either accept or
// throw ConfigError, never crash or throw anything else.
#include "config/assignment_json.h"
#include "config/json_comments.h"
#include "config/kea_config_check.h"
#include "config/policy_config.h"

#include <cstdlib>
#include <string>

using namespace netboot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    isc::data::ConstElementPtr json;
    try {
        json = isc::data::Element::fromJSON(stripJsonComments(text));
    } catch (const std::exception&) {
        return 0;  // not JSON: Kea's own parser refuses it before we see it
    }
    for (IpFamily family : {IpFamily::v4, IpFamily::v6}) {
        try {
            HookConfig config = parseHookConfig(json, family);
            try {
                parseSetArguments(json, config.policy, 1000);
            } catch (const ConfigError&) {
            }
        } catch (const ConfigError&) {
        }
        try {
            parseOverride(json, family, "x");
        } catch (const ConfigError&) {
        }
    }
    try {
        storeFromElement(json, "state");
    } catch (const ConfigError&) {
    }
    try {
        parseHostKeyArguments(json);
    } catch (const ConfigError&) {
    }
    checkKeaConfig(json);
    return 0;
}
