#include "detectors/common/rolling_median.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <random>
#include <vector>

namespace tickguard {
namespace {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

struct Robust {
  double median = 0;
  double mad = 0;
};

Robust brute_force(const std::deque<double>& window) {
  const std::vector<double> values(window.begin(), window.end());
  const double median = median_of(values);
  std::vector<double> deviations;
  for (double v : values) deviations.push_back(std::abs(v - median));
  return {median, median_of(deviations)};
}

void expect_matches(const RollingMedian& rolling, const std::deque<double>& window) {
  ASSERT_EQ(rolling.count(), window.size());
  const Robust expected = brute_force(window);
  EXPECT_EQ(rolling.median(), expected.median);
  EXPECT_EQ(rolling.mad(), expected.mad);
}

TEST(RollingMedian, EmptyWindowReportsZeros) {
  RollingMedian rolling(8);
  EXPECT_EQ(rolling.count(), 0u);
  EXPECT_EQ(rolling.median(), 0.0);
  EXPECT_EQ(rolling.mad(), 0.0);
}

TEST(RollingMedian, OddWindowMedianAndMadAreExact) {
  RollingMedian rolling(5);
  for (double v : {4.0, 100.0, 1.0, 3.0, 2.0}) rolling.add(v);
  // Sorted {1, 2, 3, 4, 100}; deviations from 3 sorted {0, 1, 1, 2, 97}.
  EXPECT_EQ(rolling.median(), 3.0);
  EXPECT_EQ(rolling.mad(), 1.0);
}

TEST(RollingMedian, EvenWindowAveragesTheMiddlePair) {
  RollingMedian rolling(6);
  for (double v : {32.0, 1.0, 16.0, 2.0, 8.0, 4.0}) rolling.add(v);
  // Sorted {1, 2, 4, 8, 16, 32}: median 6; deviations sorted {2, 2, 4, 5, 10, 26}: MAD 4.5.
  EXPECT_EQ(rolling.median(), 6.0);
  EXPECT_EQ(rolling.mad(), 4.5);
}

TEST(RollingMedian, EvictsTheOldestValue) {
  RollingMedian rolling(3);
  for (double v : {1.0, 2.0, 3.0, 10.0}) rolling.add(v);
  // Window {2, 3, 10}: median 3, deviations {1, 0, 7}.
  EXPECT_TRUE(rolling.full());
  EXPECT_EQ(rolling.count(), 3u);
  EXPECT_EQ(rolling.median(), 3.0);
  EXPECT_EQ(rolling.mad(), 1.0);
}

TEST(RollingMedian, MatchesBruteForceOnRandomSequencesWithDuplicates) {
  for (std::size_t capacity : {1u, 2u, 5u, 6u, 64u, 101u}) {
    SCOPED_TRACE(capacity);
    std::mt19937_64 engine(1000 + capacity);
    RollingMedian rolling(capacity);
    std::deque<double> window;
    for (int i = 0; i < 4000; ++i) {
      // Few distinct values, so ties are common and eviction must remove the right copy.
      const double value = static_cast<double>(engine() % 13) * 0.5 - 2.0;
      rolling.add(value);
      window.push_back(value);
      if (window.size() > capacity) window.pop_front();
      expect_matches(rolling, window);
    }
  }
}

TEST(RollingMedian, MatchesBruteForceWithLargeOffsetAndTinyNoise) {
  std::mt19937_64 engine(42);
  constexpr std::size_t kCapacity = 200;
  RollingMedian rolling(kCapacity);
  std::deque<double> window;
  for (int i = 0; i < 20000; ++i) {
    const double noise = static_cast<double>(engine() >> 11) * 0x1.0p-53 - 0.5;
    const double value = 1e6 + 1e-6 * noise;
    rolling.add(value);
    window.push_back(value);
    if (window.size() > kCapacity) window.pop_front();
  }
  expect_matches(rolling, window);
}

TEST(RollingMedian, AddRepeatedMatchesRepeatedAdd) {
  for (std::size_t capacity : {5u, 40u}) {
    for (std::size_t prefill : {0u, 3u, 39u, 100u}) {
      for (std::size_t repeat : {0u, 1u, 16u, 17u, 30u, 39u, 40u, 41u, 1000u}) {
        SCOPED_TRACE(testing::Message() << capacity << " " << prefill << " " << repeat);
        std::mt19937_64 engine(capacity * 7919 + prefill * 31 + repeat);
        RollingMedian bulk(capacity);
        std::deque<double> window;
        auto push = [&](double v) {
          window.push_back(v);
          if (window.size() > capacity) window.pop_front();
        };
        for (std::size_t i = 0; i < prefill; ++i) {
          const double value = static_cast<double>(engine() % 1000);
          bulk.add(value);
          push(value);
        }
        bulk.add_repeated(-1.0, repeat);
        for (std::size_t i = 0; i < repeat; ++i) push(-1.0);
        expect_matches(bulk, window);
        // Later adds must evict in arrival order, so the ring must be consistent too.
        for (std::size_t i = 0; i < 2 * capacity; ++i) {
          const double value = static_cast<double>(engine() % 1000);
          bulk.add(value);
          push(value);
          expect_matches(bulk, window);
        }
      }
    }
  }
}

TEST(RollingMedian, IgnoresNonFiniteValues) {
  RollingMedian rolling(4);
  rolling.add(1.0);
  rolling.add(std::numeric_limits<double>::quiet_NaN());
  rolling.add(std::numeric_limits<double>::infinity());
  rolling.add_repeated(std::numeric_limits<double>::quiet_NaN(), 100);
  rolling.add(3.0);
  EXPECT_EQ(rolling.count(), 2u);
  EXPECT_EQ(rolling.median(), 2.0);
  EXPECT_EQ(rolling.mad(), 1.0);
}

TEST(RollingMedian, ClearForgetsValues) {
  RollingMedian rolling(3);
  for (double v : {5.0, 6.0, 7.0, 8.0}) rolling.add(v);
  rolling.clear();
  EXPECT_EQ(rolling.count(), 0u);
  rolling.add(1.0);
  EXPECT_EQ(rolling.median(), 1.0);
  EXPECT_EQ(rolling.mad(), 0.0);
}

}  // namespace
}  // namespace tickguard
