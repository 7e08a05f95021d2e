// The I/O shell around the pure parts: Boost.Asio on one thread, listening
// sockets (dual-stack or explicit), one connected ephemeral socket per
// transfer, the retransmission timer per transfer, and the counters.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config.h"
#include "protocol.h"
#include "resolver.h"

namespace netboot::tftpd {

struct Counters {
    uint64_t requests = 0;
    uint64_t transfers_started = 0;
    uint64_t transfers_completed = 0;
    uint64_t size_probes = 0;          // edk2 tsize probe + ERROR 8: expected, not a failure
    uint64_t client_aborts = 0;
    uint64_t timeouts = 0;
    uint64_t read_errors = 0;
    uint64_t refused_not_found = 0;
    uint64_t refused_access = 0;       // escapes, non-regular files, allow-list, WRQ
    uint64_t refused_busy = 0;
    uint64_t refused_options = 0;
    uint64_t refused_malformed = 0;
    uint64_t dropped_packets = 0;      // not a request on the listening port
    uint64_t duplicate_requests = 0;   // a request again from a client port with a transfer running
    uint64_t bytes_sent = 0;           // acknowledged payload bytes
    uint64_t uploads_completed = 0;
    uint64_t bytes_received = 0;
    uint64_t retransmissions = 0;
    uint64_t active = 0;
    uint64_t peak_active = 0;
};

class Session;

class Server {
public:
    // uploads may be null: write requests are then refused.
    Server(boost::asio::io_context& io, std::shared_ptr<const Settings> settings,
           std::shared_ptr<const RootResolver> resolver, std::shared_ptr<const UploadDirectory> uploads = nullptr);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Opens and binds every listen address; throws std::runtime_error.
    void bind();
    void start();
    // New transfers use the new settings; running ones finish with theirs.
    void reconfigure(std::shared_ptr<const Settings> settings, std::shared_ptr<const RootResolver> resolver,
                     std::shared_ptr<const UploadDirectory> uploads);
    // Closes the listeners and ends running transfers with TFTP error 0.
    void stop();

    const Counters& counters() const { return counters_; }
    std::string counters_line() const;
    std::vector<boost::asio::ip::udp::endpoint> local_endpoints() const;

private:
    friend class Session;
    struct Listener;

    void wait_for_requests(Listener& listener);
    void read_requests(Listener& listener);
    void handle_request(const boost::asio::ip::udp::endpoint& client, const boost::asio::ip::address& local,
                        const uint8_t* data, size_t size);
    void refuse(const boost::asio::ip::udp::endpoint& client, const boost::asio::ip::address& local,
                uint16_t code, const std::string& message, const std::string& file);
    void session_finished(Session& session);
    void start_upload(const boost::asio::ip::udp::endpoint& client, const boost::asio::ip::address& local,
                      const Request& request, const std::string& raw);
    uint8_t* send_buffer() { return send_buffer_.get(); }
    size_t send_buffer_size() const { return send_buffer_size_; }

    boost::asio::io_context& io_;
    std::shared_ptr<const Settings> settings_;
    std::shared_ptr<const RootResolver> resolver_;
    std::shared_ptr<const UploadDirectory> uploads_;
    std::vector<std::unique_ptr<Listener>> listeners_;
    std::unordered_map<Session*, std::shared_ptr<Session>> sessions_;
    struct FreeDeleter {
        void operator()(uint8_t* p) const;
    };
    // One thread: every transfer renders its DATA batches here. Page-aligned,
    // so each packet can be placed with its data on a cache-line boundary.
    size_t send_buffer_size_;
    std::unique_ptr<uint8_t, FreeDeleter> send_buffer_;
    std::vector<uint8_t> receive_buffer_;
    Counters counters_;
    bool stopping_ = false;
};

}  // namespace netboot::tftpd
