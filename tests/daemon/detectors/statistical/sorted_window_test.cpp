#include "detectors/statistical/sorted_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <vector>

#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard::statistical {
namespace {

double brute_quantile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double position = p * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(position);
  if (below + 1 >= values.size()) return values.back();
  return values[below] + (position - static_cast<double>(below)) * (values[below + 1] - values[below]);
}

double brute_mad(const std::vector<double>& values) {
  const double median = brute_quantile(values, 0.5);
  std::vector<double> deviations;
  for (double v : values) deviations.push_back(std::abs(v - median));
  return brute_quantile(deviations, 0.5);
}

TEST(SortedWindow, MatchesBruteForceQuantilesAndMadWhileSliding) {
  for (std::size_t capacity : {1u, 2u, 3u, 4u, 7u, 50u}) {
    SortedWindow window(capacity);
    testing::Random random(capacity);
    std::deque<double> recent;
    for (int i = 0; i < 400; ++i) {
      // Rounded draws make ties, as trade returns on a tick grid do.
      const double value = std::round(random.gaussian() * 4) / 4;
      window.add(value);
      recent.push_back(value);
      if (recent.size() > capacity) recent.pop_front();
      const std::vector<double> values(recent.begin(), recent.end());
      ASSERT_EQ(window.count(), values.size());
      for (double p : {0.0, 0.25, 0.5, 0.75, 1.0})
        EXPECT_DOUBLE_EQ(window.quantile(p), brute_quantile(values, p));
      ASSERT_DOUBLE_EQ(window.mad(), brute_mad(values)) << "capacity " << capacity << " step " << i;
    }
  }
}

TEST(SortedWindow, EmptyWindowIsZeroAndNonFiniteValuesAreIgnored) {
  SortedWindow window(5);
  EXPECT_EQ(window.median(), 0.0);
  EXPECT_EQ(window.mad(), 0.0);
  window.add(std::numeric_limits<double>::quiet_NaN());
  window.add(std::numeric_limits<double>::infinity());
  EXPECT_EQ(window.count(), 0u);
  window.add(2.0);
  EXPECT_EQ(window.median(), 2.0);
  EXPECT_EQ(window.mad(), 0.0);
}

}  // namespace
}  // namespace tickguard::statistical
