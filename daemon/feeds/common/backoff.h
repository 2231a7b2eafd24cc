// Reconnect/retry delays: exponential backoff with full jitter, so many connections that failed
// together do not retry together (no reconnect storms). Deterministic for a given seed.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace tickguard::feeds {

struct BackoffOptions {
  std::chrono::milliseconds initial{500};  // ceiling of the first delay
  std::chrono::milliseconds max{60000};    // the ceiling never grows past this
  double multiplier = 2.0;
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options = {}, std::uint64_t seed = 0x7469636bu);
  // The delay before the next attempt: uniform in [ceiling/2, ceiling], then the ceiling grows.
  std::chrono::milliseconds next();
  // After a success: the next failure starts again from `initial`.
  void reset();
  int attempts() const { return attempts_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 random_;
  double ceiling_ms_;
  int attempts_ = 0;
};

}  // namespace tickguard::feeds
