#include "detectors/common/sorted_deviation.h"

#include <algorithm>
#include <cstddef>

namespace tickguard {
namespace {

// The deviations of the values below the center, read from the center outwards, ascend: run
// `below`; so do those of the values at or above it: run `above`. The k-th smallest of their union
// takes some i values from `below` and k + 1 - i from `above`; i is found by bisection, since taking
// one more from `below` is right exactly while its next deviation is smaller than the last one taken
// from `above`.
double kth_deviation(std::span<const double> sorted, double center, std::size_t split, std::size_t k) {
  const std::size_t below_count = split;
  const std::size_t above_count = sorted.size() - split;
  const auto below = [&](std::size_t i) { return center - sorted[split - 1 - i]; };
  const auto above = [&](std::size_t j) { return sorted[split + j] - center; };
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

}  // namespace

double median_absolute_deviation_of_sorted(std::span<const double> sorted, double center) {
  if (sorted.empty()) return 0.0;
  const auto split =
      static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), center) - sorted.begin());
  const std::size_t upper_rank = sorted.size() / 2;
  const std::size_t lower_rank = (sorted.size() - 1) / 2;
  const double upper = kth_deviation(sorted, center, split, upper_rank);
  return upper_rank == lower_rank ? upper : 0.5 * (kth_deviation(sorted, center, split, lower_rank) + upper);
}

}  // namespace tickguard
