// RollingMoments: mean and sample variance of the last N values, for baselines that must update in
// O(1) per value with memory fixed at construction.
#pragma once

#include <cstddef>
#include <vector>

namespace tickguard {

class RollingMoments {
 public:
  // Keeps the last `capacity` values (at least 1). Allocates once, here.
  explicit RollingMoments(std::size_t capacity);

  // Adds `value`, evicting the oldest one when full. O(1), except that every `capacity` adds the
  // moments are recomputed exactly from the window (O(capacity)) so rounding drift stays bounded.
  // Non-finite values are ignored: one NaN would poison every later result.
  void add(double value);
  // Forgets every value; the capacity is kept.
  void clear();

  std::size_t count() const { return count_; }
  std::size_t capacity() const { return values_.size(); }
  bool full() const { return count_ == values_.size(); }
  // Mean of the window; 0 when empty.
  double mean() const { return mean_; }
  // Sample variance (divides by count - 1); 0 with fewer than two values.
  double variance() const;
  double stddev() const;

 private:
  void recompute();

  std::vector<double> values_;  // ring buffer; the oldest value is at next_ once full
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  std::size_t adds_since_recompute_ = 0;
  double mean_ = 0;
  double sum_squared_deviations_ = 0;  // Welford's M2: sum of (x - mean)^2 over the window
};

}  // namespace tickguard
