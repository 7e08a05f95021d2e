#include "protocol.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace netboot::tftpd {

namespace {

uint16_t read_u16(const uint8_t* p) {
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

void append_u16(std::vector<uint8_t>& out, uint16_t value) {
    out.push_back(static_cast<uint8_t>(value >> 8));
    out.push_back(static_cast<uint8_t>(value & 0xFF));
}

void append_string(std::vector<uint8_t>& out, std::string_view text) {
    out.insert(out.end(), text.begin(), text.end());
    out.push_back(0);
}

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

// Reads one NUL-terminated string starting at pos; nullopt if no NUL follows.
std::optional<std::string_view> next_string(const uint8_t* data, size_t size, size_t& pos) {
    const uint8_t* start = data + pos;
    const uint8_t* end = data + size;
    const uint8_t* nul = std::find(start, end, uint8_t{0});
    if (nul == end) {
        return std::nullopt;
    }
    std::string_view text(reinterpret_cast<const char*>(start), static_cast<size_t>(nul - start));
    pos = static_cast<size_t>(nul - data) + 1;
    return text;
}

// Strict decimal: digits only, no sign, no overflow beyond max_value + 1.
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max_value) {
    if (text.empty() || text.size() > 20) {
        return std::nullopt;
    }
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<uint64_t>(c - '0');
        if (value > max_value) {
            return max_value + 1;  // "too large" without overflowing
        }
    }
    return value;
}

ProtocolError option_error(const std::string& message) {
    return ProtocolError{ErrorCode::OptionNegotiationFailed, message};
}

}  // namespace

std::variant<Request, ProtocolError> parse_request(const uint8_t* data, size_t size) {
    if (size < 2) {
        return ProtocolError{ErrorCode::IllegalOperation, "packet too short"};
    }
    const uint16_t opcode = read_u16(data);
    if (opcode != static_cast<uint16_t>(Opcode::ReadRequest) &&
        opcode != static_cast<uint16_t>(Opcode::WriteRequest)) {
        return ProtocolError{ErrorCode::IllegalOperation, "expected a read or write request"};
    }
    Request request;
    request.opcode = static_cast<Opcode>(opcode);
    size_t pos = 2;
    auto filename = next_string(data, size, pos);
    if (!filename) {
        return ProtocolError{ErrorCode::IllegalOperation, "file name not terminated"};
    }
    if (filename->empty()) {
        return ProtocolError{ErrorCode::IllegalOperation, "empty file name"};
    }
    if (filename->size() > kMaxFilenameLength) {
        return ProtocolError{ErrorCode::IllegalOperation, "file name too long"};
    }
    request.filename = std::string(*filename);
    auto mode = next_string(data, size, pos);
    if (!mode) {
        return ProtocolError{ErrorCode::IllegalOperation, "transfer mode not terminated"};
    }
    const std::string mode_name = lower(*mode);
    if (mode_name == "octet") {
        request.mode = TransferMode::Octet;
    } else if (mode_name == "netascii") {
        request.mode = TransferMode::Netascii;
    } else {
        return ProtocolError{ErrorCode::IllegalOperation, "unsupported transfer mode"};
    }
    // Options: name/value pairs. An unterminated tail is ignored rather than
    // refused, because some firmware pads requests with stray bytes.
    while (pos < size) {
        auto name = next_string(data, size, pos);
        if (!name) {
            break;
        }
        auto value = next_string(data, size, pos);
        if (!value) {
            break;
        }
        if (name->empty()) {
            continue;  // NUL padding
        }
        std::string option_name = lower(*name);
        const bool duplicate = std::any_of(request.options.begin(), request.options.end(),
                                           [&](const RequestOption& o) { return o.name == option_name; });
        if (duplicate) {
            return option_error("duplicate option " + option_name);
        }
        request.options.push_back(RequestOption{std::move(option_name), std::string(*value)});
    }
    return request;
}

TransferPacket parse_transfer_packet(const uint8_t* data, size_t size) {
    TransferPacket packet;
    if (size < 4) {
        return packet;
    }
    switch (read_u16(data)) {
    case static_cast<uint16_t>(Opcode::Ack):
        packet.kind = TransferPacket::Kind::Ack;
        packet.block = read_u16(data + 2);
        break;
    case static_cast<uint16_t>(Opcode::Data):
        packet.kind = TransferPacket::Kind::Data;
        packet.block = read_u16(data + 2);
        packet.payload = data + 4;
        packet.payload_size = size - 4;
        break;
    case static_cast<uint16_t>(Opcode::Error): {
        packet.kind = TransferPacket::Kind::Error;
        packet.error_code = read_u16(data + 2);
        const char* text = reinterpret_cast<const char*>(data + 4);
        const size_t available = size - 4;
        const auto* nul = static_cast<const char*>(std::memchr(text, 0, available));
        packet.error_message.assign(text, nul ? static_cast<size_t>(nul - text) : available);
        // Keep log lines printable and short.
        if (packet.error_message.size() > 128) {
            packet.error_message.resize(128);
        }
        for (char& c : packet.error_message) {
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
                c = '?';
            }
        }
        break;
    }
    default:
        packet.kind = TransferPacket::Kind::Other;
        break;
    }
    return packet;
}

void write_data_header(uint8_t* out, uint16_t block) {
    out[0] = 0;
    out[1] = static_cast<uint8_t>(Opcode::Data);
    out[2] = static_cast<uint8_t>(block >> 8);
    out[3] = static_cast<uint8_t>(block & 0xFF);
}

std::vector<uint8_t> make_ack(uint16_t block) {
    std::vector<uint8_t> out;
    append_u16(out, static_cast<uint16_t>(Opcode::Ack));
    append_u16(out, block);
    return out;
}

std::vector<uint8_t> make_error(ErrorCode code, std::string_view message) {
    std::vector<uint8_t> out;
    out.reserve(5 + message.size());
    append_u16(out, static_cast<uint16_t>(Opcode::Error));
    append_u16(out, static_cast<uint16_t>(code));
    append_string(out, message);
    return out;
}

std::vector<uint8_t> make_option_ack(const std::vector<RequestOption>& options) {
    std::vector<uint8_t> out;
    append_u16(out, static_cast<uint16_t>(Opcode::OptionAck));
    for (const auto& option : options) {
        append_string(out, option.name);
        append_string(out, option.value);
    }
    return out;
}

std::variant<Negotiated, ProtocolError> negotiate(const std::vector<RequestOption>& requested,
                                                  std::optional<uint64_t> file_size,
                                                  const NegotiationLimits& limits) {
    Negotiated result;
    result.timeout_ms = limits.default_timeout_ms;
    const uint32_t blksize_cap =
        std::clamp(limits.max_blksize, kMinBlockSize, kMaxBlockSize);
    std::optional<uint32_t> asked_window;
    for (const auto& option : requested) {
        if (option.name == "blksize") {
            auto value = parse_decimal(option.value, kMaxBlockSize);
            if (!value || *value < kMinBlockSize || *value > kMaxBlockSize) {
                return option_error("blksize must be 8..65464");
            }
            result.blksize = std::min(static_cast<uint32_t>(*value), blksize_cap);
            result.acknowledged.push_back({"blksize", std::to_string(result.blksize)});
        } else if (option.name == "timeout") {
            auto value = parse_decimal(option.value, 255);
            if (!value || *value < 1 || *value > 255) {
                return option_error("timeout must be 1..255");
            }
            result.timeout_ms = static_cast<uint32_t>(*value) * 1000;
            result.acknowledged.push_back({"timeout", std::to_string(*value)});
        } else if (option.name == "tsize") {
            auto value = parse_decimal(option.value, UINT64_MAX - 1);
            if (!value) {
                return option_error("tsize must be a number");
            }
            result.client_asked_tsize = true;
            if (file_size) {
                result.acknowledged.push_back({"tsize", std::to_string(*file_size)});
            }
        } else if (option.name == "windowsize") {
            auto value = parse_decimal(option.value, kMaxWindowSize);
            if (!value || *value < 1 || *value > kMaxWindowSize) {
                return option_error("windowsize must be 1..65535");
            }
            asked_window = static_cast<uint32_t>(*value);
            result.acknowledged.push_back({"windowsize", ""});  // value fixed below, once blksize is known
        }
        // Anything else is ignored: RFC 2347 lets a server leave unknown options out of the OACK.
    }
    if (asked_window) {
        const uint64_t by_bytes = std::max<uint64_t>(1, limits.max_window_bytes / result.blksize);
        const uint64_t window = std::min<uint64_t>({*asked_window, std::max<uint32_t>(1, limits.max_windowsize), by_bytes});
        result.windowsize = static_cast<uint32_t>(window);
        for (auto& option : result.acknowledged) {
            if (option.name == "windowsize") {
                option.value = std::to_string(result.windowsize);
            }
        }
    }
    return result;
}

std::string to_netascii(std::string_view raw) {
    std::string out;
    out.reserve(raw.size() + raw.size() / 16);
    for (char c : raw) {
        if (c == '\n') {
            out.push_back('\r');
            out.push_back('\n');
        } else if (c == '\r') {
            out.push_back('\r');
            out.push_back('\0');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

const char* error_code_name(uint16_t code) {
    switch (code) {
    case 0: return "not-defined";
    case 1: return "file-not-found";
    case 2: return "access-violation";
    case 3: return "disk-full";
    case 4: return "illegal-operation";
    case 5: return "unknown-transfer-id";
    case 6: return "file-exists";
    case 7: return "no-such-user";
    case 8: return "option-negotiation-failed";
    default: return "unknown";
    }
}

}  // namespace netboot::tftpd
