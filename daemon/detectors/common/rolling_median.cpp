#include "detectors/common/rolling_median.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "detectors/common/sorted_deviation.h"

namespace tickguard {

namespace {
// Above this many repeats, rewriting the ring and re-sorting once beats shifting per value.
constexpr std::size_t kRepeatsBeforeResort = 16;
}  // namespace

RollingMedian::RollingMedian(std::size_t capacity)
    : ring_(std::max<std::size_t>(capacity, 1), 0.0), sorted_(ring_.size(), 0.0) {}

void RollingMedian::add(double value) {
  if (!std::isfinite(value)) return;
  const auto begin = sorted_.begin();
  if (!full()) {
    const auto end = begin + static_cast<std::ptrdiff_t>(count_);
    const auto slot = std::upper_bound(begin, end, value);
    std::copy_backward(slot, end, end + 1);
    *slot = value;
    ++count_;
  } else {
    // Remove the oldest and insert the new value with a single shift of the values between them.
    const auto end = sorted_.end();
    const auto old_slot = std::lower_bound(begin, end, ring_[next_]);
    const auto insert_at = std::upper_bound(begin, end, value);
    if (insert_at <= old_slot) {
      std::copy_backward(insert_at, old_slot, old_slot + 1);
      *insert_at = value;
    } else {
      std::copy(old_slot + 1, insert_at, old_slot);
      *(insert_at - 1) = value;
    }
  }
  ring_[next_] = value;
  next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
}

void RollingMedian::add_repeated(double value, std::size_t repeat) {
  if (!std::isfinite(value)) return;
  if (repeat <= kRepeatsBeforeResort) {
    for (std::size_t i = 0; i < repeat; ++i) add(value);
    return;
  }
  // Only the last `capacity` repeats can still be in the window.
  for (std::size_t i = 0; i < std::min(repeat, ring_.size()); ++i) {
    ring_[next_] = value;
    next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
  }
  count_ = std::min(count_ + repeat, ring_.size());
  // Until the ring first wraps its values sit in slots [0, count_), so this copies exactly them.
  const auto filled = ring_.begin() + static_cast<std::ptrdiff_t>(count_);
  const auto sorted_end = std::copy(ring_.begin(), filled, sorted_.begin());
  std::sort(sorted_.begin(), sorted_end);
}

void RollingMedian::clear() {
  next_ = 0;
  count_ = 0;
}

double RollingMedian::median() const {
  if (count_ == 0) return 0.0;
  const std::size_t mid = count_ / 2;
  return count_ % 2 == 1 ? sorted_[mid] : 0.5 * (sorted_[mid - 1] + sorted_[mid]);
}

double RollingMedian::mad() const {
  return count_ == 0
             ? 0.0
             : median_absolute_deviation_of_sorted(std::span<const double>(sorted_.data(), count_), median());
}

}  // namespace tickguard
