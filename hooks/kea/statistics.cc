// The netboot.* statistics, counted per answered packet.
#include "impl.h"

#include <stats/stats_mgr.h>
#include <util/multi_threading_mgr.h>

#include <optional>
#include <string>

namespace netboot {

namespace {

// One netboot.* statistic. StatsMgr finds a statistic by name under its
// lock at every update, which costs more than the whole decision. In
// single-threaded Kea (the default) every update and every statistic-*
// command run on one thread, so the statistic is kept and updated in place.
// StatsMgr holds its own reference while the statistic exists: once
// statistic-remove drops it, the next update recreates it by name.
class Statistic {
public:
    explicit Statistic(std::string name) : name_(std::move(name)) {}
    void increment() {
        const bool multiThreaded = isc::util::MultiThreadingMgr::instance().getMode();
        if (!multiThreaded && kept_ && kept_.use_count() > 1) {
            kept_->addValue(static_cast<int64_t>(1));
            return;
        }
        isc::stats::StatsMgr::instance().addValue(name_, static_cast<int64_t>(1));
        if (!multiThreaded) kept_ = isc::stats::StatsMgr::instance().getObservation(name_);
    }

private:
    const std::string name_;
    isc::stats::ObservationPtr kept_;  // touched only by single-threaded Kea
};

// "netboot.<family>.<tftp|http|ipxe>" per registry code (one more index
// for an unknown architecture), and "netboot.unanswered".
class Statistics {
public:
    Statistics() {
        for (uint16_t code = 0; code <= kUnknown; ++code) {
            auto arch = lookupArchitecture(code);
            const std::string family = arch ? std::string(arch->family) : "unknown";
            for (int kind = 0; kind < 3; ++kind) {
                answered_[code][kind].emplace("netboot." + family + "." + kKinds[kind]);
            }
        }
    }
    Statistic& of(const ClientFacts& facts, const BootDecision& decision) {
        if (!decision.changesAnswer()) return unanswered_;
        const uint16_t code = facts.arch ? facts.arch->code : kUnknown;
        const int kind = facts.ipxe ? 2 : facts.transport() == Transport::http ? 1 : 0;
        return *answered_[code][kind];
    }

private:
    static constexpr uint16_t kUnknown = kArchitectureCount;
    static constexpr const char* kKinds[3] = {"tftp", "http", "ipxe"};
    std::optional<Statistic> answered_[kUnknown + 1][3];
    Statistic unanswered_{"netboot.unanswered"};
};

}  // namespace

void NetbootImpl::count(const ClientFacts& facts, const BootDecision& decision) const {
    static Statistics statistics;
    statistics.of(facts, decision).increment();
}

}  // namespace netboot
