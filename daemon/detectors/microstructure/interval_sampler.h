// IntervalSampler: picks the first event of each interval of exchange time, so that a baseline
// holds one sample per interval however fast a venue publishes, and spans a known stretch of time.
#pragma once

#include <cstdint>

#include "tickguard/clock.h"

namespace tickguard {

class IntervalSampler {
 public:
  // Intervals are aligned on multiples of `interval`; a non-positive interval means one second.
  explicit IntervalSampler(Duration interval);

  // True for the first event stamped in a later interval than the last sampled event (always for
  // the very first event); false for the rest of that interval and for events stamped earlier.
  bool take(Timestamp time);

  Duration interval() const { return Duration(interval_ns_); }

 private:
  std::int64_t interval_ns_;
  bool started_ = false;
  std::int64_t interval_index_ = 0;  // floor(time / interval) of the last sampled event
};

}  // namespace tickguard
