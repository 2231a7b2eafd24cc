#include "detectors/common/rolling_median.h"

#include <algorithm>
#include <cmath>

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

// The deviations of the values below the median, read from the median outwards, ascend: run
// `below`; so do those of the values at or above it: run `above`. The k-th smallest of their union
// takes some i values from `below` and k + 1 - i from `above`; i is found by bisection, since taking
// one more from `below` is right exactly while its next deviation is smaller than the last one taken
// from `above`. O(log N), where merging the runs up to the middle would be O(N).
double RollingMedian::mad() const {
  if (count_ == 0) return 0.0;
  const double center = median();
  const auto begin = sorted_.begin();
  const auto split = static_cast<std::size_t>(
      std::lower_bound(begin, begin + static_cast<std::ptrdiff_t>(count_), center) - begin);
  const std::size_t upper_rank = count_ / 2;
  const std::size_t lower_rank = (count_ - 1) / 2;
  const double upper = kth_deviation(center, split, upper_rank);
  return upper_rank == lower_rank ? upper : 0.5 * (kth_deviation(center, split, lower_rank) + upper);
}

double RollingMedian::kth_deviation(double center, std::size_t split, std::size_t k) const {
  const std::size_t below_count = split;
  const std::size_t above_count = count_ - split;
  const auto below = [&](std::size_t i) { return center - sorted_[split - 1 - i]; };
  const auto above = [&](std::size_t j) { return sorted_[split + j] - center; };
  std::size_t low = k + 1 > above_count ? k + 1 - above_count : 0;
  std::size_t high = std::min(k + 1, below_count);
  while (low < high) {
    const std::size_t i = low + (high - low) / 2;
    if (below(i) < above(k - i)) {
      low = i + 1;
    } else {
      high = i;
    }
  }
  const std::size_t from_below = low;
  const std::size_t from_above = k + 1 - from_below;
  const double last_below = from_below > 0 ? below(from_below - 1) : 0.0;
  const double last_above = from_above > 0 ? above(from_above - 1) : 0.0;
  return std::max(last_below, last_above);
}

}  // namespace tickguard
