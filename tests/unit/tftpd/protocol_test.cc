#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol.h"

using namespace netboot::tftpd;

namespace {

std::vector<uint8_t> bytes(const std::string& text) {
    return std::vector<uint8_t>(text.begin(), text.end());
}

std::vector<uint8_t> request(uint8_t opcode, const std::vector<std::string>& fields) {
    std::vector<uint8_t> out{0, opcode};
    for (const auto& field : fields) {
        out.insert(out.end(), field.begin(), field.end());
        out.push_back(0);
    }
    return out;
}

std::variant<Request, ProtocolError> parse(const std::vector<uint8_t>& packet) {
    return parse_request(packet.data(), packet.size());
}

ProtocolError error_of(const std::variant<Request, ProtocolError>& result) {
    EXPECT_TRUE(std::holds_alternative<ProtocolError>(result));
    return std::holds_alternative<ProtocolError>(result) ? std::get<ProtocolError>(result) : ProtocolError{};
}

Negotiated negotiated(const std::vector<RequestOption>& options, std::optional<uint64_t> size,
                      NegotiationLimits limits = {}) {
    auto result = negotiate(options, size, limits);
    EXPECT_TRUE(std::holds_alternative<Negotiated>(result));
    return std::holds_alternative<Negotiated>(result) ? std::get<Negotiated>(result) : Negotiated{};
}

}  // namespace

TEST(tftpdProtocol, ParsesPlainReadRequest) {
    auto result = parse(request(1, {"pxelinux.0", "octet"}));
    ASSERT_TRUE(std::holds_alternative<Request>(result));
    const auto& rrq = std::get<Request>(result);
    EXPECT_EQ(rrq.opcode, Opcode::ReadRequest);
    EXPECT_EQ(rrq.filename, "pxelinux.0");
    EXPECT_EQ(rrq.mode, TransferMode::Octet);
    EXPECT_TRUE(rrq.options.empty());
}

TEST(tftpdProtocol, ModeAndOptionNamesAreCaseInsensitive) {
    auto result = parse(request(1, {"a", "NetASCII", "BlkSize", "1468", "TSIZE", "0"}));
    ASSERT_TRUE(std::holds_alternative<Request>(result));
    const auto& rrq = std::get<Request>(result);
    EXPECT_EQ(rrq.mode, TransferMode::Netascii);
    ASSERT_EQ(rrq.options.size(), 2u);
    EXPECT_EQ(rrq.options[0], (RequestOption{"blksize", "1468"}));
    EXPECT_EQ(rrq.options[1], (RequestOption{"tsize", "0"}));
}

TEST(tftpdProtocol, WriteRequestIsRecognised) {
    auto result = parse(request(2, {"upload.bin", "octet"}));
    ASSERT_TRUE(std::holds_alternative<Request>(result));
    EXPECT_EQ(std::get<Request>(result).opcode, Opcode::WriteRequest);
}

TEST(tftpdProtocol, RefusesMalformedRequests) {
    EXPECT_EQ(error_of(parse({})).code, ErrorCode::IllegalOperation);
    EXPECT_EQ(error_of(parse({0})).code, ErrorCode::IllegalOperation);
    EXPECT_EQ(error_of(parse({0, 9, 'a', 0, 'o', 0})).code, ErrorCode::IllegalOperation);  // unknown opcode
    EXPECT_EQ(error_of(parse(request(3, {"a", "octet"}))).code, ErrorCode::IllegalOperation);
    EXPECT_EQ(error_of(parse({0, 1, 'a', 'b'})).code, ErrorCode::IllegalOperation);          // no NUL at all
    EXPECT_EQ(error_of(parse({0, 1, 'a', 0, 'o', 'c'})).code, ErrorCode::IllegalOperation);  // mode unterminated
    EXPECT_EQ(error_of(parse(request(1, {"", "octet"}))).code, ErrorCode::IllegalOperation);
    EXPECT_EQ(error_of(parse(request(1, {"a", "mail"}))).code, ErrorCode::IllegalOperation);
    EXPECT_EQ(error_of(parse(request(1, {std::string(kMaxFilenameLength + 1, 'x'), "octet"}))).code,
              ErrorCode::IllegalOperation);
}

TEST(tftpdProtocol, DuplicateOptionIsRefused) {
    auto error = error_of(parse(request(1, {"a", "octet", "blksize", "512", "BLKSIZE", "1024"})));
    EXPECT_EQ(error.code, ErrorCode::OptionNegotiationFailed);
}

TEST(tftpdProtocol, UnterminatedOptionTailAndPaddingAreIgnored) {
    auto packet = request(1, {"a", "octet", "blksize", "1024", "", ""});
    packet.push_back('t');
    packet.push_back('s');
    auto result = parse(packet);
    ASSERT_TRUE(std::holds_alternative<Request>(result));
    ASSERT_EQ(std::get<Request>(result).options.size(), 1u);
}

TEST(tftpdProtocol, ParsesAckAndErrorOnTransferSocket) {
    const std::vector<uint8_t> ack{0, 4, 0xFF, 0xFE};
    auto packet = parse_transfer_packet(ack.data(), ack.size());
    EXPECT_EQ(packet.kind, TransferPacket::Kind::Ack);
    EXPECT_EQ(packet.block, 0xFFFE);

    auto error = make_error(ErrorCode::OptionNegotiationFailed, "abort");
    packet = parse_transfer_packet(error.data(), error.size());
    EXPECT_EQ(packet.kind, TransferPacket::Kind::Error);
    EXPECT_EQ(packet.error_code, 8);
    EXPECT_EQ(packet.error_message, "abort");

    const std::vector<uint8_t> unterminated{0, 5, 0, 1, 'x', '\n'};
    packet = parse_transfer_packet(unterminated.data(), unterminated.size());
    EXPECT_EQ(packet.kind, TransferPacket::Kind::Error);
    EXPECT_EQ(packet.error_message, "x?");

    const std::vector<uint8_t> short_packet{0, 4, 0};
    EXPECT_EQ(parse_transfer_packet(short_packet.data(), short_packet.size()).kind, TransferPacket::Kind::Malformed);
    const std::vector<uint8_t> data{0, 3, 0, 1, 'x'};
    auto data_packet = parse_transfer_packet(data.data(), data.size());
    EXPECT_EQ(data_packet.kind, TransferPacket::Kind::Data);
    EXPECT_EQ(data_packet.block, 1);
    EXPECT_EQ(data_packet.payload_size, 1u);
    const std::vector<uint8_t> oack{0, 6, 0, 0};
    EXPECT_EQ(parse_transfer_packet(oack.data(), oack.size()).kind, TransferPacket::Kind::Other);
}

TEST(tftpdProtocol, SerializesPackets) {
    EXPECT_EQ(make_ack(258), (std::vector<uint8_t>{0, 4, 1, 2}));
    EXPECT_EQ(make_error(ErrorCode::FileNotFound, "no"), (std::vector<uint8_t>{0, 5, 0, 1, 'n', 'o', 0}));
    auto oack = make_option_ack({{"blksize", "1468"}, {"tsize", "7"}});
    std::vector<uint8_t> expected{0, 6};
    for (const char* text : {"blksize", "1468", "tsize", "7"}) {
        auto b = bytes(text);
        expected.insert(expected.end(), b.begin(), b.end());
        expected.push_back(0);
    }
    EXPECT_EQ(oack, expected);
    uint8_t header[4];
    write_data_header(header, 0xABCD);
    EXPECT_EQ(std::vector<uint8_t>(header, header + 4), (std::vector<uint8_t>{0, 3, 0xAB, 0xCD}));
}

TEST(tftpdProtocol, BlockNumbersWrapToZero) {
    EXPECT_EQ(wire_block(65535), 65535);
    EXPECT_EQ(wire_block(65536), 0);
    EXPECT_EQ(wire_block(65537), 1);
    EXPECT_EQ(wire_block(131072), 0);
}

TEST(tftpdNegotiation, NoOptionsMeansNoOack) {
    auto result = negotiated({}, 1000);
    EXPECT_TRUE(result.acknowledged.empty());
    EXPECT_EQ(result.blksize, 512u);
    EXPECT_EQ(result.windowsize, 1u);
}

TEST(tftpdNegotiation, AcknowledgesOnlyWhatWasAskedInClientOrder) {
    auto result = negotiated({{"tsize", "0"}, {"blksize", "1468"}, {"multicast", ""}, {"timeout", "3"}}, 4242);
    ASSERT_EQ(result.acknowledged.size(), 3u);
    EXPECT_EQ(result.acknowledged[0], (RequestOption{"tsize", "4242"}));
    EXPECT_EQ(result.acknowledged[1], (RequestOption{"blksize", "1468"}));
    EXPECT_EQ(result.acknowledged[2], (RequestOption{"timeout", "3"}));
    EXPECT_EQ(result.timeout_ms, 3000u);
    EXPECT_TRUE(result.client_asked_tsize);
}

TEST(tftpdNegotiation, BlksizeIsCappedByLimit) {
    NegotiationLimits limits;
    limits.max_blksize = 1468;
    auto result = negotiated({{"blksize", "65464"}}, 10, limits);
    EXPECT_EQ(result.blksize, 1468u);
    EXPECT_EQ(result.acknowledged[0].value, "1468");
    EXPECT_EQ(negotiated({{"blksize", "8"}}, 10, limits).blksize, 8u);
}

TEST(tftpdNegotiation, WindowsizeIsCappedByCountAndBytes) {
    NegotiationLimits limits;
    limits.max_windowsize = 64;
    limits.max_window_bytes = 65536;
    auto result = negotiated({{"blksize", "8192"}, {"windowsize", "32"}}, 10, limits);
    EXPECT_EQ(result.windowsize, 8u);
    EXPECT_EQ(result.acknowledged[1], (RequestOption{"windowsize", "8"}));
    result = negotiated({{"windowsize", "1000"}}, 10, limits);
    EXPECT_EQ(result.windowsize, 64u);
    result = negotiated({{"windowsize", "4"}, {"blksize", "1468"}}, 10, limits);
    EXPECT_EQ(result.windowsize, 4u);
    EXPECT_EQ(result.acknowledged[0], (RequestOption{"windowsize", "4"}));
}

TEST(tftpdNegotiation, TsizeLeftOutWhenSizeUnknown) {
    auto result = negotiated({{"tsize", "0"}}, std::nullopt);
    EXPECT_TRUE(result.acknowledged.empty());
    EXPECT_TRUE(result.client_asked_tsize);
}

TEST(tftpdNegotiation, RefusesOutOfRangeValues) {
    for (const auto& option : std::vector<RequestOption>{{"blksize", "7"},
                                                         {"blksize", "65465"},
                                                         {"blksize", "99999999999999999999999"},
                                                         {"blksize", "-1"},
                                                         {"blksize", ""},
                                                         {"blksize", "1e3"},
                                                         {"timeout", "0"},
                                                         {"timeout", "256"},
                                                         {"windowsize", "0"},
                                                         {"windowsize", "65536"},
                                                         {"tsize", "abc"}}) {
        auto result = negotiate({option}, 10, {});
        ASSERT_TRUE(std::holds_alternative<ProtocolError>(result)) << option.name << "=" << option.value;
        EXPECT_EQ(std::get<ProtocolError>(result).code, ErrorCode::OptionNegotiationFailed);
    }
}

TEST(tftpdNetascii, ConvertsLineEnds) {
    EXPECT_EQ(to_netascii("a\nb\rc"), std::string("a\r\nb\r\0c", 7));
    EXPECT_EQ(to_netascii(""), "");
}
