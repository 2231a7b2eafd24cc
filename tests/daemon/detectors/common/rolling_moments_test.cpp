#include "detectors/common/rolling_moments.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <numbers>
#include <random>

#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard {
namespace {

using testing::Gaussian;

struct Moments {
  double mean = 0;
  double variance = 0;
};

// Two-pass reference in long double.
Moments brute_force(const std::deque<double>& window) {
  long double sum = 0;
  for (double v : window) sum += v;
  const long double mean = sum / static_cast<long double>(window.size());
  long double squares = 0;
  for (double v : window) squares += (v - mean) * (v - mean);
  const double variance =
      window.size() < 2 ? 0.0 : static_cast<double>(squares / static_cast<long double>(window.size() - 1));
  return {static_cast<double>(mean), variance};
}

void expect_matches(const RollingMoments& moments, const std::deque<double>& window, double tolerance) {
  const Moments expected = brute_force(window);
  ASSERT_EQ(moments.count(), window.size());
  EXPECT_NEAR(moments.mean(), expected.mean, tolerance * std::max(1.0, std::abs(expected.mean)));
  EXPECT_NEAR(moments.variance(), expected.variance, tolerance * std::max(1e-300, expected.variance));
  EXPECT_NEAR(moments.stddev(), std::sqrt(expected.variance),
              tolerance * std::sqrt(expected.variance) + 1e-300);
}

TEST(RollingMoments, EmptyWindowReportsZeros) {
  RollingMoments moments(10);
  EXPECT_EQ(moments.count(), 0u);
  EXPECT_FALSE(moments.full());
  EXPECT_EQ(moments.mean(), 0.0);
  EXPECT_EQ(moments.variance(), 0.0);
  EXPECT_EQ(moments.stddev(), 0.0);
}

TEST(RollingMoments, SingleValueHasZeroVariance) {
  RollingMoments moments(10);
  moments.add(4.5);
  EXPECT_EQ(moments.count(), 1u);
  EXPECT_EQ(moments.mean(), 4.5);
  EXPECT_EQ(moments.variance(), 0.0);
}

TEST(RollingMoments, KnownSmallWindowUsesSampleVariance) {
  RollingMoments moments(4);
  for (double v : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) moments.add(v);
  // Window is {5, 5, 7, 9}: mean 6.5, squared deviations 2.25 + 2.25 + 0.25 + 6.25 = 11.
  EXPECT_TRUE(moments.full());
  EXPECT_DOUBLE_EQ(moments.mean(), 6.5);
  EXPECT_DOUBLE_EQ(moments.variance(), 11.0 / 3.0);
}

TEST(RollingMoments, CountsUpToCapacityThenStaysFull) {
  RollingMoments moments(3);
  moments.add(1);
  moments.add(2);
  EXPECT_EQ(moments.count(), 2u);
  EXPECT_FALSE(moments.full());
  moments.add(3);
  EXPECT_TRUE(moments.full());
  moments.add(4);
  EXPECT_EQ(moments.count(), 3u);
  EXPECT_EQ(moments.capacity(), 3u);
  EXPECT_DOUBLE_EQ(moments.mean(), 3.0);
}

TEST(RollingMoments, MatchesBruteForceOnRandomSequences) {
  for (std::size_t capacity : {1u, 2u, 7u, 64u, 301u}) {
    SCOPED_TRACE(capacity);
    Gaussian gaussian(17 + capacity);
    RollingMoments moments(capacity);
    std::deque<double> window;
    for (int i = 0; i < 3000; ++i) {
      const double value = 3.0 + 2.0 * gaussian();
      moments.add(value);
      window.push_back(value);
      if (window.size() > capacity) window.pop_front();
      expect_matches(moments, window, 1e-9);
    }
  }
}

TEST(RollingMoments, StaysAccurateAfterManyEvictionsAcrossScaleChanges) {
  // Regimes whose scale differs by 1e6 are where a running update loses digits; the periodic exact
  // recompute must bring the error back down.
  Gaussian gaussian(99);
  constexpr std::size_t kCapacity = 37;
  RollingMoments moments(kCapacity);
  std::deque<double> window;
  for (int i = 0; i < 200000; ++i) {
    const double scale = (i / 5000) % 2 == 0 ? 1e3 : 1e-3;
    const double value = scale * gaussian();
    moments.add(value);
    window.push_back(value);
    if (window.size() > kCapacity) window.pop_front();
    if (i % 5000 == 4999) expect_matches(moments, window, 1e-6);
  }
  expect_matches(moments, window, 1e-6);
}

TEST(RollingMoments, HandlesLargeOffsetWithTinyNoise) {
  Gaussian gaussian(7);
  constexpr std::size_t kCapacity = 250;
  RollingMoments moments(kCapacity);
  std::deque<double> window;
  for (int i = 0; i < 100000; ++i) {
    const double value = 1e6 + 1e-3 * gaussian();
    moments.add(value);
    window.push_back(value);
    if (window.size() > kCapacity) window.pop_front();
  }
  const Moments expected = brute_force(window);
  EXPECT_NEAR(moments.mean(), expected.mean, 1e-9);
  EXPECT_NEAR(moments.variance(), expected.variance, 1e-6 * expected.variance);
  EXPECT_NEAR(moments.stddev(), 1e-3, 2e-4);
}

TEST(RollingMoments, ConstantValuesGiveZeroNotNegativeVariance) {
  RollingMoments moments(50);
  for (int i = 0; i < 10000; ++i) moments.add(0.1 * 3);
  EXPECT_GE(moments.variance(), 0.0);
  EXPECT_LT(moments.variance(), 1e-30);
  EXPECT_FALSE(std::isnan(moments.stddev()));
}

TEST(RollingMoments, IgnoresNonFiniteValues) {
  RollingMoments moments(5);
  moments.add(1.0);
  moments.add(std::numeric_limits<double>::quiet_NaN());
  moments.add(std::numeric_limits<double>::infinity());
  moments.add(-std::numeric_limits<double>::infinity());
  moments.add(3.0);
  EXPECT_EQ(moments.count(), 2u);
  EXPECT_DOUBLE_EQ(moments.mean(), 2.0);
  EXPECT_DOUBLE_EQ(moments.variance(), 2.0);
}

TEST(RollingMoments, ClearForgetsValues) {
  RollingMoments moments(4);
  for (double v : {10.0, 20.0, 30.0, 40.0, 50.0}) moments.add(v);
  moments.clear();
  EXPECT_EQ(moments.count(), 0u);
  moments.add(1.0);
  moments.add(3.0);
  EXPECT_DOUBLE_EQ(moments.mean(), 2.0);
  EXPECT_DOUBLE_EQ(moments.variance(), 2.0);
}

}  // namespace
}  // namespace tickguard
