#include "schedule.h"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "ra.h"

namespace radvd_lite {
namespace {

// Scripted randomness: each draw takes the next fraction of its range
// (0 = low, 1 = high) and records the range it was asked for.
struct ScriptedRandom {
    std::deque<double> fractions;
    std::vector<std::pair<Millis, Millis>> ranges;

    UniformRandom function() {
        return [this](Millis low, Millis high) {
            ranges.emplace_back(low, high);
            double f = 0.5;
            if (!fractions.empty()) {
                f = fractions.front();
                fractions.pop_front();
            }
            return low + static_cast<Millis>(f * static_cast<double>(high - low));
        };
    }
};

constexpr ScheduleTiming kTiming{200000, 600000};

TEST(RadvdLiteSchedule, FirstAdvertisementWithinMaxRaDelayOfStart) {
    ScriptedRandom random;
    random.fractions = {1.0};
    AdvertSchedule s(kTiming, random.function());
    s.start(10000);
    EXPECT_EQ(random.ranges.at(0), (std::pair<Millis, Millis>{0, kMaxRaDelayTimeMs}));
    EXPECT_EQ(s.nextMulticast(), 10000 + kMaxRaDelayTimeMs);
    EXPECT_FALSE(s.due(10499));
    EXPECT_TRUE(s.due(10500));
}

TEST(RadvdLiteSchedule, InitialAdvertisementsAtMost16SecondsApartThenRandomInterval) {
    ScriptedRandom random;
    random.fractions = {0.0, 1.0, 1.0, 1.0, 1.0, 0.0};
    AdvertSchedule s(kTiming, random.function());
    s.start(0);
    Millis t = s.nextMulticast();
    std::vector<Millis> gaps;
    for (int i = 0; i < 5; ++i) {
        s.multicastSent(t);
        gaps.push_back(s.nextMulticast() - t);
        t = s.nextMulticast();
    }
    // RAs 1->2 and 2->3 are initial; from RA 3 on the full interval applies.
    EXPECT_EQ(gaps[0], kMaxInitialRtrAdvertIntervalMs);
    EXPECT_EQ(gaps[1], kMaxInitialRtrAdvertIntervalMs);
    EXPECT_EQ(gaps[2], kTiming.max_interval_ms);
    EXPECT_EQ(gaps[3], kTiming.max_interval_ms);
    EXPECT_EQ(gaps[4], kTiming.min_interval_ms);
    for (size_t i = 1; i < random.ranges.size(); ++i) {
        EXPECT_EQ(random.ranges[i], (std::pair<Millis, Millis>{kTiming.min_interval_ms, kTiming.max_interval_ms}));
    }
}

TEST(RadvdLiteSchedule, ShortIntervalsAreNotStretchedByTheInitialCap) {
    ScriptedRandom random;
    random.fractions = {0.0, 0.0, 0.0};
    AdvertSchedule s(ScheduleTiming{3000, 4000}, random.function());
    s.start(0);
    s.multicastSent(0);
    EXPECT_EQ(s.nextMulticast(), 3000);
}

TEST(RadvdLiteSchedule, UnicastReplyIsImmediateAndLeavesMulticastTimerAlone) {
    ScriptedRandom random;
    AdvertSchedule s(kTiming, random.function());
    s.start(0);
    s.multicastSent(100);
    const Millis next = s.nextMulticast();
    const size_t draws = random.ranges.size();
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(s.solicitation(200 + i, true), SolicitedReply::UnicastNow);
    }
    EXPECT_EQ(s.nextMulticast(), next);
    EXPECT_EQ(random.ranges.size(), draws);
}

TEST(RadvdLiteSchedule, MulticastReplyDelayedWithinMaxRaDelayAndRateLimited) {
    ScriptedRandom random;
    random.fractions = {0.0, 1.0, 0.2, 1.0, 0.0};
    AdvertSchedule s(kTiming, random.function());
    s.start(0);
    s.multicastSent(0);  // interval capped at 16 s: next at 16000
    // 10 s after the last multicast RA: only the random delay applies.
    EXPECT_EQ(s.solicitation(10000, false), SolicitedReply::MulticastScheduled);
    EXPECT_EQ(random.ranges.back(), (std::pair<Millis, Millis>{0, kMaxRaDelayTimeMs}));
    EXPECT_EQ(s.nextMulticast(), 10000 + kMaxRaDelayTimeMs / 5);
    s.multicastSent(s.nextMulticast());
    const Millis last = s.nextMulticast() - kMaxInitialRtrAdvertIntervalMs;
    // Right after: MIN_DELAY_BETWEEN_RAS holds the reply back.
    EXPECT_EQ(s.solicitation(last + 100, false), SolicitedReply::MulticastScheduled);
    EXPECT_EQ(s.nextMulticast(), last + kMinDelayBetweenRasMs);
}

TEST(RadvdLiteSchedule, SolicitationDoesNotDelayAnEarlierScheduledAdvertisement) {
    ScriptedRandom random;
    random.fractions = {0.0, 1.0};
    AdvertSchedule s(kTiming, random.function());
    s.start(0);  // due at 0
    EXPECT_EQ(s.solicitation(0, false), SolicitedReply::AlreadyScheduled);
    EXPECT_EQ(s.nextMulticast(), 0);
}

TEST(RadvdLiteSchedule, FromUnspecifiedSourceAlwaysMulticast) {
    ScriptedRandom random;
    random.fractions = {0.0, 1.0, 0.0};
    AdvertSchedule s(kTiming, random.function());
    s.start(0);
    s.multicastSent(0);
    EXPECT_EQ(s.solicitation(5000, false), SolicitedReply::MulticastScheduled);
    EXPECT_LE(s.nextMulticast(), 5000 + kMaxRaDelayTimeMs);
}

TEST(RadvdLiteSchedule, RestartRespectsRateLimitAndResetsInitialCount) {
    ScriptedRandom random;
    random.fractions = {0.0, 1.0, 1.0, 1.0, 0.0};
    AdvertSchedule s(kTiming, random.function());
    s.start(0);
    for (Millis t : {0, 16000, 32000}) {
        s.multicastSent(t);
    }
    EXPECT_EQ(s.initialSent(), kMaxInitialRtrAdvertisements);
    s.start(32500);
    EXPECT_EQ(s.initialSent(), 0u);
    EXPECT_EQ(s.nextMulticast(), 32000 + kMinDelayBetweenRasMs);
}

}  // namespace
}  // namespace radvd_lite

namespace radvd_lite {
namespace {

TEST(RadvdLiteSchedule, UnicastFloodFallsBackToRateLimitedMulticast) {
    AdvertSchedule s(ScheduleTiming{200000, 600000}, [](Millis low, Millis) { return low; });
    s.start(0);
    s.multicastSent(0);
    for (Millis i = 0; i < kUnicastReplyBurst; ++i) {
        ASSERT_EQ(s.solicitation(1000, true), SolicitedReply::UnicastNow) << i;
    }
    // Burst used up within one millisecond: the next answer is multicast,
    // MIN_DELAY_BETWEEN_RAS after the last one, and merges with later ones.
    EXPECT_EQ(s.solicitation(1000, true), SolicitedReply::MulticastScheduled);
    EXPECT_EQ(s.nextMulticast(), kMinDelayBetweenRasMs);
    EXPECT_EQ(s.solicitation(1000, true), SolicitedReply::AlreadyScheduled);
    // 10 ms later one token (100 per second) has come back.
    EXPECT_EQ(s.solicitation(1010, true), SolicitedReply::UnicastNow);
    EXPECT_EQ(s.solicitation(1010, true), SolicitedReply::AlreadyScheduled);
    // A quiet second refills the whole burst.
    for (Millis i = 0; i < kUnicastReplyBurst; ++i) {
        ASSERT_EQ(s.solicitation(2100, true), SolicitedReply::UnicastNow) << i;
    }
}

}  // namespace
}  // namespace radvd_lite
