#include <gtest/gtest.h>

#include <set>

#include "feeds/common/backoff.h"
#include "feeds/common/rate_limiter.h"

namespace tickguard::feeds {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST(Backoff, GrowsExponentiallyWithJitterUpToTheCap) {
  Backoff backoff({100ms, 1000ms, 2.0}, 7);
  const std::chrono::milliseconds ceilings[] = {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms};
  for (auto ceiling : ceilings) {
    const auto delay = backoff.next();
    EXPECT_GE(delay, ceiling / 2);
    EXPECT_LE(delay, ceiling);
  }
  EXPECT_EQ(backoff.attempts(), 6);
  backoff.reset();
  EXPECT_LE(backoff.next(), 100ms);
}

TEST(Backoff, JitterSpreadsConnectionsThatFailedTogether) {
  std::set<std::int64_t> first_delays;
  for (std::uint64_t seed = 1; seed <= 20; ++seed)
    first_delays.insert(Backoff({1000ms, 60000ms, 2.0}, seed).next().count());
  EXPECT_GT(first_delays.size(), 15u);
}

TEST(RateLimiter, AllowsBurstThenPacesAtRefillRate) {
  RateLimiter limiter({5, 10});  // burst 5, 10 per second
  const Clock::time_point t0{};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.try_acquire(1, t0), Clock::duration::zero());
  const auto wait = limiter.try_acquire(1, t0);
  EXPECT_GT(wait, 99ms);
  EXPECT_LT(wait, 101ms);
  EXPECT_EQ(limiter.try_acquire(1, t0 + 100ms), Clock::duration::zero());
}

TEST(RateLimiter, NeverExceedsTheLimitOverAMinuteWithManyRequesters) {
  RateLimiter limiter({20, 20});  // e.g. 20 requests per second
  const Clock::time_point t0{};
  int granted = 0;
  // 500 symbols each asking every millisecond for a minute.
  for (int ms = 0; ms < 60000; ++ms) {
    for (int symbol = 0; symbol < 500 && limiter.try_acquire(1, t0 + std::chrono::milliseconds(ms)) ==
                                             Clock::duration::zero();
         ++symbol) {
      ++granted;
    }
  }
  EXPECT_LE(granted, 20 + 20 * 60);
  EXPECT_GE(granted, 20 * 60);
}

TEST(RateLimiter, WeightedCostsAndRetryAfterBlock) {
  RateLimiter limiter({100, 10});
  const Clock::time_point t0{};
  EXPECT_EQ(limiter.try_acquire(50, t0), Clock::duration::zero());
  EXPECT_GT(limiter.try_acquire(60, t0), Clock::duration::zero());
  limiter.block_until(t0 + 30s);  // 429 with Retry-After: 30
  EXPECT_EQ(limiter.try_acquire(1, t0 + 10s), 20s);
  EXPECT_DOUBLE_EQ(limiter.used_ratio(t0 + 10s), 1.0);
  EXPECT_EQ(limiter.try_acquire(1, t0 + 31s), Clock::duration::zero());  // refilled 10 after the block
}

TEST(RateLimiter, VenueReportedUsageCapsTokens) {
  RateLimiter limiter({1200, 20});
  const Clock::time_point t0{};
  limiter.observe_used(1100, 1200, t0);  // the venue says 1100 of 1200 weight is used
  EXPECT_NEAR(limiter.used_ratio(t0), 1100.0 / 1200.0, 1e-9);
  EXPECT_GT(limiter.try_acquire(200, t0), Clock::duration::zero());
}

}  // namespace
}  // namespace tickguard::feeds
