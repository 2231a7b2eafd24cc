#include "detectors/statistical/sorted_window.h"

#include <algorithm>
#include <cmath>

namespace tickguard::statistical {

SortedWindow::SortedWindow(std::size_t capacity)
    : ring_(std::max<std::size_t>(capacity, 1), 0.0), sorted_(ring_.size(), 0.0) {}

void SortedWindow::add(double value) {
  if (!std::isfinite(value)) return;
  const auto begin = sorted_.begin();
  if (count_ < ring_.size()) {
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

double SortedWindow::quantile(double p) const {
  if (count_ == 0) return 0.0;
  const double position = std::clamp(p, 0.0, 1.0) * static_cast<double>(count_ - 1);
  const auto below = static_cast<std::size_t>(position);
  if (below + 1 >= count_) return sorted_[count_ - 1];
  const double fraction = position - static_cast<double>(below);
  return sorted_[below] + fraction * (sorted_[below + 1] - sorted_[below]);
}

double SortedWindow::mad() const {
  if (count_ == 0) return 0.0;
  const double center = median();
  const auto split = static_cast<std::size_t>(
      std::lower_bound(sorted_.begin(), sorted_.begin() + static_cast<std::ptrdiff_t>(count_), center) -
      sorted_.begin());
  const std::size_t upper_rank = count_ / 2;
  const std::size_t lower_rank = (count_ - 1) / 2;
  const double upper = kth_deviation(center, split, upper_rank);
  return upper_rank == lower_rank ? upper : 0.5 * (kth_deviation(center, split, lower_rank) + upper);
}

// Deviations of the values below the center, read from the center outwards, ascend: run `below`;
// so do those of the values at or above it: run `above`. The k-th smallest of their union takes
// some i values from `below` and k + 1 - i from `above`; i is found by bisection, since taking one
// more from `below` is right exactly while its next deviation is smaller than the last one taken
// from `above`.
double SortedWindow::kth_deviation(double center, std::size_t split, std::size_t k) const {
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

}  // namespace tickguard::statistical
