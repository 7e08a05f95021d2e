// TFTP wire format (RFC 1350) and option negotiation (RFC 2347/2348/2349/7440).
// Pure functions over bytes: no sockets, no files, so the parser can be unit
// tested and fuzzed directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace netboot::tftpd {

enum class Opcode : uint16_t {
    ReadRequest = 1,
    WriteRequest = 2,
    Data = 3,
    Ack = 4,
    Error = 5,
    OptionAck = 6,
};

enum class ErrorCode : uint16_t {
    NotDefined = 0,
    FileNotFound = 1,
    AccessViolation = 2,
    DiskFull = 3,
    IllegalOperation = 4,
    UnknownTransferId = 5,
    FileExists = 6,
    NoSuchUser = 7,
    OptionNegotiationFailed = 8,
};

enum class TransferMode { Octet, Netascii };

constexpr uint32_t kDefaultBlockSize = 512;
constexpr uint32_t kMinBlockSize = 8;
constexpr uint32_t kMaxBlockSize = 65464;
constexpr uint32_t kMaxWindowSize = 65535;
constexpr size_t kMaxFilenameLength = 1024;

struct RequestOption {
    std::string name;   // lower-cased: option names are case-insensitive (RFC 2347)
    std::string value;
    bool operator==(const RequestOption& other) const {
        return name == other.name && value == other.value;
    }
};

struct Request {
    Opcode opcode = Opcode::ReadRequest;
    std::string filename;
    TransferMode mode = TransferMode::Octet;
    std::vector<RequestOption> options;
};

struct ProtocolError {
    ErrorCode code = ErrorCode::NotDefined;
    std::string message;
};

// Parses an RRQ/WRQ arriving on the listening port. Anything else there is a
// protocol error the caller may answer (or drop, for non-requests).
std::variant<Request, ProtocolError> parse_request(const uint8_t* data, size_t size);

// A packet arriving on a transfer's own socket, from the transfer's client.
struct TransferPacket {
    enum class Kind { Ack, Data, Error, Other, Malformed };
    Kind kind = Kind::Malformed;
    uint16_t block = 0;                 // Ack, Data
    const uint8_t* payload = nullptr;   // Data: points into the parsed bytes
    size_t payload_size = 0;            // Data
    uint16_t error_code = 0;            // Error
    std::string error_message;          // Error
};
TransferPacket parse_transfer_packet(const uint8_t* data, size_t size);

// Serializers. write_data_header needs 4 bytes at out.
void write_data_header(uint8_t* out, uint16_t block);
std::vector<uint8_t> make_ack(uint16_t block);
std::vector<uint8_t> make_error(ErrorCode code, std::string_view message);
std::vector<uint8_t> make_option_ack(const std::vector<RequestOption>& options);

// Block numbers on the wire are 16 bits; files beyond 65535 blocks wrap to 0
// (what tftp-hpa, curl and edk2 expect), so absolute block indices are kept
// as 64-bit counts internally and only truncated here.
constexpr uint16_t wire_block(uint64_t absolute_block) {
    return static_cast<uint16_t>(absolute_block & 0xFFFFu);
}

struct NegotiationLimits {
    uint32_t max_blksize = kMaxBlockSize;   // configured cap, already lowered to fit the path MTU
    uint32_t max_windowsize = 64;
    uint64_t max_window_bytes = 1u << 20;   // bounds memory and burst size per transfer
    uint32_t default_timeout_ms = 1000;
};

struct Negotiated {
    uint32_t blksize = kDefaultBlockSize;
    uint32_t windowsize = 1;
    uint32_t timeout_ms = 1000;
    bool client_asked_tsize = false;
    // Only what the client asked for and we accept, in the client's order:
    // an OACK must never contain an option the client did not send.
    std::vector<RequestOption> acknowledged;
};

// file_size is the size the client will receive (after netascii conversion);
// nullopt when unknown, in which case tsize is left unacknowledged.
std::variant<Negotiated, ProtocolError> negotiate(const std::vector<RequestOption>& requested,
                                                  std::optional<uint64_t> file_size,
                                                  const NegotiationLimits& limits);

// RFC 1350 netascii for a read transfer: LF -> CR LF, CR -> CR NUL.
std::string to_netascii(std::string_view raw);

const char* error_code_name(uint16_t code);

}  // namespace netboot::tftpd
