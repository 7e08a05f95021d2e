// The event loop: one Link per configured interface (socket, schedule,
// counters), one poll() over the sockets and the signal inbox.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "daemon_skeleton.h"
#include "config.h"
#include "io.h"
#include "schedule.h"

namespace radvd_lite {

struct Counters {
    uint64_t ra_sent_unsolicited = 0;
    uint64_t ra_sent_solicited_multicast = 0;
    uint64_t ra_sent_solicited_unicast = 0;
    uint64_t ra_sent_final = 0;
    uint64_t send_errors = 0;
    uint64_t rs_received = 0;
    uint64_t ra_received = 0;
    uint64_t ra_inconsistent = 0;  // valid RAs from other routers that disagree
    uint64_t ns_received = 0;
    uint64_t link_up = 0;
    uint64_t link_down = 0;
    // "<rs|ra|ns|other>.<reason>" -> packets dropped as malformed
    std::map<std::string, uint64_t> dropped;
};

std::string countersJson(const std::string& interface, const Counters& counters);

class Daemon {
public:
    Daemon(std::string config_path, Config config);
    // Runs until SIGTERM or SIGINT; returns the process exit code.
    int run();

private:
    struct Link {
        InterfaceConfig config;
        AdvertSchedule schedule;
        std::unique_ptr<InterfaceSocket> socket;
        std::optional<MacAddress> mac;
        Bytes advert;           // encoded once per config or MAC change
        bool solicited_pending = false;
        bool reported_missing = false;
        Counters counters;
        std::map<Ipv6Address, Millis> inconsistency_logged;  // per other router
        unsigned socket_index = 0;  // ifindex of the last socket, to tell re-creation
        std::string socket_error;   // last SOCKET_ERROR logged
    };

    std::unique_ptr<Link> makeLink(const InterfaceConfig& config);
    void encode(Link& link);
    void refreshLinks(Millis now);
    void sendMulticast(Link& link, Millis now);
    void readPackets(Link& link, Millis now);
    void checkOtherRouter(Link& link, Millis now);
    void reload(Millis now);
    void sendFinalAdvertisements();
    bool sendFinal(Link& link, uint64_t& errors);
    void logCounters() const;
    Millis now() const;

    std::string config_path_;
    Config config_;
    std::vector<std::unique_ptr<Link>> links_;
    std::mt19937_64 rng_;
    std::unique_ptr<netboot::daemon::SignalInbox> signals_;
    ReceivedPacket packet_;
};

}  // namespace radvd_lite
