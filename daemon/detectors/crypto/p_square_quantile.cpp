#include "detectors/crypto/p_square_quantile.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

PSquareQuantile::PSquareQuantile(double probability)
    : probability_(std::clamp(std::isfinite(probability) ? probability : 0.5, 1e-9, 1.0 - 1e-9)) {
  clear();
}

void PSquareQuantile::clear() {
  count_ = 0;
  heights_.fill(0);
  const double p = probability_;
  positions_ = {1, 2, 3, 4, 5};
  desired_ = {1, 1 + 2 * p, 1 + 4 * p, 3 + 2 * p, 5};
  increments_ = {0, p / 2, p, (1 + p) / 2, 1};
}

void PSquareQuantile::add(double value) {
  if (!std::isfinite(value)) return;
  if (count_ < heights_.size()) {
    const auto end = heights_.begin() + static_cast<std::ptrdiff_t>(count_);
    const auto slot = std::upper_bound(heights_.begin(), end, value);
    std::copy_backward(slot, end, end + 1);
    *slot = value;
    ++count_;
    return;
  }
  ++count_;
  // The cell holding the value; the extreme markers track the minimum and maximum.
  std::size_t cell = 0;
  if (value < heights_[0]) {
    heights_[0] = value;
  } else if (value >= heights_[4]) {
    heights_[4] = value;
    cell = 3;
  } else {
    while (cell < 3 && value >= heights_[cell + 1]) ++cell;
  }
  for (std::size_t i = cell + 1; i < 5; ++i) positions_[i] += 1;
  for (std::size_t i = 0; i < 5; ++i) desired_[i] += increments_[i];
  for (std::size_t i = 1; i < 4; ++i) {
    const double drift = desired_[i] - positions_[i];
    if ((drift >= 1 && positions_[i + 1] - positions_[i] > 1) ||
        (drift <= -1 && positions_[i - 1] - positions_[i] < -1)) {
      const double direction = drift > 0 ? 1.0 : -1.0;
      const double candidate = parabolic(i, direction);
      heights_[i] =
          (heights_[i - 1] < candidate && candidate < heights_[i + 1]) ? candidate : linear(i, direction);
      positions_[i] += direction;
    }
  }
}

double PSquareQuantile::parabolic(std::size_t i, double direction) const {
  const double below = positions_[i] - positions_[i - 1];
  const double above = positions_[i + 1] - positions_[i];
  const double span = positions_[i + 1] - positions_[i - 1];
  return heights_[i] + direction / span *
                           ((below + direction) * (heights_[i + 1] - heights_[i]) / above +
                            (above - direction) * (heights_[i] - heights_[i - 1]) / below);
}

double PSquareQuantile::linear(std::size_t i, double direction) const {
  const std::size_t j = direction > 0 ? i + 1 : i - 1;
  return heights_[i] + direction * (heights_[j] - heights_[i]) / (positions_[j] - positions_[i]);
}

double PSquareQuantile::quantile() const {
  if (count_ == 0) return 0;
  if (count_ < heights_.size()) {
    const auto rank = static_cast<std::size_t>(std::ceil(probability_ * static_cast<double>(count_)));
    return heights_[std::clamp<std::size_t>(rank, 1, count_) - 1];
  }
  return heights_[2];
}

}  // namespace tickguard
