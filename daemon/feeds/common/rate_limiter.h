// RateLimiter: a token bucket shared by every request to one venue, so the documented limit holds
// however many symbols are subscribed. Costs model weighted limits (Binance request weight). A
// 429/418 answer blocks the bucket until the venue's Retry-After has passed. Time is passed in, so
// tests need no sleeping.
#pragma once

#include <chrono>
#include <mutex>

namespace tickguard::feeds {

struct RateLimit {
  double capacity = 10;           // burst, in cost units
  double refill_per_second = 10;  // sustained rate, in cost units per second
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimit limit);

  // Takes `cost` units if available now and returns zero; otherwise takes nothing and returns how
  // long to wait before asking again. A cost above capacity is clamped to capacity. Thread-safe.
  Clock::duration try_acquire(double cost, Clock::time_point now);
  // The venue said "too many requests" (429) or "banned" (418): nothing passes before `until`, and
  // the bucket restarts empty then.
  void block_until(Clock::time_point until);
  // The venue reported how much of its limit is used (e.g. X-MBX-USED-WEIGHT-1M against the limit);
  // the bucket keeps no more tokens than the venue says are left.
  void observe_used(double used, double venue_limit, Clock::time_point now);
  // Fraction of the capacity in use, in [0,1] (for tickguard_rest_rate_limit_used_ratio).
  double used_ratio(Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  std::mutex mutex_;
  RateLimit limit_;
  double tokens_;
  Clock::time_point last_refill_{};
  Clock::time_point blocked_until_{};
  bool started_ = false;
};

}  // namespace tickguard::feeds
