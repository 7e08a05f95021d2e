#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transfer.h"

using namespace netboot::tftpd;

namespace {

class StringSource : public BlockSource {
public:
    explicit StringSource(std::string data) : data_(std::move(data)) {}
    size_t read_at(uint64_t offset, uint8_t* out, size_t length) override {
        ++reads;
        if (offset >= data_.size()) {
            return 0;
        }
        size_t n = std::min<size_t>(length, data_.size() - offset);
        std::copy(data_.begin() + static_cast<long>(offset), data_.begin() + static_cast<long>(offset + n), out);
        return n;
    }
    std::string data_;
    int reads = 0;
};

// Generated pattern so any block's content is checkable.
std::string pattern(size_t size) {
    std::string s(size, '\0');
    for (size_t i = 0; i < size; ++i) {
        s[i] = static_cast<char>((i * 131 + i / 7) & 0xFF);
    }
    return s;
}

std::vector<uint8_t> ack(uint16_t block) {
    return {0, 4, static_cast<uint8_t>(block >> 8), static_cast<uint8_t>(block & 0xFF)};
}

Step send_ack(ReadTransfer& transfer, uint16_t block) {
    auto packet = ack(block);
    return transfer.on_packet(packet.data(), packet.size());
}

// Client-side model: receives DATA, reassembles, ACKs. Returns the bytes.
struct Receiver {
    std::string received;
    uint16_t expected = 1;
    bool done = false;
    // Applies a DATA packet; returns true if in order.
    bool take(const std::vector<uint8_t>& packet, uint32_t blksize) {
        uint16_t number = static_cast<uint16_t>((packet[2] << 8) | packet[3]);
        if (packet[1] != 3 || number != expected) {
            return false;
        }
        received.append(packet.begin() + 4, packet.end());
        if (packet.size() - 4 < blksize) {
            done = true;
        }
        ++expected;
        return true;
    }
};

std::vector<std::vector<uint8_t>> render(ReadTransfer& transfer, const Step& step, uint32_t blksize) {
    std::vector<std::vector<uint8_t>> packets;
    std::vector<uint8_t> buffer(blksize + 4);
    for (uint64_t i = 0; i < step.block_count; ++i) {
        size_t length = transfer.render_block(step.first_block + i, buffer.data());
        packets.emplace_back(buffer.begin(), buffer.begin() + static_cast<long>(length));
    }
    return packets;
}

}  // namespace

TEST(tftpdTransfer, LockStepWithoutOptionsSendsDataOneImmediately) {
    StringSource source(pattern(1000));
    TransferSettings settings;
    settings.size = 1000;
    ReadTransfer transfer(settings, source);
    Step step = transfer.start();
    EXPECT_EQ(step.control, nullptr);
    EXPECT_EQ(step.first_block, 1u);
    EXPECT_EQ(step.block_count, 1u);
    ASSERT_TRUE(step.timer_ms);
    EXPECT_EQ(*step.timer_ms, 1000u);
    step = send_ack(transfer, 1);
    EXPECT_EQ(step.first_block, 2u);
    step = send_ack(transfer, 2);
    EXPECT_TRUE(step.finished);
    EXPECT_EQ(transfer.outcome(), Outcome::Completed);
    EXPECT_EQ(transfer.bytes_acknowledged(), 1000u);
}

TEST(tftpdTransfer, ExactMultipleOfBlockSizeEndsWithEmptyBlock) {
    StringSource source(pattern(1024));
    TransferSettings settings;
    settings.size = 1024;
    ReadTransfer transfer(settings, source);
    EXPECT_EQ(transfer.total_blocks(), 3u);
    transfer.start();
    send_ack(transfer, 1);
    Step step = send_ack(transfer, 2);
    ASSERT_EQ(step.first_block, 3u);
    auto packets = render(transfer, step, 512);
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_EQ(packets[0].size(), 4u);
    EXPECT_TRUE(send_ack(transfer, 3).finished);
}

TEST(tftpdTransfer, EmptyFileIsOneEmptyBlock) {
    StringSource source("");
    TransferSettings settings;
    ReadTransfer transfer(settings, source);
    Step step = transfer.start();
    auto packets = render(transfer, step, 512);
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_EQ(packets[0], (std::vector<uint8_t>{0, 3, 0, 1}));
    EXPECT_TRUE(send_ack(transfer, 1).finished);
}

TEST(tftpdTransfer, OackFirstThenDataAfterAckZero) {
    StringSource source(pattern(3000));
    TransferSettings settings;
    settings.size = 3000;
    settings.blksize = 1468;
    settings.option_ack = {{"blksize", "1468"}};
    ReadTransfer transfer(settings, source);
    Step step = transfer.start();
    ASSERT_NE(step.control, nullptr);
    EXPECT_EQ((*step.control)[1], 6);
    EXPECT_EQ(step.block_count, 0u);
    EXPECT_EQ(send_ack(transfer, 5).block_count, 0u);  // not ACK 0: ignored
    step = send_ack(transfer, 0);
    EXPECT_EQ(step.first_block, 1u);
    EXPECT_EQ(step.block_count, 1u);
}

TEST(tftpdTransfer, OackIsRetransmittedOnTimeout) {
    StringSource source(pattern(10));
    TransferSettings settings;
    settings.size = 10;
    settings.option_ack = {{"tsize", "10"}};
    ReadTransfer transfer(settings, source);
    transfer.start();
    Step step = transfer.on_timeout();
    ASSERT_NE(step.control, nullptr);
    EXPECT_EQ((*step.control)[1], 6);
    EXPECT_EQ(*step.timer_ms, 2000u);  // back-off
}

TEST(tftpdTransfer, DuplicateAckNeverTriggersResend) {
    StringSource source(pattern(5000));
    TransferSettings settings;
    settings.size = 5000;
    ReadTransfer transfer(settings, source);
    transfer.start();
    Step step = send_ack(transfer, 1);
    EXPECT_EQ(step.first_block, 2u);
    step = send_ack(transfer, 1);  // duplicate: Sorcerer's Apprentice trigger
    EXPECT_EQ(step.block_count, 0u);
    EXPECT_FALSE(step.timer_ms);
    step = send_ack(transfer, 0);  // stale
    EXPECT_EQ(step.block_count, 0u);
    step = send_ack(transfer, 7);  // from the future
    EXPECT_EQ(step.block_count, 0u);
    EXPECT_EQ(send_ack(transfer, 2).first_block, 3u);
}

TEST(tftpdTransfer, TimeoutResendsWithExponentialBackOffAndGivesUp) {
    StringSource source(pattern(5000));
    TransferSettings settings;
    settings.size = 5000;
    settings.timeout_ms = 100;
    settings.max_timeout_ms = 350;
    settings.max_retries = 3;
    ReadTransfer transfer(settings, source);
    transfer.start();
    send_ack(transfer, 1);
    std::vector<uint32_t> timers;
    for (int i = 0; i < 3; ++i) {
        Step step = transfer.on_timeout();
        EXPECT_EQ(step.first_block, 2u);
        EXPECT_EQ(step.block_count, 1u);
        timers.push_back(*step.timer_ms);
    }
    EXPECT_EQ(timers, (std::vector<uint32_t>{200, 350, 350}));
    EXPECT_TRUE(transfer.on_timeout().finished);
    EXPECT_EQ(transfer.outcome(), Outcome::TimedOut);
    EXPECT_EQ(transfer.retransmissions(), 3u);
}

TEST(tftpdTransfer, ProgressResetsBackOff) {
    StringSource source(pattern(5000));
    TransferSettings settings;
    settings.size = 5000;
    settings.timeout_ms = 100;
    ReadTransfer transfer(settings, source);
    transfer.start();
    transfer.on_timeout();
    transfer.on_timeout();
    EXPECT_EQ(*send_ack(transfer, 1).timer_ms, 100u);
}

TEST(tftpdTransfer, WindowSendsBurstsAndGoesBackOnGap) {
    StringSource source(pattern(512 * 20 + 3));
    TransferSettings settings;
    settings.size = source.data_.size();
    settings.windowsize = 4;
    settings.option_ack = {{"windowsize", "4"}};
    ReadTransfer transfer(settings, source);
    transfer.start();
    Step step = send_ack(transfer, 0);
    EXPECT_EQ(step.first_block, 1u);
    EXPECT_EQ(step.block_count, 4u);
    step = send_ack(transfer, 4);
    EXPECT_EQ(step.first_block, 5u);
    EXPECT_EQ(step.block_count, 4u);
    step = send_ack(transfer, 6);  // client saw a gap after 6 (RFC 7440)
    EXPECT_EQ(step.first_block, 7u);
    EXPECT_EQ(step.block_count, 4u);
    step = send_ack(transfer, 6);  // repeated gap report: no new burst
    EXPECT_EQ(step.block_count, 0u);
    step = transfer.on_timeout();
    EXPECT_EQ(step.first_block, 7u);
}

TEST(tftpdTransfer, LastWindowIsTruncatedAtEnd) {
    StringSource source(pattern(512 * 5 + 1));
    TransferSettings settings;
    settings.size = source.data_.size();
    settings.windowsize = 4;
    ReadTransfer transfer(settings, source);
    Step step = transfer.start();
    EXPECT_EQ(step.block_count, 4u);
    step = send_ack(transfer, 4);
    EXPECT_EQ(step.first_block, 5u);
    EXPECT_EQ(step.block_count, 2u);
    EXPECT_TRUE(send_ack(transfer, 6).finished);
}

TEST(tftpdTransfer, ClientErrorEndsTransferAndSizeProbeIsRecognised) {
    StringSource source(pattern(100));
    TransferSettings settings;
    settings.size = 100;
    settings.client_asked_tsize = true;
    settings.option_ack = {{"tsize", "100"}};
    ReadTransfer probe(settings, source);
    probe.start();
    std::vector<uint8_t> abort{0, 5, 0, 8, 'a', 'b', 'o', 'r', 't', 0};
    EXPECT_TRUE(probe.on_packet(abort.data(), abort.size()).finished);
    EXPECT_EQ(probe.outcome(), Outcome::SizeProbeAborted);

    ReadTransfer aborted(settings, source);
    aborted.start();
    send_ack(aborted, 0);
    std::vector<uint8_t> disk_full{0, 5, 0, 3, 0};
    EXPECT_TRUE(aborted.on_packet(disk_full.data(), disk_full.size()).finished);
    EXPECT_EQ(aborted.outcome(), Outcome::ClientAborted);
}

TEST(tftpdTransfer, GarbageDuringTransferIsIgnored) {
    StringSource source(pattern(2000));
    TransferSettings settings;
    settings.size = 2000;
    ReadTransfer transfer(settings, source);
    transfer.start();
    const std::vector<std::vector<uint8_t>> garbage = {{}, {0}, {0, 4, 0}, {0, 3, 0, 1, 'x'}, {0, 1, 'a', 0}, {9, 9, 9, 9}};
    for (const auto& packet : garbage) {
        Step step = transfer.on_packet(packet.data(), packet.size());
        EXPECT_EQ(step.block_count, 0u);
        EXPECT_FALSE(step.finished);
    }
    EXPECT_EQ(send_ack(transfer, 1).first_block, 2u);
}

TEST(tftpdTransfer, RolloverPastBlock65535WrapsToZeroAndCompletes) {
    // 70000 blocks of 8 bytes: the wire number passes 65535 -> 0 -> ...
    const uint32_t blksize = 8;
    StringSource source(pattern(70000 * blksize + 5));
    TransferSettings settings;
    settings.size = source.data_.size();
    settings.blksize = blksize;
    settings.windowsize = 7;
    ReadTransfer transfer(settings, source);
    Receiver receiver;
    Step step = transfer.start();
    for (int rounds = 0; rounds < 20000 && !step.finished; ++rounds) {
        auto packets = render(transfer, step, blksize);
        ASSERT_FALSE(packets.empty());
        for (const auto& packet : packets) {
            ASSERT_TRUE(receiver.take(packet, blksize));
        }
        step = send_ack(transfer, static_cast<uint16_t>(receiver.expected - 1));
    }
    EXPECT_TRUE(step.finished);
    EXPECT_EQ(transfer.outcome(), Outcome::Completed);
    EXPECT_EQ(receiver.received, source.data_);
}

TEST(tftpdTransfer, RandomLossAndDuplicationStillDeliversIntactData) {
    StringSource source(pattern(512 * 300 + 77));
    TransferSettings settings;
    settings.size = source.data_.size();
    settings.windowsize = 8;
    settings.max_retries = 1000;
    ReadTransfer transfer(settings, source);
    Receiver receiver;
    uint32_t seed = 12345;
    auto chance = [&seed](int percent) {
        seed = seed * 1103515245u + 12345u;
        return static_cast<int>((seed >> 16) % 100) < percent;
    };
    Step step = transfer.start();
    for (int rounds = 0; rounds < 100000 && !step.finished; ++rounds) {
        bool acked = false;
        for (const auto& packet : render(transfer, step, 512)) {
            if (chance(10)) {
                continue;  // lost DATA
            }
            if (!receiver.take(packet, 512)) {
                break;  // receiver stops at the gap and reports it
            }
        }
        const uint16_t last_good = static_cast<uint16_t>(receiver.expected - 1);
        if (!chance(10)) {
            step = send_ack(transfer, last_good);
            acked = step.block_count > 0 || step.finished;
            if (chance(20)) {
                Step duplicate = send_ack(transfer, last_good);
                EXPECT_EQ(duplicate.block_count, 0u);
            }
        }
        if (!acked && !step.finished) {
            step = transfer.on_timeout();
        }
    }
    ASSERT_TRUE(step.finished);
    EXPECT_EQ(transfer.outcome(), Outcome::Completed);
    EXPECT_EQ(receiver.received, source.data_);
}

TEST(tftpdTransfer, ShrinkingFileEndsAtTheShortBlock) {
    StringSource source(pattern(2000));
    TransferSettings settings;
    settings.size = 5000;  // stat said 5000, the file now has 2000
    ReadTransfer transfer(settings, source);
    Step step = transfer.start();
    for (int i = 1; i <= 3; ++i) {
        auto packets = render(transfer, step, 512);
        ASSERT_EQ(packets.size(), 1u);
        step = send_ack(transfer, static_cast<uint16_t>(i));
    }
    auto packets = render(transfer, step, 512);
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_EQ(packets[0].size(), 4u + 2000 - 3 * 512);
    EXPECT_EQ(transfer.total_blocks(), 4u);
    EXPECT_TRUE(send_ack(transfer, 4).finished);
}

namespace {

class StringSink : public BlockSink {
public:
    bool write_at(uint64_t offset, const uint8_t* data, size_t length) override {
        if (fail_writes) {
            return false;
        }
        if (data_.size() < offset + length) {
            data_.resize(offset + length);
        }
        std::copy(data, data + length, data_.begin() + static_cast<long>(offset));
        return true;
    }
    bool finish() override {
        ++finished;
        return true;
    }
    std::string data_;
    int finished = 0;
    bool fail_writes = false;
};

std::vector<uint8_t> data_packet(uint16_t block, const std::string& payload) {
    std::vector<uint8_t> packet{0, 3, static_cast<uint8_t>(block >> 8), static_cast<uint8_t>(block & 0xFF)};
    packet.insert(packet.end(), payload.begin(), payload.end());
    return packet;
}

Step send_data(WriteTransfer& transfer, uint16_t block, const std::string& payload) {
    auto packet = data_packet(block, payload);
    return transfer.on_packet(packet.data(), packet.size());
}

}  // namespace

TEST(tftpdUpload, AcksEveryBlockAndFinishesOnShortBlock) {
    StringSink sink;
    UploadSettings settings;
    settings.blksize = 8;
    WriteTransfer transfer(settings, sink);
    Step step = transfer.start();
    ASSERT_NE(step.control, nullptr);
    EXPECT_EQ(*step.control, make_ack(0));
    step = send_data(transfer, 1, "01234567");
    EXPECT_EQ(*step.control, make_ack(1));
    EXPECT_FALSE(step.finished);
    step = send_data(transfer, 2, "89");
    EXPECT_EQ(*step.control, make_ack(2));
    EXPECT_TRUE(step.finished);
    EXPECT_EQ(transfer.outcome(), Outcome::Completed);
    EXPECT_EQ(sink.data_, "0123456789");
    EXPECT_EQ(sink.finished, 1);
    EXPECT_EQ(transfer.bytes_transferred(), 10u);
}

TEST(tftpdUpload, StartsWithOackWhenOptionsWereAccepted) {
    StringSink sink;
    UploadSettings settings;
    settings.option_ack = {{"blksize", "1024"}};
    WriteTransfer transfer(settings, sink);
    Step step = transfer.start();
    ASSERT_NE(step.control, nullptr);
    EXPECT_EQ((*step.control)[1], 6);
}

TEST(tftpdUpload, DuplicateDataRepeatsTheAckOtherBlocksAreIgnored) {
    StringSink sink;
    UploadSettings settings;
    settings.blksize = 8;
    WriteTransfer transfer(settings, sink);
    transfer.start();
    send_data(transfer, 1, "aaaaaaaa");
    Step step = send_data(transfer, 1, "aaaaaaaa");
    ASSERT_NE(step.control, nullptr);
    EXPECT_EQ(*step.control, make_ack(1));
    EXPECT_EQ(send_data(transfer, 5, "bbbbbbbb").control, nullptr);
    EXPECT_EQ(send_data(transfer, 2, "toolongforablock").control, nullptr);
    send_data(transfer, 2, "bb");
    EXPECT_EQ(sink.data_, "aaaaaaaabb");
}

TEST(tftpdUpload, TooLargeUploadEndsWithDiskFull) {
    StringSink sink;
    UploadSettings settings;
    settings.blksize = 8;
    settings.max_bytes = 12;
    WriteTransfer transfer(settings, sink);
    transfer.start();
    send_data(transfer, 1, "aaaaaaaa");
    Step step = send_data(transfer, 2, "bbbbbbbb");
    ASSERT_NE(step.control, nullptr);
    EXPECT_EQ((*step.control)[3], 3);  // error 3, disk full
    EXPECT_TRUE(step.finished);
    EXPECT_EQ(transfer.outcome(), Outcome::TooLarge);
    EXPECT_EQ(sink.finished, 0);
}

TEST(tftpdUpload, WriteFailureAndTimeoutEndTheUpload) {
    StringSink sink;
    sink.fail_writes = true;
    UploadSettings settings;
    settings.blksize = 8;
    settings.max_retries = 2;
    WriteTransfer failing(settings, sink);
    failing.start();
    EXPECT_TRUE(send_data(failing, 1, "aaaaaaaa").finished);
    EXPECT_EQ(failing.outcome(), Outcome::SourceFailed);

    StringSink quiet;
    WriteTransfer waiting(settings, quiet);
    waiting.start();
    EXPECT_EQ(*waiting.on_timeout().control, make_ack(0));
    EXPECT_EQ(*waiting.on_timeout().timer_ms, 4000u);
    EXPECT_TRUE(waiting.on_timeout().finished);
    EXPECT_EQ(waiting.outcome(), Outcome::TimedOut);
}
