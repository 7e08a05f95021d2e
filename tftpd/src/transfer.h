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

// Where an upload's bytes go. finish() is called once, after the last block.
class BlockSink {
public:
    virtual ~BlockSink() = default;
    virtual bool write_at(uint64_t offset, const uint8_t* data, size_t length) = 0;
    virtual bool finish() = 0;
};

enum class Outcome {
    InProgress,
    Completed,
    TimedOut,
    ClientAborted,
    SizeProbeAborted,   // edk2: RRQ tsize=0, OACK, ERROR 8 -- a normal probe, not a failure
    SourceFailed,
    TooLarge,           // upload beyond the configured size
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

// What the I/O layer drives: a read (download) or write (upload) transfer.
class Transfer {
public:
    virtual ~Transfer() = default;
    virtual Step start() = 0;
    virtual Step on_packet(const uint8_t* data, size_t size) = 0;
    virtual Step on_timeout() = 0;
    // Writes DATA for an absolute block (1-based; wire number wraps) into out,
    // which must hold blksize + 4 bytes. Returns the packet length.
    virtual size_t render_block(uint64_t block, uint8_t* out) = 0;
    virtual uint64_t total_blocks() const = 0;
    virtual uint64_t bytes_transferred() const = 0;
    virtual uint32_t blksize() const = 0;
    virtual uint32_t windowsize() const = 0;
    virtual bool is_upload() const = 0;

    Outcome outcome() const { return outcome_; }
    const std::string& detail() const { return detail_; }
    uint64_t retransmissions() const { return retransmissions_; }

protected:
    Step finish(Outcome outcome, std::string detail);

    Outcome outcome_ = Outcome::InProgress;
    std::string detail_;
    uint64_t retransmissions_ = 0;
};

class ReadTransfer : public Transfer {
public:
    ReadTransfer(TransferSettings settings, BlockSource& source);

    Step start() override;
    Step on_packet(const uint8_t* data, size_t size) override;
    Step on_timeout() override;
    size_t render_block(uint64_t block, uint8_t* out) override;
    uint64_t total_blocks() const override { return last_block_; }
    uint64_t bytes_transferred() const override { return bytes_acknowledged(); }
    uint32_t blksize() const override { return settings_.blksize; }
    uint32_t windowsize() const override { return settings_.windowsize; }
    bool is_upload() const override { return false; }

    uint64_t bytes_acknowledged() const;
    const TransferSettings& settings() const { return settings_; }

private:
    Step send_window_from(uint64_t first);
    uint32_t current_timeout_ms() const;

    TransferSettings settings_;
    BlockSource& source_;
    std::vector<uint8_t> option_ack_packet_;
    bool awaiting_option_ack_ = false;
    uint64_t last_block_ = 0;     // the short (possibly empty) final block
    uint64_t acked_ = 0;          // every block <= acked_ is confirmed
    uint64_t sent_ = 0;           // highest block sent so far
    uint32_t retries_ = 0;
};

struct UploadSettings {
    uint32_t blksize = kDefaultBlockSize;
    uint32_t timeout_ms = 1000;
    uint32_t max_timeout_ms = 16000;
    uint32_t max_retries = 5;
    uint64_t max_bytes = 64u << 20;
    std::vector<RequestOption> option_ack;  // empty: answer the WRQ with ACK 0
};

// A write request (upload): lock-step, one ACK per DATA. A repeated DATA
// (our ACK was lost) is answered with the same ACK again; that is the
// receiver's side of RFC 1350 and cannot snowball, because the sender must
// not answer duplicate ACKs.
class WriteTransfer : public Transfer {
public:
    WriteTransfer(UploadSettings settings, BlockSink& sink);

    Step start() override;
    Step on_packet(const uint8_t* data, size_t size) override;
    Step on_timeout() override;
    size_t render_block(uint64_t, uint8_t*) override { return 0; }
    uint64_t total_blocks() const override { return 0; }
    uint64_t bytes_transferred() const override { return received_; }
    uint32_t blksize() const override { return settings_.blksize; }
    uint32_t windowsize() const override { return 1; }
    bool is_upload() const override { return true; }

private:
    Step send_control(const std::vector<uint8_t>& packet);
    uint32_t current_timeout_ms() const;

    UploadSettings settings_;
    BlockSink& sink_;
    std::vector<uint8_t> last_control_;   // OACK or the latest ACK, resent on timeout
    std::vector<uint8_t> error_packet_;
    uint64_t next_block_ = 1;
    uint64_t received_ = 0;
    uint32_t retries_ = 0;
};

}  // namespace netboot::tftpd
