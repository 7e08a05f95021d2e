// The thin layer between radvd-lite and the kernel: one raw ICMPv6 socket
// per advertising interface, and what the kernel says about the link.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "fd.h"
#include "ra.h"

namespace radvd_lite {

struct LinkState {
    unsigned index = 0;        // 0: no such interface
    bool up = false;           // IFF_UP and IFF_RUNNING (carrier)
    bool link_local_ready = false;  // a link-local address that passed DAD
    std::optional<MacAddress> mac;
};

// Reads the interface's state from ioctl() and /proc/net/if_inet6: the
// kernel only sends RAs from a link-local address that is not tentative.
LinkState queryLink(const std::string& name);

struct ReceivedPacket {
    Bytes buffer = Bytes(65536);  // reused; the packet is buffer[0, size)
    size_t size = 0;
    Ipv6Address source{};
    int hop_limit = -1;
};

class InterfaceSocket {
public:
    // Opens the socket bound to the interface (SO_BINDTODEVICE), hop limit
    // 255 for sending, ICMPv6 filter RS/RA/NS, joined to ff02::2.
    static std::unique_ptr<InterfaceSocket> open(const std::string& name, unsigned index, std::string& error);
    int fd() const { return fd_.get(); }
    unsigned index() const { return index_; }

    // destination nullptr: all-nodes ff02::1. Returns errno text on failure.
    bool send(const Bytes& packet, const Ipv6Address* destination, std::string& error);
    // Non-blocking; false when nothing is queued.
    bool receive(ReceivedPacket& packet);

private:
    InterfaceSocket(int fd, unsigned index) : fd_(fd), index_(index) {}
    netboot::UniqueFd fd_;
    unsigned index_;
};

}  // namespace radvd_lite
