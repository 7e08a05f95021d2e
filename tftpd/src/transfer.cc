#include "transfer.h"

#include <algorithm>

namespace netboot::tftpd {

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
    case Outcome::InProgress: return "in-progress";
    case Outcome::Completed: return "ok";
    case Outcome::TimedOut: return "timeout";
    case Outcome::ClientAborted: return "client-abort";
    case Outcome::SizeProbeAborted: return "size-probe";
    case Outcome::SourceFailed: return "io-error";
    case Outcome::TooLarge: return "too-large";
    }
    return "unknown";
}

namespace {

// Exponential back-off: the timeout doubles with each retry, up to the maximum.
uint32_t backoff_ms(uint32_t timeout_ms, uint32_t max_timeout_ms, uint32_t retries) {
    uint64_t timeout = timeout_ms;
    for (uint32_t i = 0; i < retries && timeout < max_timeout_ms; ++i) {
        timeout *= 2;
    }
    return static_cast<uint32_t>(std::min<uint64_t>(timeout, max_timeout_ms));
}

}  // namespace

ReadTransfer::ReadTransfer(TransferSettings settings, BlockSource& source)
    : settings_(std::move(settings)), source_(source) {
    settings_.blksize = std::clamp(settings_.blksize, kMinBlockSize, kMaxBlockSize);
    settings_.windowsize = std::max<uint32_t>(1, settings_.windowsize);
    settings_.timeout_ms = std::max<uint32_t>(1, settings_.timeout_ms);
    settings_.max_timeout_ms = std::max(settings_.max_timeout_ms, settings_.timeout_ms);
    // A file that is an exact multiple of blksize still ends with an empty block.
    last_block_ = settings_.size / settings_.blksize + 1;
    if (!settings_.option_ack.empty()) {
        option_ack_packet_ = make_option_ack(settings_.option_ack);
    }
}

uint64_t ReadTransfer::bytes_acknowledged() const {
    return std::min<uint64_t>(acked_ * settings_.blksize, settings_.size);
}

uint32_t ReadTransfer::current_timeout_ms() const {
    return backoff_ms(settings_.timeout_ms, settings_.max_timeout_ms, retries_);
}

Step ReadTransfer::start() {
    if (!option_ack_packet_.empty()) {
        awaiting_option_ack_ = true;
        Step step;
        step.control = &option_ack_packet_;
        step.timer_ms = current_timeout_ms();
        return step;
    }
    return send_window_from(1);
}

Step ReadTransfer::send_window_from(uint64_t first) {
    Step step;
    step.first_block = first;
    step.block_count = std::min<uint64_t>(settings_.windowsize, last_block_ - first + 1);
    sent_ = std::max(sent_, first + step.block_count - 1);
    step.timer_ms = current_timeout_ms();
    return step;
}

Step Transfer::finish(Outcome outcome, std::string detail) {
    outcome_ = outcome;
    detail_ = std::move(detail);
    Step step;
    step.finished = true;
    return step;
}

Step ReadTransfer::on_packet(const uint8_t* data, size_t size) {
    if (outcome_ != Outcome::InProgress) {
        return {};
    }
    const TransferPacket packet = parse_transfer_packet(data, size);
    if (packet.kind == TransferPacket::Kind::Error) {
        std::string detail = std::string("client error ") + std::to_string(packet.error_code) + " (" +
                             error_code_name(packet.error_code) + ")";
        if (!packet.error_message.empty()) {
            detail += ": " + packet.error_message;
        }
        const bool size_probe = awaiting_option_ack_ && settings_.client_asked_tsize &&
                                packet.error_code == static_cast<uint16_t>(ErrorCode::OptionNegotiationFailed);
        return finish(size_probe ? Outcome::SizeProbeAborted : Outcome::ClientAborted, std::move(detail));
    }
    if (packet.kind != TransferPacket::Kind::Ack) {
        return {};  // garbage on a transfer socket is dropped, the transfer carries on
    }
    if (awaiting_option_ack_) {
        if (packet.block != 0) {
            return {};
        }
        awaiting_option_ack_ = false;
        retries_ = 0;
        return send_window_from(1);
    }
    // Map the 16-bit number onto the only block in (acked_, sent_] that has it;
    // windows never exceed 65535 blocks, so the mapping is unique.
    const uint64_t distance = static_cast<uint16_t>(packet.block - wire_block(acked_));
    const uint64_t block = acked_ + distance;
    if (distance == 0 || block > sent_) {
        // Duplicate or stale ACK: answering it would double every later
        // packet (Sorcerer's Apprentice). The timer covers real loss.
        return {};
    }
    acked_ = block;
    retries_ = 0;
    if (acked_ >= last_block_) {
        return finish(Outcome::Completed, "");
    }
    // Either the window is complete, or the client reports a gap after
    // `block` (RFC 7440): both continue right after the acknowledged block.
    return send_window_from(acked_ + 1);
}

Step ReadTransfer::on_timeout() {
    if (outcome_ != Outcome::InProgress) {
        return {};
    }
    if (retries_ >= settings_.max_retries) {
        return finish(Outcome::TimedOut, "no answer after " + std::to_string(retries_) + " retransmissions");
    }
    ++retries_;
    ++retransmissions_;
    if (awaiting_option_ack_) {
        Step step;
        step.control = &option_ack_packet_;
        step.timer_ms = current_timeout_ms();
        return step;
    }
    return send_window_from(acked_ + 1);
}

size_t ReadTransfer::render_block(uint64_t block, uint8_t* out) {
    write_data_header(out, wire_block(block));
    const uint64_t offset = (block - 1) * settings_.blksize;
    const size_t wanted = offset >= settings_.size
                              ? 0
                              : static_cast<size_t>(std::min<uint64_t>(settings_.blksize, settings_.size - offset));
    size_t got = wanted == 0 ? 0 : source_.read_at(offset, out + 4, wanted);
    if (got < wanted && block < last_block_) {
        // The file shrank under us: this short block ends the transfer for
        // the client, so it ends it for us too.
        last_block_ = block;
        settings_.size = offset + got;
    }
    return got + 4;
}

WriteTransfer::WriteTransfer(UploadSettings settings, BlockSink& sink)
    : settings_(std::move(settings)), sink_(sink) {
    settings_.blksize = std::clamp(settings_.blksize, kMinBlockSize, kMaxBlockSize);
    settings_.timeout_ms = std::max<uint32_t>(1, settings_.timeout_ms);
    settings_.max_timeout_ms = std::max(settings_.max_timeout_ms, settings_.timeout_ms);
}

uint32_t WriteTransfer::current_timeout_ms() const {
    return backoff_ms(settings_.timeout_ms, settings_.max_timeout_ms, retries_);
}

Step WriteTransfer::send_control(const std::vector<uint8_t>& packet) {
    last_control_ = packet;
    Step step;
    step.control = &last_control_;
    step.timer_ms = current_timeout_ms();
    return step;
}

Step WriteTransfer::start() {
    if (!settings_.option_ack.empty()) {
        return send_control(make_option_ack(settings_.option_ack));
    }
    return send_control(make_ack(0));
}

Step WriteTransfer::on_packet(const uint8_t* data, size_t size) {
    if (outcome_ != Outcome::InProgress) {
        return {};
    }
    const TransferPacket packet = parse_transfer_packet(data, size);
    if (packet.kind == TransferPacket::Kind::Error) {
        return finish(Outcome::ClientAborted, "client error " + std::to_string(packet.error_code) + " (" +
                                                  error_code_name(packet.error_code) + ")");
    }
    if (packet.kind != TransferPacket::Kind::Data || packet.payload_size > settings_.blksize) {
        return {};
    }
    if (packet.block == wire_block(next_block_ - 1) && next_block_ > 1) {
        ++retransmissions_;
        return send_control(last_control_);  // our ACK was lost: repeat it once per DATA received
    }
    if (packet.block != wire_block(next_block_)) {
        return {};
    }
    if (received_ + packet.payload_size > settings_.max_bytes) {
        error_packet_ = make_error(ErrorCode::DiskFull, "upload too large");
        Step step = finish(Outcome::TooLarge, "more than " + std::to_string(settings_.max_bytes) + " bytes");
        step.control = &error_packet_;
        return step;
    }
    if (packet.payload_size > 0 && !sink_.write_at(received_, packet.payload, packet.payload_size)) {
        error_packet_ = make_error(ErrorCode::DiskFull, "write failed");
        Step step = finish(Outcome::SourceFailed, "write failed");
        step.control = &error_packet_;
        return step;
    }
    received_ += packet.payload_size;
    retries_ = 0;
    Step step = send_control(make_ack(packet.block));
    ++next_block_;
    if (packet.payload_size < settings_.blksize) {
        if (!sink_.finish()) {
            error_packet_ = make_error(ErrorCode::DiskFull, "write failed");
            Step failed = finish(Outcome::SourceFailed, "could not complete the file");
            failed.control = &error_packet_;
            return failed;
        }
        outcome_ = Outcome::Completed;
        step.finished = true;  // the final ACK still goes out (control is sent before closing)
        step.timer_ms.reset();
    }
    return step;
}

Step WriteTransfer::on_timeout() {
    if (outcome_ != Outcome::InProgress) {
        return {};
    }
    if (retries_ >= settings_.max_retries) {
        return finish(Outcome::TimedOut, "no DATA after " + std::to_string(retries_) + " retransmissions");
    }
    ++retries_;
    ++retransmissions_;
    return send_control(last_control_);
}

}  // namespace netboot::tftpd
