#include "detectors/technical/p2_quantile.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

P2Quantile::P2Quantile(double probability)
    : probability_(std::isfinite(probability) ? std::clamp(probability, 0.0, 1.0) : 0.5),
      increments_{0.0, probability_ / 2, probability_, (1 + probability_) / 2, 1.0} {}

void P2Quantile::add(double value) {
  if (!std::isfinite(value)) return;
  if (count_ < 5) {
    // Keep the first five values sorted; they become the initial markers.
    const auto end = heights_.begin() + static_cast<std::ptrdiff_t>(count_);
    const auto slot = std::upper_bound(heights_.begin(), end, value);
    std::copy_backward(slot, end, end + 1);
    *slot = value;
    ++count_;
    if (count_ == 5) {
      for (int i = 0; i < 5; ++i) {
        positions_[i] = i + 1;
        desired_[i] = 1 + 4 * increments_[i];
      }
    }
    return;
  }
  ++count_;
  // The cell [heights_[k], heights_[k + 1]) the value falls in; the extreme markers track min and max.
  int k = 0;
  if (value < heights_[0]) {
    heights_[0] = value;
  } else if (value >= heights_[4]) {
    heights_[4] = value;
    k = 3;
  } else {
    while (k < 3 && value >= heights_[k + 1]) ++k;
  }
  for (int i = k + 1; i < 5; ++i) positions_[i] += 1;
  for (int i = 0; i < 5; ++i) desired_[i] += increments_[i];
  for (int i = 1; i <= 3; ++i) adjust_marker(i);
}

// Moves marker i one rank towards its desired position when it lags by a rank or more and the
// neighbour leaves room, preferring the piecewise-parabolic height and falling back to linear
// interpolation when the parabola would break the markers' order.
void P2Quantile::adjust_marker(int i) {
  const double offset = desired_[i] - positions_[i];
  const bool up = offset >= 1 && positions_[i + 1] - positions_[i] > 1;
  const bool down = offset <= -1 && positions_[i - 1] - positions_[i] < -1;
  if (!up && !down) return;
  const double d = up ? 1.0 : -1.0;
  const double below = positions_[i] - positions_[i - 1];
  const double above = positions_[i + 1] - positions_[i];
  const double parabolic = heights_[i] + d / (positions_[i + 1] - positions_[i - 1]) *
                                             ((below + d) * (heights_[i + 1] - heights_[i]) / above +
                                              (above - d) * (heights_[i] - heights_[i - 1]) / below);
  if (heights_[i - 1] < parabolic && parabolic < heights_[i + 1]) {
    heights_[i] = parabolic;
  } else {
    const int j = up ? i + 1 : i - 1;
    heights_[i] += d * (heights_[j] - heights_[i]) / (positions_[j] - positions_[i]);
  }
  positions_[i] += d;
}

double P2Quantile::quantile() const {
  if (count_ == 0) return 0.0;
  if (count_ >= 5) return heights_[2];
  // Linear interpolation between the order statistics of the few values seen so far.
  const double rank = probability_ * static_cast<double>(count_ - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const std::size_t upper = std::min<std::size_t>(lower + 1, count_ - 1);
  return heights_[lower] + (rank - static_cast<double>(lower)) * (heights_[upper] - heights_[lower]);
}

}  // namespace tickguard
