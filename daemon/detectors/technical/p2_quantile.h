// P2Quantile: streaming estimate of one quantile with the P-square algorithm (Jain & Chlamtac,
// 1985): five markers whose heights follow the quantile, in O(1) time and fixed memory per value.
#pragma once

#include <array>
#include <cstdint>

namespace tickguard {

class P2Quantile {
 public:
  // Estimates the `probability` quantile, clamped to [0, 1]; 0.999 is the 99.9th percentile.
  explicit P2Quantile(double probability);

  // Adds one value in O(1) without allocating. Non-finite values are ignored.
  void add(double value);

  std::uint64_t count() const { return count_; }
  double probability() const { return probability_; }
  // The current estimate: exact (interpolated between the order statistics) for the first five
  // values, the P-square middle marker after that; 0 when empty.
  double quantile() const;

 private:
  void adjust_marker(int i);

  double probability_;
  std::uint64_t count_ = 0;
  std::array<double, 5> heights_{};     // marker heights; the first count_ values, sorted, until 5
  std::array<double, 5> positions_{};   // actual marker positions, 1-based ranks
  std::array<double, 5> desired_{};     // desired marker positions
  std::array<double, 5> increments_{};  // how far each desired position moves per value
};

}  // namespace tickguard
