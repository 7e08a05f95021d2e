#include "daemon.h"

#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "log.h"

namespace radvd_lite {

namespace log = netboot::log;

namespace {

// How often links are re-read: a missing or flapping interface is picked
// up within this time without a netlink listener.
constexpr Millis kLinkCheckMs = 1000;
constexpr Millis kInconsistencyLogMs = 60000;
constexpr size_t kInconsistencyLogSources = 64;

const char* typeName(NdType type) {
    switch (type) {
    case NdType::RouterSolicitation: return "rs";
    case NdType::RouterAdvertisement: return "ra";
    case NdType::NeighborSolicitation: return "ns";
    }
    return "other";
}

}  // namespace

std::string countersJson(const std::string& interface, const Counters& c) {
    uint64_t dropped = 0;
    std::string by_reason;
    for (const auto& [reason, count] : c.dropped) {
        dropped += count;
        by_reason += (by_reason.empty() ? "\"" : ", \"") + reason + "\": " + std::to_string(count);
    }
    const std::pair<const char*, uint64_t> fields[] = {
        {"ra-sent-unsolicited", c.ra_sent_unsolicited},
        {"ra-sent-solicited-multicast", c.ra_sent_solicited_multicast},
        {"ra-sent-solicited-unicast", c.ra_sent_solicited_unicast},
        {"ra-sent-final", c.ra_sent_final},
        {"send-errors", c.send_errors},
        {"rs-received", c.rs_received},
        {"ra-received", c.ra_received},
        {"ra-inconsistent", c.ra_inconsistent},
        {"ns-received", c.ns_received},
        {"link-up", c.link_up},
        {"link-down", c.link_down},
        {"dropped", dropped},
    };
    std::string out = "{\"interface\": \"" + interface + "\"";
    for (const auto& [name, value] : fields) {
        out += std::string(", \"") + name + "\": " + std::to_string(value);
    }
    return out + ", \"dropped-by-reason\": {" + by_reason + "}}";
}

Daemon::Daemon(std::string config_path, Config config)
    : config_path_(std::move(config_path)), config_(std::move(config)), rng_(std::random_device{}()) {
    for (const InterfaceConfig& c : config_.interfaces) {
        links_.push_back(makeLink(c));
    }
}

Millis Daemon::now() const {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<Millis>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::unique_ptr<Daemon::Link> Daemon::makeLink(const InterfaceConfig& config) {
    auto random = [this](Millis low, Millis high) {
        return std::uniform_int_distribution<Millis>(low, high)(rng_);
    };
    auto link = std::unique_ptr<Link>(new Link{config, AdvertSchedule(config.timing, random), nullptr,
                                               std::nullopt, {}, false, false, {}, {}, 0, {}});
    encode(*link);
    return link;
}

void Daemon::encode(Link& link) {
    Advertisement ra = link.config.advert;
    if (link.config.source_link_layer) {
        ra.source_link_layer = link.mac;
    }
    link.advert = encodeRouterAdvertisement(ra);
}

void Daemon::refreshLinks(Millis t) {
    for (auto& link_ptr : links_) {
        Link& link = *link_ptr;
        const std::string& name = link.config.name;
        const LinkState state = queryLink(name);
        const bool usable = state.index != 0 && state.up && state.link_local_ready;
        if (link.socket && (!usable || state.index != link.socket->index())) {
            link.socket_index = link.socket->index();
            link.socket.reset();
            ++link.counters.link_down;
            const char* why = state.index == 0                      ? "interface removed"
                              : state.index != link.socket_index ? "interface re-created"
                                                                  : "down, no carrier or no link-local address";
            log::line(log::Level::Warn, "LINK_DOWN", name + ": " + why);
        }
        if (!usable) {
            if (!link.socket && !link.reported_missing) {
                log::line(log::Level::Info, "LINK_WAIT",
                        name + ": waiting for the interface to exist, be up and have a link-local address");
                link.reported_missing = true;
            }
            continue;
        }
        if (state.mac != link.mac) {
            link.mac = state.mac;
            encode(link);
        }
        if (!link.socket) {
            std::string error;
            link.socket = InterfaceSocket::open(name, state.index, error);
            if (!link.socket) {
                // Retried every second; logged when the reason changes.
                if (error != link.socket_error) {
                    log::line(log::Level::Error, "SOCKET_ERROR", name + ": " + error);
                    link.socket_error = error;
                }
                continue;
            }
            link.socket_error.clear();
            link.reported_missing = false;
            ++link.counters.link_up;
            link.schedule.start(t);
            log::line(log::Level::Info, "LINK_UP", name + ": advertising (ifindex " + std::to_string(state.index) + ")");
        }
    }
}

void Daemon::sendMulticast(Link& link, Millis t) {
    std::string error;
    if (link.socket->send(link.advert, nullptr, error)) {
        if (link.solicited_pending) {
            ++link.counters.ra_sent_solicited_multicast;
        } else {
            ++link.counters.ra_sent_unsolicited;
        }
        if (log::enabled(log::Level::Debug)) log::line(log::Level::Debug, "RA_SENT", link.config.name + ": multicast");
    } else {
        ++link.counters.send_errors;
        log::line(log::Level::Warn, "SEND_ERROR", link.config.name + ": " + error);
    }
    link.solicited_pending = false;
    link.schedule.multicastSent(t);
}

void Daemon::readPackets(Link& link, Millis t) {
    while (link.socket && link.socket->receive(packet_)) {
        const InboundPacket in = classifyInbound(packet_.buffer.data(), packet_.size, packet_.hop_limit,
                                                 packet_.source);
        if (in.malformed != Malformed::None) {
            const std::string kind = in.malformed == Malformed::UnexpectedType ? "other" : typeName(in.type);
            ++link.counters.dropped[kind + "." + malformedName(in.malformed)];
            if (log::enabled(log::Level::Debug)) {
                log::line(log::Level::Debug, "PACKET_DROPPED",
                        link.config.name + ": " + kind + " from " + formatAddress(packet_.source) + ": " +
                            malformedName(in.malformed));
            }
            continue;
        }
        switch (in.type) {
        case NdType::RouterSolicitation: {
            ++link.counters.rs_received;
            if (log::enabled(log::Level::Debug)) {
                log::line(log::Level::Debug, "RS_RECEIVED", link.config.name + ": from " + formatAddress(packet_.source));
            }
            const bool can_unicast = link.config.solicited_unicast && !isUnspecified(packet_.source);
            switch (link.schedule.solicitation(t, can_unicast)) {
            case SolicitedReply::UnicastNow: {
                std::string error;
                if (link.socket->send(link.advert, &packet_.source, error)) {
                    ++link.counters.ra_sent_solicited_unicast;
                    if (log::enabled(log::Level::Debug)) {
                        log::line(log::Level::Debug, "RA_SENT",
                                  link.config.name + ": unicast to " + formatAddress(packet_.source));
                    }
                } else {
                    ++link.counters.send_errors;
                    log::line(log::Level::Warn, "SEND_ERROR", link.config.name + ": unicast: " + error);
                }
                break;
            }
            case SolicitedReply::MulticastScheduled:
                link.solicited_pending = true;
                if (log::enabled(log::Level::Debug)) {
                    log::line(log::Level::Debug, "RA_SCHEDULED",
                            link.config.name + ": multicast reply in " +
                                std::to_string(link.schedule.nextMulticast() - t) + " ms");
                }
                break;
            case SolicitedReply::AlreadyScheduled:
                break;
            }
            break;
        }
        case NdType::RouterAdvertisement:
            if (log::enabled(log::Level::Debug)) {
                log::line(log::Level::Debug, "RA_RECEIVED",
                        link.config.name + ": another router " + formatAddress(packet_.source));
            }
            checkOtherRouter(link, t);
            break;
        case NdType::NeighborSolicitation:
            ++link.counters.ns_received;
            break;
        }
    }
}

void Daemon::checkOtherRouter(Link& link, Millis t) {
    const auto theirs = decodeRouterAdvertisement(packet_.buffer.data(), packet_.size);
    if (!theirs) {
        // Header and TLVs were fine, an option's contents were not (RDNSS
        // without address, DNSSL label overrun, prefix length > 128...).
        ++link.counters.dropped["ra.bad-option-content"];
        return;
    }
    ++link.counters.ra_received;
    const std::vector<std::string> differences = inconsistencies(link.config.advert, *theirs);
    if (differences.empty()) {
        return;
    }
    ++link.counters.ra_inconsistent;
    // Once a minute per router is enough to notice, and keeps a chatty or
    // hostile neighbour from filling the journal.
    auto logged = link.inconsistency_logged.find(packet_.source);
    if (logged != link.inconsistency_logged.end() && t - logged->second < kInconsistencyLogMs) {
        return;
    }
    if (link.inconsistency_logged.size() >= kInconsistencyLogSources) {
        link.inconsistency_logged.clear();
    }
    link.inconsistency_logged[packet_.source] = t;
    std::string text;
    for (const std::string& d : differences) {
        text += (text.empty() ? "" : ", ") + d;
    }
    log::line(log::Level::Warn, "RA_INCONSISTENT",
            link.config.name + ": router " + formatAddress(packet_.source) + " advertises " + text);
}

void Daemon::reload(Millis t) {
    const bool reloaded = netboot::daemon::reload([&]() {
        Config fresh = loadConfigFile(config_path_);
        for (const std::string& w : configWarnings(fresh)) {
            log::line(log::Level::Warn, "CONFIG_WARNING", w);
        }
        std::vector<std::unique_ptr<Link>> next;
        for (const InterfaceConfig& c : fresh.interfaces) {
            auto old = std::find_if(links_.begin(), links_.end(),
                                    [&](const std::unique_ptr<Link>& l) { return l && l->config.name == c.name; });
            if (old == links_.end()) {
                next.push_back(makeLink(c));
                continue;
            }
            std::unique_ptr<Link> link = std::move(*old);
            const Bytes before = link->advert;
            const ScheduleTiming timing_before = link->config.timing;
            link->config = c;
            link->schedule.setTiming(c.timing);
            encode(*link);
            const bool timing_changed = timing_before.min_interval_ms != c.timing.min_interval_ms ||
                                        timing_before.max_interval_ms != c.timing.max_interval_ms;
            if (link->socket && (link->advert != before || timing_changed)) {
                // RFC 4861 6.2.4: changed information goes out with the
                // initial fast advertisements again; a shorter interval must
                // not wait for a timer drawn from the old, longer one.
                link->schedule.start(t);
            }
            next.push_back(std::move(link));
        }
        for (auto& old : links_) {
            if (old && old->socket) {
                uint64_t ignored = 0;
                sendFinal(*old, ignored);
                log::line(log::Level::Info, "LINK_REMOVED", old->config.name + ": no longer configured, sent final RA");
            }
        }
        links_ = std::move(next);
        config_ = std::move(fresh);
        return config_path_ + ": " + std::to_string(links_.size()) + " interface(s)";
    });
    if (reloaded) {
        refreshLinks(t);
    }
}

bool Daemon::sendFinal(Link& link, uint64_t& errors) {
    Advertisement ra = link.config.advert;
    ra.router_lifetime = 0;
    if (link.config.source_link_layer) {
        ra.source_link_layer = link.mac;
    }
    std::string error;
    if (!link.socket->send(encodeRouterAdvertisement(ra), nullptr, error)) {
        ++errors;
        log::line(log::Level::Warn, "SEND_ERROR", link.config.name + ": final RA: " + error);
        return false;
    }
    ++link.counters.ra_sent_final;
    return true;
}

void Daemon::sendFinalAdvertisements() {
    uint32_t rounds = 0;
    for (const auto& link : links_) {
        if (link->socket) {
            rounds = std::max(rounds, link->config.final_advertisements);
        }
    }
    for (uint32_t round = 0; round < rounds; ++round) {
        if (round > 0) {
            // Multicast RAs stay MIN_DELAY_BETWEEN_RAS apart even now; a
            // second SIGTERM/SIGINT cuts the wait short.
            pollfd p{signals_->fd(), POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(kMinDelayBetweenRasMs)) > 0) {
                if (signals_->next().signal == netboot::daemon::Signal::Stop) {
                    log::line(log::Level::Info, "STOP_NOW", "second stop signal: skipping remaining final RAs");
                    return;
                }
            }
        }
        for (auto& link : links_) {
            if (link->socket && round < link->config.final_advertisements) {
                sendFinal(*link, link->counters.send_errors);
            }
        }
    }
}

void Daemon::logCounters() const {
    for (const auto& link : links_) {
        log::line(log::Level::Info, "COUNTERS", countersJson(link->config.name, link->counters));
    }
}

int Daemon::run() {
    try {
        signals_ = std::make_unique<netboot::daemon::SignalInbox>();
    } catch (const std::exception& e) {
        log::line(log::Level::Error, "SIGNAL_ERROR", e.what());
        return 1;
    }
    log::line(log::Level::Info, "STARTED", config_path_ + ": " + std::to_string(links_.size()) + " interface(s)");
    Millis next_link_check = now();
    std::vector<pollfd> fds;
    std::vector<Link*> fd_links;
    bool running = true;
    while (running) {
        Millis t = now();
        if (t >= next_link_check) {
            refreshLinks(t);
            next_link_check = t + kLinkCheckMs;
        }
        Millis wake = next_link_check;
        for (auto& link : links_) {
            if (!link->socket) continue;
            if (link->schedule.due(t)) {
                sendMulticast(*link, t);
            }
            wake = std::min(wake, link->schedule.nextMulticast());
        }
        fds.assign(1, pollfd{signals_->fd(), POLLIN, 0});
        fd_links.assign(1, nullptr);
        for (auto& link : links_) {
            if (link->socket) {
                fds.push_back(pollfd{link->socket->fd(), POLLIN, 0});
                fd_links.push_back(link.get());
            }
        }
        const int timeout = static_cast<int>(std::max<Millis>(0, wake - t));
        const int ready = poll(fds.data(), fds.size(), timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            log::line(log::Level::Error, "POLL_ERROR", std::strerror(errno));
            return 1;
        }
        t = now();
        for (size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents & POLLIN) {
                readPackets(*fd_links[i], t);
            } else if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
                next_link_check = t;
            }
        }
        if (fds[0].revents & POLLIN) {
            for (auto received = signals_->next(); received.signal != netboot::daemon::Signal::None;
                 received = signals_->next()) {
                switch (received.signal) {
                case netboot::daemon::Signal::Reload: reload(t); break;
                case netboot::daemon::Signal::Counters: logCounters(); break;
                case netboot::daemon::Signal::Stop: running = false; break;
                case netboot::daemon::Signal::None: break;
                }
            }
        }
    }
    log::line(log::Level::Info, "STOPPING", "sending final RAs with router lifetime 0");
    sendFinalAdvertisements();
    logCounters();
    log::line(log::Level::Info, "STOPPED", "clean exit");
    return 0;
}

}  // namespace radvd_lite
