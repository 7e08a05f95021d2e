// One read transfer as a pure state machine: packets and timer expiries go
// in, "send these packets / arm the timer for N ms / finished" comes out.
// No sockets or clocks inside, so every path (loss, duplicates, rollover,
// aborts) is unit tested without a network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol.h"

namespace netboot::tftpd {

// Where a transfer's bytes come from. read_at may return fewer bytes than
// asked only at end of data.
class BlockSource {
public:
    virtual ~BlockSource() = default;
    virtual size_t read_at(uint64_t offset, uint8_t* out, size_t length) = 0;
};

struct TransferSettings {
    uint32_t blksize = kDefaultBlockSize;
    uint32_t windowsize = 1;
    uint32_t timeout_ms = 1000;
    uint32_t max_timeout_ms = 16000;       // back-off ceiling
    uint32_t max_retries = 5;
    uint64_t size = 0;                      // bytes the client will receive
    bool client_asked_tsize = false;
    std::vector<RequestOption> option_ack;  // empty: no OACK, start with DATA 1
};

enum class Outcome {
    InProgress,
    Completed,
    TimedOut,
    ClientAborted,
    SizeProbeAborted,   // edk2: RRQ tsize=0, OACK, ERROR 8 -- a normal probe, not a failure
    SourceFailed,
};

const char* outcome_name(Outcome outcome);

// What the I/O layer must do after an event, in this order: send control
// (if any), send DATA blocks [first_block, first_block + block_count) rendered
// with render_block, then (re)arm the retransmission timer if timer_ms is set.
struct Step {
    const std::vector<uint8_t>* control = nullptr;
    uint64_t first_block = 0;
    uint64_t block_count = 0;
    std::optional<uint32_t> timer_ms;
    bool finished = false;
};

class ReadTransfer {
public:
    ReadTransfer(TransferSettings settings, BlockSource& source);

    Step start();
    Step on_packet(const uint8_t* data, size_t size);
    Step on_timeout();

    // Writes DATA for an absolute block (1-based; wire number wraps) into out,
    // which must hold blksize + 4 bytes. Returns the packet length.
    size_t render_block(uint64_t block, uint8_t* out);

    Outcome outcome() const { return outcome_; }
    const std::string& detail() const { return detail_; }
    uint64_t bytes_acknowledged() const;
    uint64_t total_blocks() const { return last_block_; }
    uint64_t retransmissions() const { return retransmissions_; }
    const TransferSettings& settings() const { return settings_; }

private:
    Step send_window_from(uint64_t first);
    Step finish(Outcome outcome, std::string detail);
    uint32_t current_timeout_ms() const;

    TransferSettings settings_;
    BlockSource& source_;
    std::vector<uint8_t> option_ack_packet_;
    bool awaiting_option_ack_ = false;
    uint64_t last_block_ = 0;     // the short (possibly empty) final block
    uint64_t acked_ = 0;          // every block <= acked_ is confirmed
    uint64_t sent_ = 0;           // highest block sent so far
    uint32_t retries_ = 0;
    uint64_t retransmissions_ = 0;
    Outcome outcome_ = Outcome::InProgress;
    std::string detail_;
};

}  // namespace netboot::tftpd
