#include "feeds/common/rate_limiter.h"

#include <algorithm>

namespace tickguard::feeds {

RateLimiter::RateLimiter(RateLimit limit) : limit_(limit), tokens_(limit.capacity) {}

void RateLimiter::refill(Clock::time_point now) {
  if (!started_) {
    started_ = true;
    last_refill_ = now;
    return;
  }
  if (now <= last_refill_) return;
  const double seconds = std::chrono::duration<double>(now - last_refill_).count();
  tokens_ = std::min(limit_.capacity, tokens_ + seconds * limit_.refill_per_second);
  last_refill_ = now;
}

RateLimiter::Clock::duration RateLimiter::try_acquire(double cost, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now < blocked_until_) return blocked_until_ - now;
  refill(now);
  cost = std::min(std::max(cost, 0.0), limit_.capacity);
  if (tokens_ >= cost) {
    tokens_ -= cost;
    return Clock::duration::zero();
  }
  const double missing_seconds = (cost - tokens_) / limit_.refill_per_second;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(missing_seconds)) +
         Clock::duration(1);
}

void RateLimiter::block_until(Clock::time_point until) {
  std::lock_guard lock(mutex_);
  blocked_until_ = std::max(blocked_until_, until);
  tokens_ = 0;
  last_refill_ = std::max(last_refill_, blocked_until_);
  started_ = true;
}

void RateLimiter::observe_used(double used, double venue_limit, Clock::time_point now) {
  if (venue_limit <= 0) return;
  std::lock_guard lock(mutex_);
  refill(now);
  const double left = std::max(0.0, 1.0 - used / venue_limit) * limit_.capacity;
  tokens_ = std::min(tokens_, left);
}

double RateLimiter::used_ratio(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now < blocked_until_) return 1.0;
  refill(now);
  return std::clamp(1.0 - tokens_ / limit_.capacity, 0.0, 1.0);
}

}  // namespace tickguard::feeds
