#include "server.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <sstream>

#include "log.h"
#include "protocol.h"
#include "transfer.h"

namespace netboot::tftpd {

namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kRequestsPerWakeup = 64;   // fairness between listeners and transfers
constexpr int kSocketBufferBytes = 1 << 20;
constexpr size_t kBatch = 64;                 // DATA packets per sendmmsg
// Each DATA packet's payload starts on a cache line of the page-aligned send
// buffer (its 4-byte header just before): copying file data to a
// destination a few bytes past a line boundary measured 2-4x slower here,
// which made lock-step at blksize 8192 slower than tftpd-hpa.
constexpr size_t kDataAlignment = 64;
constexpr size_t kDataHeader = 4;

constexpr size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

asio::ip::address unmapped(const asio::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    return address;
}

udp::endpoint unmapped(const udp::endpoint& endpoint) {
    return udp::endpoint(unmapped(endpoint.address()), endpoint.port());
}

std::string endpoint_text(const udp::endpoint& endpoint) {
    std::ostringstream out;
    out << endpoint;
    return out.str();
}

std::string printable(const std::string& text) {
    std::string out;
    for (char c : text.substr(0, 256)) {
        const auto byte = static_cast<unsigned char>(c);
        out.push_back(byte < 0x20 || byte > 0x7e || c == '"' ? '?' : c);
    }
    return out;
}

// Reads small blocks through an 8 KiB read-ahead chunk: at blksize 512 that
// is one pread per 16 DATA packets instead of one per packet. The chunk
// exists only for small blocks, so memory per transfer stays bounded.
class FileSource : public BlockSource {
public:
    static constexpr size_t kChunk = 8192;

    explicit FileSource(UniqueFd fd) : fd_(std::move(fd)) {}

    size_t read_at(uint64_t offset, uint8_t* out, size_t length) override {
        if (length >= kChunk) {
            return read_direct(offset, out, length);
        }
        if (offset < chunk_offset_ || offset + length > chunk_offset_ + chunk_.size()) {
            chunk_.resize(kChunk);
            chunk_offset_ = offset;
            chunk_.resize(read_direct(offset, chunk_.data(), kChunk));
        }
        const size_t start = static_cast<size_t>(offset - chunk_offset_);
        const size_t n = std::min(length, chunk_.size() - std::min(start, chunk_.size()));
        std::memcpy(out, chunk_.data() + start, n);
        return n;
    }

private:
    size_t read_direct(uint64_t offset, uint8_t* out, size_t length) {
        return netboot::readFullyAt(fd_.get(), out, length, offset);
    }

    UniqueFd fd_;
    std::vector<uint8_t> chunk_;
    uint64_t chunk_offset_ = 0;
};

class MemorySource : public BlockSource {
public:
    explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
    size_t read_at(uint64_t offset, uint8_t* out, size_t length) override {
        if (offset >= bytes_.size()) {
            return 0;
        }
        const size_t n = std::min<size_t>(length, bytes_.size() - static_cast<size_t>(offset));
        std::memcpy(out, bytes_.data() + offset, n);
        return n;
    }
    uint64_t size() const { return bytes_.size(); }

private:
    std::string bytes_;
};

// An upload being written; removed again unless it completed.
class FileSink : public BlockSink {
public:
    FileSink(std::shared_ptr<const UploadDirectory> directory, CreatedFile file)
        : directory_(std::move(directory)), file_(std::move(file)) {}
    ~FileSink() override {
        if (!complete_) {
            directory_->remove(file_.name);
        }
    }
    bool write_at(uint64_t offset, const uint8_t* data, size_t length) override {
        return netboot::writeFullyAt(file_.fd.get(), data, length, offset);
    }
    bool finish() override {
        complete_ = ::close(file_.fd.release()) == 0;
        return complete_;
    }

private:
    std::shared_ptr<const UploadDirectory> directory_;
    CreatedFile file_;
    bool complete_ = false;
};

// Opens the socket a transfer (or a refusal) is sent from: a fresh port on the
// address the request arrived at, connected to the client so the kernel
// filters out every other sender.
std::optional<udp::socket> open_reply_socket(asio::io_context& io, const udp::endpoint& client,
                                             asio::ip::address local) {
    boost::system::error_code ec;
    udp::socket socket(io);
    if (local.is_v6() && client.address().is_v6()) {
        auto v6 = local.to_v6();
        if (v6.is_link_local()) {
            v6.scope_id(client.address().to_v6().scope_id());
            local = v6;
        }
    }
    const udp::endpoint bind_to(local, 0);
    socket.open(bind_to.protocol(), ec);
    if (!ec) {
        socket.bind(bind_to, ec);
    }
    if (!ec) {
        socket.connect(client, ec);
    }
    if (ec) {
        log::line(log::Level::Warn, "cannot open a reply socket to " + endpoint_text(client) + ": " + ec.message());
        return std::nullopt;
    }
    socket.set_option(asio::socket_base::send_buffer_size(kSocketBufferBytes), ec);
    socket.non_blocking(true, ec);
    return socket;
}

// Largest blksize that fits the path MTU towards the client, so big blocks
// are never fragmented (a lost fragment loses the whole block).
uint32_t blksize_for_path(udp::socket& socket) {
    int mtu = 0;
    socklen_t length = sizeof(mtu);
    const bool v4 = socket.local_endpoint().protocol() == udp::v4();
    const int level = v4 ? IPPROTO_IP : IPPROTO_IPV6;
    const int name = v4 ? IP_MTU : IPV6_MTU;
    if (::getsockopt(socket.native_handle(), level, name, &mtu, &length) != 0 || mtu <= 0) {
        return kMaxBlockSize;
    }
    const int overhead = (v4 ? 20 : 40) + 8 + 4;
    return static_cast<uint32_t>(std::clamp(mtu - overhead, static_cast<int>(kDefaultBlockSize),
                                            static_cast<int>(kMaxBlockSize)));
}

// The limits every transfer on `socket` shares: the configured block size,
// lowered to what fits the path MTU when asked, and the timeout.
NegotiationLimits limits_for(const Settings& settings, udp::socket& socket) {
    NegotiationLimits limits;
    limits.max_blksize = settings.max_blksize;
    if (settings.blksize_fits_mtu) {
        limits.max_blksize = std::min(limits.max_blksize, blksize_for_path(socket));
    }
    limits.default_timeout_ms = settings.timeout_ms;
    return limits;
}

}  // namespace

struct Server::Listener {
    explicit Listener(asio::io_context& io) : socket(io) {}
    udp::socket socket;
    ListenAddress address;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Server& server, udp::socket socket, std::unique_ptr<BlockSource> source,
            std::unique_ptr<BlockSink> sink, std::unique_ptr<Transfer> transfer, std::string file)
        : server_(server),
          socket_(std::move(socket)),
          timer_(server.io_),
          source_(std::move(source)),
          sink_(std::move(sink)),
          transfer_(std::move(transfer)),
          file_(std::move(file)),
          client_(unmapped(socket_.remote_endpoint())),
          started_(Clock::now()),
          // One byte more than a full DATA packet, so an oversized block
          // arrives oversized (and is refused) instead of silently cut.
          receive_buffer_(transfer_->is_upload() ? transfer_->blksize() + 5 : 1024) {}

    void start() {
        receive();
        apply(transfer_->start());
    }

    // Server shutdown: tell the client, then end without waiting.
    void abort(const std::string& why) {
        const auto packet = make_error(ErrorCode::NotDefined, why);
        boost::system::error_code ec;
        socket_.send(asio::buffer(packet), 0, ec);
        close();
    }

    const Transfer& transfer() const { return *transfer_; }
    const udp::endpoint& client() const { return client_; }
    // The request's bytes, to know it again when the client repeats it.
    std::string request;
    const std::string& file() const { return file_; }
    double seconds() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

private:
    void receive() {
        socket_.async_receive(asio::buffer(receive_buffer_),
                              [self = shared_from_this()](const boost::system::error_code& ec, size_t size) {
                                  self->on_receive(ec, size);
                              });
    }

    void on_receive(const boost::system::error_code& ec, size_t size) {
        if (closed_) {
            return;
        }
        if (ec) {
            // ECONNREFUSED: an ICMP error for an earlier packet; the
            // retransmission timer decides whether the client is gone.
            if (ec != asio::error::operation_aborted && ++receive_errors_ > 1000) {
                close();
                return;
            }
            receive();
            return;
        }
        const Step step = transfer_->on_packet(receive_buffer_.data(), size);
        apply(step);
        if (!closed_) {
            receive();
        }
    }

    void apply(const Step& step) {
        if (step.control) {
            send(step.control->data(), step.control->size());
        }
        // A window goes out in batches of sendmmsg: one system call for up to
        // kBatch DATA packets rendered side by side in the server's buffer.
        const uint64_t last = transfer_->total_blocks();
        uint8_t* const begin = server_.send_buffer();
        const size_t capacity = server_.send_buffer_size();
        const size_t slot = round_up(transfer_->blksize() + kDataHeader, kDataAlignment);
        std::array<iovec, kBatch> parts;  // only the first `count` are used: not zeroed per packet
        size_t count = 0;
        for (uint64_t i = 0; i < step.block_count; ++i) {
            const uint64_t block = step.first_block + i;
            if (block > last) {
                break;
            }
            if (count == kBatch || (count + 1) * slot + kDataAlignment > capacity) {
                send_batch(parts.data(), count);
                count = 0;
            }
            uint8_t* const packet = begin + kDataAlignment - kDataHeader + count * slot;
            const size_t length = transfer_->render_block(block, packet);
            parts[count++] = iovec{packet, length};
        }
        send_batch(parts.data(), count);
        if (step.finished || transfer_->outcome() != Outcome::InProgress) {
            close();
            return;
        }
        if (step.timer_ms) {
            arm_timer(*step.timer_ms);
        }
    }

    void send_batch(iovec* parts, size_t count) {
        std::array<mmsghdr, kBatch> messages;  // 4 KiB: zero only the entries used
        for (size_t i = 0; i < count; ++i) {
            messages[i] = mmsghdr{};
            messages[i].msg_hdr.msg_iov = &parts[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        size_t sent = 0;
        int stalls = 0;
        while (sent < count && stalls < 3) {
            const int n = ::sendmmsg(socket_.native_handle(), messages.data() + sent,
                                     static_cast<unsigned>(count - sent), 0);
            if (n > 0) {
                sent += static_cast<size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                pollfd ready{socket_.native_handle(), POLLOUT, 0};
                ::poll(&ready, 1, 10);
                ++stalls;
                continue;
            }
            // ECONNREFUSED and friends: skip this packet, the client's ACKs
            // (or their absence) decide what happens next.
            ++sent;
        }
    }

    void send(const uint8_t* data, size_t size) {
        boost::system::error_code ec;
        for (int attempt = 0; attempt < 3; ++attempt) {
            socket_.send(asio::buffer(data, size), 0, ec);
            if (ec != asio::error::would_block) {
                break;
            }
            // Send buffer full inside a big window: wait briefly for room
            // rather than dropping our own packet.
            pollfd ready{socket_.native_handle(), POLLOUT, 0};
            ::poll(&ready, 1, 10);
        }
    }

    // The timer is re-armed lazily: an ACK only moves deadline_, and the
    // timer, when it fires early, sleeps again until the deadline. That keeps
    // timer system calls off the per-packet path.
    void arm_timer(uint32_t milliseconds) {
        const auto deadline = Clock::now() + std::chrono::milliseconds(milliseconds);
        const bool earlier = deadline < deadline_;
        deadline_ = deadline;
        if (!timer_waiting_ || earlier) {
            wait_for_deadline();
        }
    }

    void wait_for_deadline() {
        timer_waiting_ = true;
        timer_.expires_at(deadline_);
        timer_.async_wait([self = shared_from_this(), generation = ++timer_generation_](
                              const boost::system::error_code&) { self->on_timer(generation); });
    }

    void on_timer(uint64_t generation) {
        if (closed_ || generation != timer_generation_) {
            return;  // superseded by a re-arm, or the transfer is over
        }
        timer_waiting_ = false;
        if (Clock::now() < deadline_) {
            wait_for_deadline();
            return;
        }
        deadline_ = Clock::time_point::max();
        apply(transfer_->on_timeout());
    }

    void close() {
        if (closed_) {
            return;
        }
        closed_ = true;
        boost::system::error_code ec;
        timer_.cancel();
        socket_.close(ec);
        server_.session_finished(*this);  // may drop the last owning reference held by the server
    }

    Server& server_;
    udp::socket socket_;
    asio::steady_timer timer_;
    std::unique_ptr<BlockSource> source_;
    std::unique_ptr<BlockSink> sink_;
    std::unique_ptr<Transfer> transfer_;
    std::string file_;
    udp::endpoint client_;
    Clock::time_point started_;
    Clock::time_point deadline_ = Clock::time_point::max();
    bool timer_waiting_ = false;
    uint64_t timer_generation_ = 0;
    bool closed_ = false;
    unsigned receive_errors_ = 0;
    std::vector<uint8_t> receive_buffer_;  // ACKs for downloads, whole blocks for uploads
};

Server::Server(asio::io_context& io, std::shared_ptr<const Settings> settings,
               std::shared_ptr<const RootResolver> resolver, std::shared_ptr<const UploadDirectory> uploads)
    : io_(io),
      settings_(std::move(settings)),
      resolver_(std::move(resolver)),
      uploads_(std::move(uploads)),
      send_buffer_size_(std::max<size_t>(256u << 10, round_up(kMaxBlockSize + 4 + kDataAlignment, 4096))),
      send_buffer_(static_cast<uint8_t*>(std::aligned_alloc(4096, send_buffer_size_))),
      receive_buffer_(65536) {
    if (!send_buffer_) {
        throw std::bad_alloc();
    }
}

void Server::FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

Server::~Server() = default;

void Server::bind() {
    for (const ListenAddress& address : settings_->listen) {
        auto listener = std::make_unique<Listener>(io_);
        listener->address = address;
        const udp::endpoint endpoint(address.address, address.port);
        boost::system::error_code ec;
        listener->socket.open(endpoint.protocol(), ec);
        if (!ec && address.address.is_v6()) {
            // "::" means dual-stack; a specific IPv6 address means just that.
            listener->socket.set_option(asio::ip::v6_only(!address.address.is_unspecified()), ec);
        }
        if (!ec) {
            const int on = 1;
            const int fd = listener->socket.native_handle();
            const int rc = address.address.is_v6()
                               ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on))
                               : ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
            if (rc != 0) {
                ec = boost::system::error_code(errno, boost::system::system_category());
            }
        }
        if (!ec) {
            listener->socket.bind(endpoint, ec);
        }
        if (ec) {
            throw std::runtime_error("cannot listen on " + address.text + ": " + ec.message());
        }
        boost::system::error_code ignored;
        listener->socket.set_option(asio::socket_base::receive_buffer_size(kSocketBufferBytes), ignored);
        listener->socket.non_blocking(true, ignored);
        listeners_.push_back(std::move(listener));
    }
}

std::vector<udp::endpoint> Server::local_endpoints() const {
    std::vector<udp::endpoint> endpoints;
    for (const auto& listener : listeners_) {
        boost::system::error_code ec;
        endpoints.push_back(listener->socket.local_endpoint(ec));
    }
    return endpoints;
}

void Server::start() {
    for (auto& listener : listeners_) {
        log::line(log::Level::Info, "listening on " + endpoint_text(listener->socket.local_endpoint()) +
                                     (listener->address.address.is_unspecified() && listener->address.address.is_v6()
                                          ? " (IPv6 and IPv4)"
                                          : ""));
        wait_for_requests(*listener);
    }
}

void Server::wait_for_requests(Listener& listener) {
    listener.socket.async_wait(udp::socket::wait_read, [this, &listener](const boost::system::error_code& ec) {
        if (ec || stopping_) {
            return;
        }
        read_requests(listener);
        wait_for_requests(listener);
    });
}

void Server::read_requests(Listener& listener) {
    for (size_t i = 0; i < kRequestsPerWakeup; ++i) {
        sockaddr_storage from{};
        iovec data{receive_buffer_.data(), receive_buffer_.size()};
        alignas(cmsghdr) char control[256];
        msghdr message{};
        message.msg_name = &from;
        message.msg_namelen = sizeof(from);
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof(control);
        const ssize_t size = ::recvmsg(listener.socket.native_handle(), &message, MSG_DONTWAIT);
        if (size < 0) {
            return;  // EAGAIN, or an error the next wake-up will see again
        }
        asio::ip::address local;
        for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                in_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(c), sizeof(info));
                asio::ip::address_v4::bytes_type bytes;
                std::memcpy(bytes.data(), &info.ipi_addr, 4);
                local = asio::ip::address_v4(bytes);
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(c), sizeof(info));
                asio::ip::address_v6::bytes_type bytes;
                std::memcpy(bytes.data(), &info.ipi6_addr, 16);
                local = asio::ip::address_v6(bytes, info.ipi6_ifindex);
            }
        }
        udp::endpoint client;
        if (from.ss_family == AF_INET) {
            std::memcpy(client.data(), &from, sizeof(sockaddr_in));
        } else if (from.ss_family == AF_INET6) {
            std::memcpy(client.data(), &from, sizeof(sockaddr_in6));
        } else {
            continue;
        }
        if (local.is_unspecified()) {
            local = listener.address.address;
        }
        handle_request(unmapped(client), unmapped(local), receive_buffer_.data(), static_cast<size_t>(size));
    }
}

void Server::refuse(const udp::endpoint& client, const asio::ip::address& local, uint16_t code,
                    const std::string& message, const std::string& file) {
    const log::Level level = code == static_cast<uint16_t>(ErrorCode::NotDefined) ? log::Level::Warn : log::Level::Info;
    log::line(level, "refused client=" + endpoint_text(client) + " file=\"" + printable(file) + "\" error=" +
                        std::to_string(code) + " (" + error_code_name(code) + ") reason=\"" + message + "\"");
    auto socket = open_reply_socket(io_, client, local);
    if (!socket) {
        return;
    }
    const auto packet = make_error(static_cast<ErrorCode>(code), message);
    boost::system::error_code ec;
    socket->send(asio::buffer(packet), 0, ec);
}

void Server::handle_request(const udp::endpoint& client, const asio::ip::address& local, const uint8_t* data,
                            size_t size) {
    ++counters_.requests;
    const Settings& settings = *settings_;
    if (size < 2 || (data[1] != static_cast<uint8_t>(Opcode::ReadRequest) &&
                     data[1] != static_cast<uint8_t>(Opcode::WriteRequest)) || data[0] != 0) {
        // Answering stray DATA/ACK/ERROR on port 69 could start loops between
        // servers or reflect traffic; drop them.
        ++counters_.dropped_packets;
        log::line(log::Level::Debug, "dropped a non-request packet from " + endpoint_text(client));
        return;
    }
    if (!settings.allow.empty() &&
        std::none_of(settings.allow.begin(), settings.allow.end(),
                     [&](const ClientNetwork& network) { return network.contains(client.address()); })) {
        ++counters_.refused_access;
        refuse(client, local, static_cast<uint16_t>(ErrorCode::AccessViolation), "client not allowed", "");
        return;
    }
    auto parsed = parse_request(data, size);
    if (auto* error = std::get_if<ProtocolError>(&parsed)) {
        if (error->code == ErrorCode::OptionNegotiationFailed) {
            ++counters_.refused_options;
        } else {
            ++counters_.refused_malformed;
        }
        refuse(client, local, static_cast<uint16_t>(error->code), error->message, "");
        return;
    }
    const Request& request = std::get<Request>(parsed);
    // A client retransmits its request when the first answer is slow or
    // lost; its port is its transfer ID (RFC 1350), so the same request from
    // a port that already has a transfer is that transfer's request again
    // (edk2's second request after its size probe differs). Starting
    // a second transfer would answer the client from two ports: curl, for
    // one, follows the second and never acknowledges the first again.
    const std::string request_bytes(reinterpret_cast<const char*>(data), size);
    for (const auto& [key, session] : sessions_) {
        if (session->client() == client && session->request == request_bytes) {
            ++counters_.duplicate_requests;
            log::line(log::Level::Debug, "duplicate request client=" + endpoint_text(client) + " file=\"" +
                                          printable(request.filename) + "\": its transfer is running");
            return;
        }
    }
    if (request.opcode == Opcode::WriteRequest && !uploads_) {
        ++counters_.refused_access;
        refuse(client, local, static_cast<uint16_t>(ErrorCode::AccessViolation), "read-only server",
               request.filename);
        return;
    }
    if (counters_.active >= settings.max_transfers) {
        ++counters_.refused_busy;
        refuse(client, local, static_cast<uint16_t>(ErrorCode::NotDefined), "server busy, retry later",
               request.filename);
        return;
    }
    if (request.opcode == Opcode::WriteRequest) {
        start_upload(client, local, request, request_bytes);
        return;
    }
    const std::string path = apply_remap(settings.remap, request.filename, client.address());
    if (path != request.filename) {
        log::line(log::Level::Debug, "remapped \"" + printable(request.filename) + "\" to \"" + printable(path) + "\"");
    }
    auto opened = resolver_->open_for_read(path);
    if (auto* error = std::get_if<ProtocolError>(&opened)) {
        if (error->code == ErrorCode::FileNotFound) {
            ++counters_.refused_not_found;
        } else {
            ++counters_.refused_access;
        }
        refuse(client, local, static_cast<uint16_t>(error->code), error->message, request.filename);
        return;
    }
    OpenedFile& file = std::get<OpenedFile>(opened);
    std::unique_ptr<BlockSource> source;
    uint64_t size_to_send = file.size;
    if (request.mode == TransferMode::Netascii) {
        if (file.size > settings.netascii_max_bytes) {
            ++counters_.refused_access;
            refuse(client, local, static_cast<uint16_t>(ErrorCode::AccessViolation),
                   "file too large for netascii, use octet", request.filename);
            return;
        }
        std::string raw(static_cast<size_t>(file.size), '\0');
        raw.resize(netboot::readFullyAt(file.fd.get(), raw.data(), raw.size(), 0));
        auto converted = std::make_unique<MemorySource>(to_netascii(raw));
        size_to_send = converted->size();
        source = std::move(converted);
    } else {
        source = std::make_unique<FileSource>(std::move(file.fd));
    }
    auto socket = open_reply_socket(io_, client, local);
    if (!socket) {
        return;
    }
    NegotiationLimits limits = limits_for(settings, *socket);
    limits.max_windowsize = settings.max_windowsize;
    limits.max_window_bytes = settings.max_window_bytes;
    auto negotiated = negotiate(request.options, size_to_send, limits);
    if (auto* error = std::get_if<ProtocolError>(&negotiated)) {
        ++counters_.refused_options;
        log::line(log::Level::Info, "refused client=" + endpoint_text(client) + " file=\"" +
                                     printable(request.filename) + "\" error=8 reason=\"" + error->message + "\"");
        const auto packet = make_error(error->code, error->message);
        boost::system::error_code ec;
        socket->send(asio::buffer(packet), 0, ec);
        return;
    }
    const Negotiated& options = std::get<Negotiated>(negotiated);
    TransferSettings transfer;
    transfer.blksize = options.blksize;
    transfer.windowsize = options.windowsize;
    transfer.timeout_ms = options.timeout_ms;
    transfer.max_timeout_ms = std::max(settings.max_timeout_ms, options.timeout_ms);
    transfer.max_retries = settings.retries;
    transfer.size = size_to_send;
    transfer.client_asked_tsize = options.client_asked_tsize;
    transfer.option_ack = options.acknowledged;
    auto read = std::make_unique<ReadTransfer>(std::move(transfer), *source);
    auto session = std::make_shared<Session>(*this, std::move(*socket), std::move(source), nullptr, std::move(read),
                                             file.relative_path);
    session->request = request_bytes;
    sessions_.emplace(session.get(), session);
    ++counters_.transfers_started;
    ++counters_.active;
    counters_.peak_active = std::max(counters_.peak_active, counters_.active);
    log::line(log::Level::Debug, "start client=" + endpoint_text(client) + " file=\"" + printable(request.filename) +
                                  "\" mode=" + (request.mode == TransferMode::Octet ? "octet" : "netascii"));
    session->start();
}

void Server::start_upload(const udp::endpoint& client, const asio::ip::address& local, const Request& request,
                          const std::string& raw) {
    const Settings& settings = *settings_;
    if (request.mode != TransferMode::Octet) {
        ++counters_.refused_access;
        refuse(client, local, static_cast<uint16_t>(ErrorCode::IllegalOperation), "uploads must use octet mode",
               request.filename);
        return;
    }
    auto socket = open_reply_socket(io_, client, local);
    if (!socket) {
        return;
    }
    const NegotiationLimits limits = limits_for(settings, *socket);
    auto negotiated = negotiate(request.options, std::nullopt, limits);
    auto send_error = [&](ErrorCode code, const std::string& message) {
        log::line(log::Level::Info, "refused client=" + endpoint_text(client) + " file=\"" + printable(request.filename) +
                                     "\" upload error=" + std::to_string(static_cast<int>(code)) + " reason=\"" +
                                     message + "\"");
        const auto packet = make_error(code, message);
        boost::system::error_code ec;
        socket->send(asio::buffer(packet), 0, ec);
    };
    if (auto* error = std::get_if<ProtocolError>(&negotiated)) {
        ++counters_.refused_options;
        send_error(error->code, error->message);
        return;
    }
    Negotiated options = std::get<Negotiated>(negotiated);
    // Uploads are lock-step: windowsize is left out of the OACK. tsize is the
    // client's announced size: echo it, and refuse early if it is too big.
    std::vector<RequestOption> acknowledged;
    for (const auto& option : options.acknowledged) {
        if (option.name != "windowsize") {
            acknowledged.push_back(option);
        }
    }
    for (const auto& option : request.options) {
        if (option.name == "tsize") {
            const unsigned long long announced = std::strtoull(option.value.c_str(), nullptr, 10);
            if (announced > settings.upload_max_bytes) {
                ++counters_.refused_access;
                send_error(ErrorCode::DiskFull, "upload too large");
                return;
            }
            acknowledged.push_back(option);
        }
    }
    auto created = uploads_->create(request.filename);
    if (auto* error = std::get_if<ProtocolError>(&created)) {
        ++counters_.refused_access;
        send_error(error->code, error->message);
        return;
    }
    CreatedFile& file = std::get<CreatedFile>(created);
    const std::string name = file.name;
    auto sink = std::make_unique<FileSink>(uploads_, std::move(file));
    UploadSettings upload;
    upload.blksize = options.blksize;
    upload.timeout_ms = options.timeout_ms;
    upload.max_timeout_ms = std::max(settings.max_timeout_ms, options.timeout_ms);
    upload.max_retries = settings.retries;
    upload.max_bytes = settings.upload_max_bytes;
    upload.option_ack = acknowledged;
    auto write = std::make_unique<WriteTransfer>(std::move(upload), *sink);
    auto session = std::make_shared<Session>(*this, std::move(*socket), nullptr, std::move(sink), std::move(write),
                                             "upload/" + name);
    session->request = raw;
    sessions_.emplace(session.get(), session);
    ++counters_.transfers_started;
    ++counters_.active;
    counters_.peak_active = std::max(counters_.peak_active, counters_.active);
    session->start();
}

void Server::session_finished(Session& session) {
    auto found = sessions_.find(&session);
    if (found == sessions_.end()) {
        return;
    }
    std::shared_ptr<Session> keep = found->second;  // outlive this function even if it was the last owner
    sessions_.erase(found);
    --counters_.active;
    const Transfer& transfer = session.transfer();
    const Outcome outcome = transfer.outcome();
    (transfer.is_upload() ? counters_.bytes_received : counters_.bytes_sent) += transfer.bytes_transferred();
    counters_.retransmissions += transfer.retransmissions();
    log::Level level = log::Level::Info;
    switch (outcome) {
    case Outcome::Completed:
        ++counters_.transfers_completed;
        counters_.uploads_completed += transfer.is_upload() ? 1 : 0;
        break;
    case Outcome::TooLarge: ++counters_.client_aborts; level = log::Level::Warn; break;
    case Outcome::SizeProbeAborted: ++counters_.size_probes; level = log::Level::Debug; break;
    case Outcome::ClientAborted: ++counters_.client_aborts; break;
    case Outcome::TimedOut: ++counters_.timeouts; level = log::Level::Warn; break;
    case Outcome::SourceFailed: ++counters_.read_errors; level = log::Level::Warn; break;
    case Outcome::InProgress: level = log::Level::Warn; break;  // stopped by shutdown
    }
    if (log::enabled(level)) {
        char duration[32];
        std::snprintf(duration, sizeof(duration), "%.3f", session.seconds());
        std::string line = std::string(transfer.is_upload() ? "upload" : "transfer") +
                           " client=" + endpoint_text(session.client()) + " file=\"" +
                           printable(session.file()) + "\" bytes=" + std::to_string(transfer.bytes_transferred()) +
                           " blksize=" + std::to_string(transfer.blksize()) +
                           " windowsize=" + std::to_string(transfer.windowsize()) +
                           " duration=" + duration + "s retransmissions=" +
                           std::to_string(transfer.retransmissions()) + " outcome=" +
                           (outcome == Outcome::InProgress ? "shutdown" : outcome_name(outcome));
        if (!transfer.detail().empty()) {
            line += " detail=\"" + printable(transfer.detail()) + "\"";
        }
        log::line(level, line);
    }
    // Destroy the session only after the current handler has unwound.
    asio::post(io_, [keep]() {});
}

void Server::reconfigure(std::shared_ptr<const Settings> settings, std::shared_ptr<const RootResolver> resolver,
                         std::shared_ptr<const UploadDirectory> uploads) {
    settings_ = std::move(settings);
    resolver_ = std::move(resolver);
    uploads_ = std::move(uploads);
}

void Server::stop() {
    stopping_ = true;
    for (auto& listener : listeners_) {
        boost::system::error_code ec;
        listener->socket.close(ec);
    }
    std::vector<std::shared_ptr<Session>> running;
    for (auto& [key, session] : sessions_) {
        running.push_back(session);
    }
    for (auto& session : running) {
        session->abort("server shutting down");
    }
}

std::string Server::counters_line() const {
    const Counters& c = counters_;
    std::ostringstream out;
    out << "counters requests=" << c.requests << " started=" << c.transfers_started
        << " completed=" << c.transfers_completed << " size-probes=" << c.size_probes
        << " client-aborts=" << c.client_aborts << " timeouts=" << c.timeouts << " read-errors=" << c.read_errors
        << " refused-not-found=" << c.refused_not_found << " refused-access=" << c.refused_access
        << " refused-busy=" << c.refused_busy << " refused-options=" << c.refused_options
        << " refused-malformed=" << c.refused_malformed << " dropped=" << c.dropped_packets
        << " duplicate-requests=" << c.duplicate_requests
        << " bytes-sent=" << c.bytes_sent << " uploads=" << c.uploads_completed
        << " bytes-received=" << c.bytes_received << " retransmissions=" << c.retransmissions << " active=" << c.active
        << " peak-active=" << c.peak_active;
    return out.str();
}

}  // namespace netboot::tftpd
