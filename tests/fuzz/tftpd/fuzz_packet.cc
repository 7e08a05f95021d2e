// Fuzzes every parser of untrusted TFTP bytes: the request parser on the
// listening port, and the transfer state machine fed with arbitrary packets
// and timer expiries (the input is split into packets at 0xFF 0xFE markers).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "protocol.h"
#include "transfer.h"

using namespace netboot::tftpd;

namespace {

class PatternSource : public BlockSource {
public:
    size_t read_at(uint64_t offset, uint8_t* out, size_t length) override {
        for (size_t i = 0; i < length; ++i) {
            out[i] = static_cast<uint8_t>(offset + i);
        }
        return length;
    }
};

class CountingSink : public BlockSink {
public:
    bool write_at(uint64_t offset, const uint8_t*, size_t length) override {
        end = std::max<uint64_t>(end, offset + length);
        return true;
    }
    bool finish() override { return ++finishes == 1; }
    uint64_t end = 0;
    int finishes = 0;
};

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto request = parse_request(data, size);
    if (auto* parsed = std::get_if<Request>(&request)) {
        check(!parsed->filename.empty());
        for (size_t i = 0; i < parsed->options.size(); ++i) {
            for (size_t j = i + 1; j < parsed->options.size(); ++j) {
                check(parsed->options[i].name != parsed->options[j].name);
            }
        }
    }
    parse_transfer_packet(data, size);

    if (size < 3) {
        return 0;
    }
    TransferSettings settings;
    settings.blksize = 8 + data[0] % 64;
    settings.windowsize = 1 + data[1] % 9;
    settings.size = static_cast<uint64_t>(data[2]) * 37;
    settings.max_retries = 3;
    if (data[0] & 0x80) {
        settings.option_ack = {{"blksize", std::to_string(settings.blksize)}};
        settings.client_asked_tsize = true;
    }
    PatternSource source;
    ReadTransfer transfer(settings, source);
    std::vector<uint8_t> buffer(settings.blksize + 4);
    uint64_t highest_sent = 0;
    auto apply = [&](const Step& step) {
        for (uint64_t i = 0; i < step.block_count; ++i) {
            const uint64_t block = step.first_block + i;
            check(block >= 1 && block <= transfer.total_blocks());
            check(transfer.render_block(block, buffer.data()) <= buffer.size());
            highest_sent = std::max(highest_sent, block);
        }
        check(step.block_count <= settings.windowsize);
    };
    apply(transfer.start());
    size_t start = 3;
    for (size_t i = 3; i <= size && transfer.outcome() == Outcome::InProgress; ++i) {
        const bool end = i == size;
        if (end || (i + 1 < size && data[i] == 0xFF && data[i + 1] == 0xFE)) {
            if (i - start == 1 && data[start] == 'T') {
                apply(transfer.on_timeout());
            } else {
                apply(transfer.on_packet(data + start, i - start));
            }
            start = i + 2;
            ++i;
        }
    }
    check(transfer.bytes_acknowledged() <= settings.size);

    // The same packets against an upload.
    UploadSettings upload;
    upload.blksize = settings.blksize;
    upload.max_bytes = 1 + data[2] * 11u;
    upload.max_retries = 3;
    CountingSink sink;
    WriteTransfer write(upload, sink);
    write.start();
    start = 3;
    for (size_t i = 3; i <= size && write.outcome() == Outcome::InProgress; ++i) {
        if (i == size || (i + 1 < size && data[i] == 0xFF && data[i + 1] == 0xFE)) {
            const Step step = (i - start == 1 && data[start] == 'T') ? write.on_timeout()
                                                                      : write.on_packet(data + start, i - start);
            check(step.block_count == 0);
            start = i + 2;
            ++i;
        }
    }
    check(write.bytes_transferred() <= upload.max_bytes);
    check(sink.end == write.bytes_transferred());
    check(sink.finishes <= 1);
    return 0;
}
