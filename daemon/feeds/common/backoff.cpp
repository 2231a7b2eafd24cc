#include "feeds/common/backoff.h"

#include <algorithm>

namespace tickguard::feeds {

Backoff::Backoff(BackoffOptions options, std::uint64_t seed)
    : options_(options), random_(seed), ceiling_ms_(static_cast<double>(options.initial.count())) {}

std::chrono::milliseconds Backoff::next() {
  const double ceiling = std::min(ceiling_ms_, static_cast<double>(options_.max.count()));
  // Half fixed, half jitter: never a zero delay, and spread enough to break up synchronized retries.
  const double unit = static_cast<double>(random_() >> 11) * 0x1.0p-53;
  const double delay = ceiling / 2 + unit * ceiling / 2;
  ceiling_ms_ = std::min(ceiling * options_.multiplier, static_cast<double>(options_.max.count()));
  ++attempts_;
  return std::chrono::milliseconds(static_cast<std::int64_t>(delay));
}

void Backoff::reset() {
  ceiling_ms_ = static_cast<double>(options_.initial.count());
  attempts_ = 0;
}

}  // namespace tickguard::feeds
