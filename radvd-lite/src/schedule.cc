#include "schedule.h"

#include <algorithm>
#include <utility>

#include "ra.h"

namespace radvd_lite {

AdvertSchedule::AdvertSchedule(ScheduleTiming timing, UniformRandom random)
    : timing_(timing), random_(std::move(random)) {}

void AdvertSchedule::start(Millis now) {
    initial_sent_ = 0;
    // A short random delay keeps routers that come up together (power
    // restored to a rack) from advertising in lock-step; it stays below
    // MAX_RA_DELAY_TIME so hosts see the router quickly. The rate limit
    // still applies if an RA went out a moment ago (reload, link flap).
    Millis at = now + random_(0, kMaxRaDelayTimeMs);
    if (any_multicast_sent_) {
        at = std::max(at, last_multicast_ + kMinDelayBetweenRasMs);
    }
    next_multicast_ = at;
}

void AdvertSchedule::multicastSent(Millis now) {
    any_multicast_sent_ = true;
    last_multicast_ = now;
    Millis interval = random_(timing_.min_interval_ms, timing_.max_interval_ms);
    if (initial_sent_ < kMaxInitialRtrAdvertisements) {
        ++initial_sent_;
        if (initial_sent_ < kMaxInitialRtrAdvertisements) {
            interval = std::min<Millis>(interval, kMaxInitialRtrAdvertIntervalMs);
        }
    }
    next_multicast_ = now + interval;
}

SolicitedReply AdvertSchedule::solicitation(Millis now, bool can_unicast) {
    if (can_unicast) {
        if (!unicast_bucket_started_) {
            unicast_bucket_started_ = true;
            unicast_refilled_at_ = now;
        }
        const Millis elapsed = std::max<Millis>(0, now - unicast_refilled_at_);
        unicast_refilled_at_ = now;
        unicast_tokens_milli_ =
            std::min(kUnicastReplyBurst * 1000, unicast_tokens_milli_ + elapsed * kUnicastRepliesPerSecond);
        if (unicast_tokens_milli_ >= 1000) {
            unicast_tokens_milli_ -= 1000;
            // A unicast answer reaches only the solicitor, so neither the
            // multicast rate limit nor the collision-avoiding delay is
            // needed; 0 is a valid draw from [0, MAX_RA_DELAY_TIME].
            return SolicitedReply::UnicastNow;
        }
    }
    Millis at = now + random_(0, kMaxRaDelayTimeMs);
    if (at >= next_multicast_) {
        return SolicitedReply::AlreadyScheduled;
    }
    if (any_multicast_sent_) {
        at = std::max(at, last_multicast_ + kMinDelayBetweenRasMs);
    }
    if (at >= next_multicast_) {
        return SolicitedReply::AlreadyScheduled;
    }
    next_multicast_ = at;
    return SolicitedReply::MulticastScheduled;
}

}  // namespace radvd_lite
