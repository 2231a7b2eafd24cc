#include "detectors/crypto/whale_trade_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "detectors/crypto/p_square_quantile.h"
#include "tests/daemon/detectors/crypto/crypto_test_support.h"

namespace tickguard {
namespace {

using testing::alarms;
using testing::all_finite;
using testing::kStart;
using testing::Random;
using testing::RecordingSink;
using testing::trade_at;

// BTC-like flow: price 30000, lognormal sizes with median 0.05 (notional 1500) and log-sd 1.
void run_market(WhaleTradeDetector& detector, ObservationSink& sink, Random& random, int trades,
                double& now) {
  for (int i = 0; i < trades; ++i) {
    now += 0.1;
    detector.on_trade(trade_at(now, 30000, random.lognormal(std::log(0.05), 1.0)), sink);
  }
}

TEST(PSquareQuantile, TracksHighQuantileOfUniformAndLognormal) {
  PSquareQuantile uniform(0.99);
  PSquareQuantile lognormal(0.999);
  Random random(1);
  for (int i = 0; i < 200'000; ++i) {
    uniform.add(random.uniform());
    lognormal.add(random.gaussian());
  }
  EXPECT_NEAR(uniform.quantile(), 0.99, 0.003);
  EXPECT_NEAR(lognormal.quantile(), 3.09, 0.1);  // the standard normal's 99.9th percentile
  EXPECT_EQ(uniform.count(), 200'000u);
}

TEST(PSquareQuantile, IsExactBelowFiveValuesAndIgnoresNonFinite) {
  PSquareQuantile quantile(0.5);
  EXPECT_EQ(quantile.quantile(), 0.0);
  quantile.add(3);
  quantile.add(std::numeric_limits<double>::quiet_NaN());
  quantile.add(1);
  quantile.add(2);
  EXPECT_EQ(quantile.count(), 3u);
  EXPECT_EQ(quantile.quantile(), 2.0);
  quantile.clear();
  EXPECT_EQ(quantile.count(), 0u);
}

TEST(WhaleTradeDetector, EmitsNothingBeforeFirstGenerationCompletes) {
  WhaleTradeDetector detector(WhaleTradeDetector::Options{.window = 1000});
  RecordingSink sink;
  Random random(2);
  double now = kStart;
  run_market(detector, sink, random, 999, now);
  EXPECT_EQ(detector.baseline_quantile(), 0.0);
  run_market(detector, sink, random, 1, now);  // completes the first generation
  EXPECT_TRUE(sink.observations.empty());
  run_market(detector, sink, random, 1, now);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "trade notional");
  EXPECT_GT(detector.baseline_quantile(), 1500.0);
}

TEST(WhaleTradeDetector, RarelyFiresOnLognormalFlow) {
  WhaleTradeDetector detector(WhaleTradeDetector::Options{});
  RecordingSink sink;
  Random random(3);
  double now = kStart;
  run_market(detector, sink, random, 210'000, now);
  ASSERT_EQ(sink.observations.size(), 200'000u);
  const std::size_t false_alarms = alarms(sink);
  std::printf("whale_trade false alarms on noise: %zu of %zu\n", false_alarms, sink.observations.size());
  // Beyond 5x the 99.9th percentile of a log-sd 1 lognormal is z > 4.7: about 1.3e-6 per trade.
  EXPECT_LE(false_alarms, 2u);
  EXPECT_TRUE(all_finite(sink));
}

TEST(WhaleTradeDetector, FlagsTradeFarAboveQuantileAndFloor) {
  WhaleTradeDetector detector(WhaleTradeDetector::Options{});
  RecordingSink sink;
  Random random(4);
  double now = kStart;
  run_market(detector, sink, random, 20'000, now);
  ASSERT_EQ(alarms(sink), 0u);
  const double limit = std::max(25 * detector.baseline_quantile(), 100000.0);
  detector.on_trade(trade_at(now + 0.1, 30000, 200), sink);  // 6 million quote units
  const Observation& whale = sink.observations.back();
  EXPECT_GE(whale.ratio, 1.0);
  EXPECT_GT(whale.score, 0.9);
  EXPECT_EQ(whale.observed, 6e6);
  EXPECT_EQ(whale.expected_low, 0.0);
  EXPECT_DOUBLE_EQ(whale.expected_high, limit);
  EXPECT_DOUBLE_EQ(whale.ratio, 6e6 / limit);
}

TEST(WhaleTradeDetector, FloorKeepsSmallMarketsQuiet) {
  WhaleTradeDetector detector(WhaleTradeDetector::Options{.window = 1000});
  RecordingSink sink;
  Random random(5);
  for (int i = 0; i < 2000; ++i) detector.on_trade(trade_at(kStart + i, 1.0, random.lognormal(0, 0.5)), sink);
  detector.on_trade(trade_at(kStart + 2000, 1.0, 5000), sink);  // 1000x the usual, but 5000 < 100000
  const Observation& big = sink.observations.back();
  EXPECT_LT(big.ratio, 1.0);
  EXPECT_EQ(big.expected_high, 100000.0);
  EXPECT_DOUBLE_EQ(big.ratio, 0.05);
}

TEST(WhaleTradeDetector, ConstantTradesGiveFiniteQuietScores) {
  WhaleTradeDetector detector(WhaleTradeDetector::Options{.window = 1000, .min_notional = 0});
  RecordingSink sink;
  for (int i = 0; i < 5000; ++i) detector.on_trade(trade_at(kStart + i, 100.0, 1.0), sink);
  ASSERT_EQ(sink.observations.size(), 4000u);
  EXPECT_TRUE(all_finite(sink));
  EXPECT_NEAR(sink.max_ratio(), 0.04, 1e-9);  // 100 against 25 x 100
  // Zero-size trades are scored (ratio 0) but do not drag the baseline down.
  for (int i = 0; i < 5000; ++i) detector.on_trade(trade_at(kStart + 5000 + i, 100.0, 0.0), sink);
  EXPECT_TRUE(all_finite(sink));
  EXPECT_EQ(sink.observations.back().ratio, 0.0);
  EXPECT_NEAR(detector.baseline_quantile(), 100.0, 1e-9);
}

TEST(WhaleTradeDetector, IgnoresInvalidTrades) {
  WhaleTradeDetector detector(WhaleTradeDetector::Options{.window = 1000});
  RecordingSink sink;
  for (int i = 0; i < 1001; ++i) detector.on_trade(trade_at(kStart + i, 100.0, 1.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double quantity : {nan, inf, -inf, -1.0})
    detector.on_trade(trade_at(kStart + 2000, 100.0, quantity), sink);
  for (double price : {nan, inf, 0.0, -5.0}) detector.on_trade(trade_at(kStart + 2000, price, 1.0), sink);
  detector.on_trade(trade_at(kStart + 2000, 1e300, 1e300), sink);  // notional overflows
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(WhaleTradeDetector, MemoryStaysBoundedOverMillionTrades) {
  WhaleTradeDetector detector(WhaleTradeDetector::Options{.window = 1000});
  testing::CountingSink sink;
  Random random(6);
  double now = kStart;
  run_market(detector, sink, random, 1'000'000, now);
  EXPECT_EQ(sink.observations, 999'000u);
  EXPECT_EQ(sink.non_finite, 0u);
  std::printf("whale_trade (window 1000) false alarms on noise: %zu of %zu\n", sink.alarms,
              sink.observations);
  EXPECT_EQ(WhaleTradeDetector::state_size(), 10u);  // two P² estimators, whatever the stream length
  EXPECT_TRUE(std::isfinite(detector.baseline_quantile()));
  EXPECT_GT(detector.baseline_quantile(), 1500.0);
}

TEST(WhaleTradeDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = WhaleTradeDetector::descriptor();
  EXPECT_EQ(descriptor.name, "whale_trade");
  ASSERT_EQ(descriptor.params.size(), 4u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_GE(spec.max, spec.default_value) << spec.name;
  }
  ParamValues params;
  params.set("window", 1000);
  params.set("min_notional", 50);
  const WhaleTradeDetector::Options options = WhaleTradeDetector::options_from(params);
  EXPECT_EQ(options.window, 1000u);
  EXPECT_EQ(options.min_notional, 50.0);
  EXPECT_EQ(options.quantile, 0.999);  // missing: default
  EXPECT_EQ(options.threshold, 25.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  for (int i = 0; i < 1001; ++i) detector->on_trade(trade_at(kStart + i, 10.0, 1.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_DOUBLE_EQ(sink.observations[0].expected_high, 250.0);  // max(25 x 10, 50)
}

}  // namespace
}  // namespace tickguard
