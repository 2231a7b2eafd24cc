#include "detectors/microstructure/interval_sampler.h"

#include <chrono>

namespace tickguard {

namespace {

// Rounds towards negative infinity, so intervals stay aligned for times before the epoch too.
std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

}  // namespace

IntervalSampler::IntervalSampler(Duration interval)
    : interval_ns_(interval.count() > 0 ? interval.count() : Duration(std::chrono::seconds(1)).count()) {}

bool IntervalSampler::take(Timestamp time) {
  const std::int64_t index = floor_div(time.time_since_epoch().count(), interval_ns_);
  if (started_ && index <= interval_index_) return false;
  started_ = true;
  interval_index_ = index;
  return true;
}

}  // namespace tickguard
