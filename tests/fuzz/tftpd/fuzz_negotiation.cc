// Fuzzes option negotiation from a raw request: the first 4 bytes pick the
// limits, the rest is an RRQ. Asserts the OACK rules: nothing the client did
// not ask for, values inside the limits, windows within the byte budget.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "protocol.h"

using namespace netboot::tftpd;

namespace {
void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) {
        return 0;
    }
    NegotiationLimits limits;
    limits.max_blksize = 8 + static_cast<uint32_t>((data[0] << 8 | data[1]) % (kMaxBlockSize - 7));
    limits.max_windowsize = 1 + data[2] % 128;
    limits.max_window_bytes = 512u << (data[3] % 12);
    const std::optional<uint64_t> file_size =
        (data[3] & 0x80) ? std::nullopt : std::optional<uint64_t>(static_cast<uint64_t>(data[0]) * 100003u);
    auto request = parse_request(data + 4, size - 4);
    auto* parsed = std::get_if<Request>(&request);
    if (!parsed) {
        return 0;
    }
    auto result = negotiate(parsed->options, file_size, limits);
    auto* negotiated = std::get_if<Negotiated>(&result);
    if (!negotiated) {
        check(std::get<ProtocolError>(result).code == ErrorCode::OptionNegotiationFailed);
        return 0;
    }
    check(negotiated->blksize >= kMinBlockSize && negotiated->blksize <= std::max(limits.max_blksize, kDefaultBlockSize));
    check(negotiated->windowsize >= 1 && negotiated->windowsize <= limits.max_windowsize);
    check(negotiated->windowsize == 1 ||
          uint64_t{negotiated->windowsize} * negotiated->blksize <= limits.max_window_bytes);
    check(negotiated->timeout_ms >= 1000 || negotiated->timeout_ms == limits.default_timeout_ms);
    for (const auto& acknowledged : negotiated->acknowledged) {
        check(std::any_of(parsed->options.begin(), parsed->options.end(),
                          [&](const RequestOption& asked) { return asked.name == acknowledged.name; }));
        check(!acknowledged.value.empty());
    }
    auto oack = make_option_ack(negotiated->acknowledged);
    check(oack.size() >= 2);
    return 0;
}
