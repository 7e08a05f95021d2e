#include "io.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>

namespace radvd_lite {

namespace {

constexpr unsigned kIfaFlagTentative = 0x40;  // IFA_F_TENTATIVE
constexpr unsigned kIfaFlagDadFailed = 0x08;  // IFA_F_DADFAILED
constexpr unsigned kScopeLinkLocal = 0x20;

const Ipv6Address kAllNodes = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const Ipv6Address kAllRouters = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

bool linkLocalReady(const std::string& name) {
    // /proc/net/if_inet6: address index prefix-length scope flags name
    std::FILE* f = std::fopen("/proc/net/if_inet6", "re");
    if (!f) {
        return false;
    }
    char address[33], ifname[IFNAMSIZ + 1];
    unsigned index, length, scope, flags;
    bool ready = false;
    while (std::fscanf(f, "%32s %x %x %x %x %16s", address, &index, &length, &scope, &flags, ifname) == 6) {
        if (name == ifname && scope == kScopeLinkLocal && (flags & (kIfaFlagTentative | kIfaFlagDadFailed)) == 0) {
            ready = true;
            break;
        }
    }
    std::fclose(f);
    return ready;
}

}  // namespace

LinkState queryLink(const std::string& name) {
    LinkState state;
    state.index = if_nametoindex(name.c_str());
    if (state.index == 0) {
        return state;
    }
    const netboot::UniqueFd fd(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        return state;
    }
    ifreq request{};
    std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd.get(), SIOCGIFFLAGS, &request) == 0) {
        state.up = (request.ifr_flags & IFF_UP) && (request.ifr_flags & IFF_RUNNING);
    }
    if (ioctl(fd.get(), SIOCGIFHWADDR, &request) == 0) {
        // Only Ethernet-like links have a 6-octet address worth sending.
        const bool ethernet_like = request.ifr_hwaddr.sa_family == 1;  // ARPHRD_ETHER
        if (ethernet_like) {
            MacAddress mac;
            std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, mac.size());
            state.mac = mac;
        }
    }
    state.link_local_ready = state.up && linkLocalReady(name);
    return state;
}

std::unique_ptr<InterfaceSocket> InterfaceSocket::open(const std::string& name, unsigned index, std::string& error) {
    const int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return nullptr;
    }
    std::unique_ptr<InterfaceSocket> s(new InterfaceSocket(fd, index));
    auto fail = [&](const char* what) {
        error = std::string(what) + ": " + std::strerror(errno);
        return nullptr;
    };
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(), static_cast<socklen_t>(name.size())) != 0) {
        return fail("SO_BINDTODEVICE");
    }
    const int hops = 255;
    const int on = 1;
    const int off = 0;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0) {
        return fail("IPV6_*_HOPS");
    }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) != 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0) {
        return fail("IPV6_MULTICAST_*");
    }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) != 0) {
        return fail("IPV6_RECVHOPLIMIT");
    }
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
    ICMP6_FILTER_SETPASS(ND_ROUTER_ADVERT, &filter);
    ICMP6_FILTER_SETPASS(ND_NEIGHBOR_SOLICIT, &filter);
    if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) {
        return fail("ICMP6_FILTER");
    }
    ipv6_mreq join{};
    std::memcpy(&join.ipv6mr_multiaddr, kAllRouters.data(), 16);
    join.ipv6mr_interface = index;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &join, sizeof join) != 0) {
        return fail("IPV6_JOIN_GROUP ff02::2");
    }
    return s;
}

bool InterfaceSocket::send(const Bytes& packet, const Ipv6Address* destination, std::string& error) {
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    std::memcpy(&to.sin6_addr, (destination ? *destination : kAllNodes).data(), 16);
    to.sin6_scope_id = index_;
    const ssize_t sent = sendto(fd_.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    if (sent != static_cast<ssize_t>(packet.size())) {
        error = sent < 0 ? std::strerror(errno) : "short send";
        return false;
    }
    return true;
}

bool InterfaceSocket::receive(ReceivedPacket& packet) {
    sockaddr_in6 from{};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int)) * 2];
    iovec iov{packet.buffer.data(), packet.buffer.size()};
    msghdr message{};
    message.msg_name = &from;
    message.msg_namelen = sizeof from;
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(fd_.get(), &message, MSG_DONTWAIT);
    if (n < 0) {
        return false;
    }
    packet.size = static_cast<size_t>(n);
    std::memcpy(packet.source.data(), &from.sin6_addr, 16);
    packet.hop_limit = -1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
            std::memcpy(&packet.hop_limit, CMSG_DATA(c), sizeof(int));
        }
    }
    return true;
}

}  // namespace radvd_lite
