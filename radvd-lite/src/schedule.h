// RFC 4861 section 6.2.4-6.2.6 timing for one advertising interface. Pure:
// the caller passes the current time and the random source, so tests drive
// it step by step without sleeping.
#pragma once

#include <cstdint>
#include <functional>

namespace radvd_lite {

using Millis = int64_t;  // monotonic milliseconds

// Returns a uniformly distributed integer in [low, high].
using UniformRandom = std::function<Millis(Millis low, Millis high)>;

struct ScheduleTiming {
    Millis min_interval_ms = 198000;
    Millis max_interval_ms = 600000;
};

// RFC 7772 unicast replies are not rate-limited by RFC 4861; an RS flood
// would make us answer packet for packet. Past this budget the answer falls
// back to the rate-limited multicast path, so every host still hears one.
constexpr Millis kUnicastRepliesPerSecond = 100;
constexpr Millis kUnicastReplyBurst = 100;

enum class SolicitedReply {
    UnicastNow,         // RFC 7772: answer the solicitor directly
    MulticastScheduled, // a multicast RA is now due at nextMulticast()
    AlreadyScheduled,   // the next multicast RA comes soon enough anyway
};

class AdvertSchedule {
public:
    AdvertSchedule(ScheduleTiming timing, UniformRandom random);

    // The interface just became usable (start, reload, link back): the
    // initial fast advertisements begin again.
    void start(Millis now);

    // When the next multicast RA is due.
    Millis nextMulticast() const { return next_multicast_; }
    bool due(Millis now) const { return now >= next_multicast_; }

    // A multicast RA has gone out at `now`; picks the next interval.
    void multicastSent(Millis now);

    // A valid RS arrived. can_unicast: RFC 7772 unicast replies are enabled
    // and the RS has a specified source address. Unicast replies use a
    // token bucket (kUnicastReplyBurst, kUnicastRepliesPerSecond).
    SolicitedReply solicitation(Millis now, bool can_unicast);

    void setTiming(ScheduleTiming timing) { timing_ = timing; }
    uint32_t initialSent() const { return initial_sent_; }

private:
    ScheduleTiming timing_;
    UniformRandom random_;
    Millis next_multicast_ = 0;
    Millis last_multicast_ = 0;
    bool any_multicast_sent_ = false;
    uint32_t initial_sent_ = 0;
    Millis unicast_tokens_milli_ = kUnicastReplyBurst * 1000;  // tokens x 1000
    Millis unicast_refilled_at_ = 0;
    bool unicast_bucket_started_ = false;
};

}  // namespace radvd_lite
