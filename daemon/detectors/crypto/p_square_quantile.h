// PSquareQuantile: streaming estimate of one quantile in O(1) time and five markers of memory,
// the P² algorithm of Jain and Chlamtac (1985). It never forgets: callers that need a rolling
// estimate keep two and swap them (see WhaleTradeDetector).
#pragma once

#include <array>
#include <cstddef>

namespace tickguard {

class PSquareQuantile {
 public:
  // Estimates the `probability` quantile, clamped to (0, 1).
  explicit PSquareQuantile(double probability);

  // Adds one value. O(1), no allocation. Non-finite values are ignored.
  void add(double value);
  // Forgets every value; the probability is kept.
  void clear();

  std::size_t count() const { return count_; }
  // The current estimate: exact (nearest rank) below five values, the P² middle marker after;
  // 0 when empty.
  double quantile() const;

 private:
  double parabolic(std::size_t i, double direction) const;
  double linear(std::size_t i, double direction) const;

  double probability_;
  std::size_t count_ = 0;
  std::array<double, 5> heights_{};    // marker heights; the first count_ values, sorted, until 5
  std::array<double, 5> positions_{};  // actual marker positions (1-based ranks)
  std::array<double, 5> desired_{};    // desired marker positions
  std::array<double, 5> increments_{};
};

}  // namespace tickguard
