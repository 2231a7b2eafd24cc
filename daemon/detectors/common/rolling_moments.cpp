#include "detectors/common/rolling_moments.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

RollingMoments::RollingMoments(std::size_t capacity) : values_(std::max<std::size_t>(capacity, 1), 0.0) {}

void RollingMoments::add(double value) {
  if (!std::isfinite(value)) return;
  if (full()) {
    // Replace the oldest value in one step; the count, and so the divisor, is unchanged.
    const double oldest = values_[next_];
    const double old_mean = mean_;
    mean_ += (value - oldest) / static_cast<double>(count_);
    sum_squared_deviations_ += (value - oldest) * (value - mean_ + oldest - old_mean);
  } else {
    ++count_;
    const double delta = value - mean_;
    mean_ += delta / static_cast<double>(count_);
    sum_squared_deviations_ += delta * (value - mean_);
  }
  // Cancellation can leave a tiny negative sum when the window is (nearly) constant.
  sum_squared_deviations_ = std::max(sum_squared_deviations_, 0.0);
  values_[next_] = value;
  next_ = next_ + 1 == values_.size() ? 0 : next_ + 1;
  if (++adds_since_recompute_ >= values_.size()) recompute();
}

void RollingMoments::clear() {
  next_ = 0;
  count_ = 0;
  adds_since_recompute_ = 0;
  mean_ = 0;
  sum_squared_deviations_ = 0;
}

double RollingMoments::variance() const {
  return count_ < 2 ? 0.0 : sum_squared_deviations_ / static_cast<double>(count_ - 1);
}

double RollingMoments::stddev() const { return std::sqrt(variance()); }

// Two passes over the window: the mean first, then squared deviations from it. The first pass sums
// offsets from one window value, so a large common level (prices near 1e6) does not swamp the
// spread. Slot order does not matter, only that the first count_ slots (all, once full) hold values.
void RollingMoments::recompute() {
  adds_since_recompute_ = 0;
  const auto begin = values_.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(count_);
  const double shift = *begin;
  double offsets = 0;
  for (auto it = begin; it != end; ++it) offsets += *it - shift;
  mean_ = shift + offsets / static_cast<double>(count_);
  double squares = 0;
  for (auto it = begin; it != end; ++it) squares += (*it - mean_) * (*it - mean_);
  sum_squared_deviations_ = squares;
}

}  // namespace tickguard
