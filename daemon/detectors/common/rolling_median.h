// RollingMedian: median and median absolute deviation (MAD) of the last N values, the robust
// baseline for bucketed statistics. Memory is fixed at construction.
#pragma once

#include <cstddef>
#include <vector>

namespace tickguard {

class RollingMedian {
 public:
  // Keeps the last `capacity` values (at least 1). Allocates once, here.
  explicit RollingMedian(std::size_t capacity);

  // Adds `value`, evicting the oldest one when full: a binary search plus one shift of the sorted
  // copy, O(log N + N) with no allocation. Non-finite values are ignored (they have no order).
  void add(double value);
  // Adds `value` `repeat` times, as repeated add() would, but in O(N log N) at most however large
  // `repeat` is: for filling the empty intervals of a gap in one go.
  void add_repeated(double value, std::size_t repeat);
  // Forgets every value; the capacity is kept.
  void clear();

  std::size_t count() const { return count_; }
  std::size_t capacity() const { return ring_.size(); }
  bool full() const { return count_ == ring_.size(); }
  // Median of the window (mean of the two middle values for an even count); 0 when empty. O(1).
  double median() const;
  // Median of |x - median()| over the window; 0 when empty. O(log N), no allocation.
  double mad() const;

 private:
  std::vector<double> ring_;    // values in arrival order; the oldest is at next_ once full
  std::vector<double> sorted_;  // the same values ascending, in the first count_ slots
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

}  // namespace tickguard
