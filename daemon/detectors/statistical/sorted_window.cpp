#include "detectors/statistical/sorted_window.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "detectors/common/sorted_deviation.h"

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
  return count_ == 0
             ? 0.0
             : median_absolute_deviation_of_sorted(std::span<const double>(sorted_.data(), count_), median());
}

}  // namespace tickguard::statistical
