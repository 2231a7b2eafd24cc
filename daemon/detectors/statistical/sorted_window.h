// SortedWindow: the last N values kept both in arrival order and sorted, for rank statistics
// (quantiles, median, median absolute deviation) of a rolling window. Memory is fixed at
// construction.
#pragma once

#include <cstddef>
#include <vector>

namespace tickguard::statistical {

class SortedWindow {
 public:
  // Keeps the last `capacity` values (at least 1). Allocates once, here.
  explicit SortedWindow(std::size_t capacity);

  // Adds `value`, evicting the oldest one when full: two binary searches plus one contiguous move
  // of the sorted values between the evicted and the inserted one (a memmove of at most N doubles).
  // Non-finite values are ignored (they have no order).
  void add(double value);

  std::size_t count() const { return count_; }
  std::size_t capacity() const { return ring_.size(); }
  // The p-quantile, p in [0,1], interpolated linearly between order statistics (Hyndman & Fan
  // type 7, as numpy and R default); 0 when empty. O(1).
  double quantile(double p) const;
  double median() const { return quantile(0.5); }
  // Median of |x - median()| over the window; 0 when empty. O(log N): a selection over the two
  // sorted runs of deviations (below and above the median), without touching every value.
  double mad() const;

 private:
  std::vector<double> ring_;    // values in arrival order; the oldest is at next_ once full
  std::vector<double> sorted_;  // the same values ascending, in the first count_ slots
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

}  // namespace tickguard::statistical
