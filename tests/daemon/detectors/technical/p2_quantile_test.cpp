#include "detectors/technical/p2_quantile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard {
namespace {

TEST(P2Quantile, IsExactForTheFirstFiveValues) {
  P2Quantile median(0.5);
  EXPECT_EQ(median.quantile(), 0.0);
  median.add(3.0);
  EXPECT_EQ(median.quantile(), 3.0);
  median.add(1.0);
  EXPECT_EQ(median.quantile(), 2.0);
  median.add(2.0);
  EXPECT_EQ(median.quantile(), 2.0);
  median.add(10.0);
  median.add(0.0);
  EXPECT_EQ(median.count(), 5u);
  EXPECT_EQ(median.quantile(), 2.0);
}

TEST(P2Quantile, TracksQuantilesOfUniformValues) {
  for (const double probability : {0.5, 0.9, 0.99, 0.999}) {
    P2Quantile estimator(probability);
    testing::Random random(51);
    for (int i = 0; i < 100'000; ++i) estimator.add(random.uniform());
    EXPECT_NEAR(estimator.quantile(), probability, 0.005) << probability;
  }
}

TEST(P2Quantile, TracksTheHighTailOfExponentialValues) {
  P2Quantile estimator(0.999);
  testing::Random random(52);
  for (int i = 0; i < 200'000; ++i) estimator.add(random.exponential(1.0));
  EXPECT_NEAR(estimator.quantile(), std::log(1000.0), 0.07 * std::log(1000.0));
}

TEST(P2Quantile, ConstantValuesGiveThatValue) {
  P2Quantile estimator(0.999);
  for (int i = 0; i < 10'000; ++i) estimator.add(7.5);
  EXPECT_EQ(estimator.quantile(), 7.5);
}

TEST(P2Quantile, IgnoresNonFiniteValues) {
  P2Quantile estimator(0.5);
  estimator.add(std::numeric_limits<double>::quiet_NaN());
  estimator.add(std::numeric_limits<double>::infinity());
  EXPECT_EQ(estimator.count(), 0u);
  for (int i = 1; i <= 101; ++i) estimator.add(i);
  estimator.add(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(estimator.count(), 101u);
  EXPECT_NEAR(estimator.quantile(), 51.0, 1.0);
}

TEST(P2Quantile, ClampsTheProbability) {
  EXPECT_EQ(P2Quantile(1.5).probability(), 1.0);
  EXPECT_EQ(P2Quantile(-1).probability(), 0.0);
  EXPECT_EQ(P2Quantile(std::numeric_limits<double>::quiet_NaN()).probability(), 0.5);
}

}  // namespace
}  // namespace tickguard
