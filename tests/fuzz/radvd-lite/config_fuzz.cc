// Fuzzes the configuration reader (JSON with comments, then the RadvdLite
// schema): any input must give a Config or a ConfigError, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const radvd_lite::Config config = radvd_lite::parseConfigText(text, "fuzz");
        radvd_lite::configWarnings(config);
    } catch (const radvd_lite::ConfigError&) {
    }
    return 0;
}
