#include "detectors/common/sorted_deviation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tickguard {
namespace {

// The definition, in O(n log n): sort the deviations and take their median.
double brute_force_mad(const std::vector<double>& values, double center) {
  std::vector<double> deviations;
  for (const double v : values) deviations.push_back(std::abs(v - center));
  std::sort(deviations.begin(), deviations.end());
  const std::size_t n = deviations.size();
  return n % 2 == 1 ? deviations[n / 2] : 0.5 * (deviations[n / 2 - 1] + deviations[n / 2]);
}

TEST(SortedDeviation, MatchesTheDefinitionForAnyCenterAndSize) {
  std::mt19937_64 engine(3);
  std::uniform_real_distribution<double> value(-10, 10);
  for (std::size_t n = 1; n <= 40; ++n) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> sorted(n);
      for (double& v : sorted) v = trial % 3 == 0 ? std::round(value(engine)) : value(engine);  // ties too
      std::sort(sorted.begin(), sorted.end());
      const double center = trial % 2 == 0 ? sorted[n / 2] : value(engine);
      EXPECT_DOUBLE_EQ(median_absolute_deviation_of_sorted(sorted, center), brute_force_mad(sorted, center))
          << "n=" << n << " trial=" << trial;
    }
  }
}

TEST(SortedDeviation, EmptyIsZero) { EXPECT_EQ(median_absolute_deviation_of_sorted({}, 1.0), 0.0); }

}  // namespace
}  // namespace tickguard
