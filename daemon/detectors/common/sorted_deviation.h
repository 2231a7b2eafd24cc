// The median absolute deviation of a sorted run of values, in O(log n) instead of O(n): shared by
// the rolling windows that keep their values sorted (RollingMedian, SortedWindow).
#pragma once

#include <span>

namespace tickguard {

// The median of |x - center| over `sorted` (ascending); 0 when empty. For an even count, the mean
// of the two middle deviations.
double median_absolute_deviation_of_sorted(std::span<const double> sorted, double center);

}  // namespace tickguard
