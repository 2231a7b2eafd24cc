#include "detectors/technical/ma_break_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "tests/daemon/detectors/technical/technical_test_support.h"

namespace tickguard {
namespace {

using testing::kStartSeconds;
using testing::RandomWalkMarket;
using testing::RecordingSink;
using testing::trade_at;

TEST(MaBreakDetector, EmitsNothingBeforeWindowAndMinSamples) {
  MaBreakDetector detector(
      MaBreakDetector::Options{.window = 20, .band_window = 100, .min_samples = 50, .threshold = 6.0});
  RecordingSink sink;
  testing::Random random(31);
  // 20 prices fill the moving average, the next 50 deviations build the band.
  for (int i = 0; i < 70; ++i) {
    detector.on_trade(trade_at(kStartSeconds + i, 100.0 + 0.01 * random.gaussian()), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(kStartSeconds + 70, 100.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "trade price");
  EXPECT_EQ(sink.observations[0].observed, 100.0);
}

TEST(MaBreakDetector, BandSurroundsTheMovingAverageShiftedByTheUsualDeviation) {
  MaBreakDetector detector(
      MaBreakDetector::Options{.window = 4, .band_window = 10, .min_samples = 4, .threshold = 2.0});
  RecordingSink sink;
  // Prices alternate 100, 102: the SMA of the previous four is always 101.
  for (int i = 0; i < 8; ++i)
    detector.on_trade(trade_at(kStartSeconds + i, i % 2 == 0 ? 100.0 : 102.0), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(kStartSeconds + 8, 101.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  // Deviations ln(100/101), ln(102/101), twice each.
  const double low = std::log(100.0 / 101.0);
  const double high = std::log(102.0 / 101.0);
  const double center = 0.5 * (low + high);
  const double stddev = std::sqrt(4 * 0.25 * (high - low) * (high - low) / 3);
  const Observation& observation = sink.observations[0];
  EXPECT_NEAR(observation.expected_low, 101.0 * std::exp(center - 2 * stddev), 1e-9);
  EXPECT_NEAR(observation.expected_high, 101.0 * std::exp(center + 2 * stddev), 1e-9);
  EXPECT_NEAR(observation.ratio, std::abs(0.0 - center) / (2 * stddev), 1e-9);
}

TEST(MaBreakDetector, FlagsBreakoutAboveAndBelowTheAverage) {
  for (const double factor : {1.01, 0.99}) {
    MaBreakDetector detector(MaBreakDetector::Options{});
    RecordingSink sink;
    RandomWalkMarket market(detector, sink, 32);
    market.run_until(kStartSeconds + 3000, 2.0);
    ASSERT_FALSE(sink.observations.empty());
    EXPECT_LT(sink.max_ratio(), 1.0);
    market.jump(factor);  // 1% off an average that trades usually stray from by under 0.1%
    const Observation& breakout = sink.observations.back();
    EXPECT_GE(breakout.ratio, 1.0);
    EXPECT_GT(breakout.score, 0.5);
    EXPECT_EQ(breakout.observed, market.price());
    if (factor > 1) {
      EXPECT_GT(breakout.observed, breakout.expected_high);
    } else {
      EXPECT_LT(breakout.observed, breakout.expected_low);
    }
  }
}

TEST(MaBreakDetector, KeepsFlaggingASustainedBreakoutWhileTheAverageCatchesUp) {
  MaBreakDetector detector(MaBreakDetector::Options{});
  RecordingSink sink;
  RandomWalkMarket market(detector, sink, 33);
  market.run_until(kStartSeconds + 3000, 2.0);
  market.jump(1.01);
  const std::size_t before = sink.observations.size();
  market.run_until(market.now() + 25, 2.0);  // ~50 more trades at the new level
  ASSERT_GT(sink.observations.size(), before + 20);
  // Winsorizing keeps the band from widening around the new level, so the first trades after
  // the break, still far from the lagging average, stay flagged.
  for (std::size_t i = before; i < before + 20; ++i) EXPECT_GE(sink.observations[i].ratio, 1.0) << i;
}

TEST(MaBreakDetector, StaysQuietOnRandomWalk) {
  MaBreakDetector detector(MaBreakDetector::Options{});
  RecordingSink sink;
  RandomWalkMarket market(detector, sink, 34);
  const long trades = market.run_until(kStartSeconds + 60'000, 2.0);
  EXPECT_GT(trades, 115'000);
  EXPECT_EQ(sink.observations.size(), static_cast<std::size_t>(trades - 1200));
  EXPECT_LT(sink.max_ratio(), 1.0);
  EXPECT_GT(sink.max_ratio(), 0.3);
}

TEST(MaBreakDetector, ConstantPriceGivesNoNanAndNoAlarm) {
  MaBreakDetector detector(MaBreakDetector::Options{});
  RecordingSink sink;
  for (int i = 0; i < 5000; ++i) detector.on_trade(trade_at(kStartSeconds + i, 60'000.0), sink);
  ASSERT_EQ(sink.observations.size(), 3800u);
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_EQ(sink.max_ratio(), 0.0);
  const Observation& last = sink.observations.back();
  EXPECT_LT(last.expected_low, 60'000.0);
  EXPECT_GT(last.expected_high, 60'000.0);
}

TEST(MaBreakDetector, IgnoresInvalidTrades) {
  MaBreakDetector detector(
      MaBreakDetector::Options{.window = 5, .band_window = 20, .min_samples = 10, .threshold = 6.0});
  RecordingSink sink;
  RandomWalkMarket market(detector, sink, 35);
  market.run_until(kStartSeconds + 100, 2.0);
  const std::size_t before = sink.observations.size();
  ASSERT_GT(before, 0u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, -inf, 0.0, -100.0}) detector.on_trade(trade_at(market.now(), price), sink);
  for (double quantity : {nan, inf, -1.0}) {
    detector.on_trade(trade_at(market.now(), 2 * market.price(), quantity), sink);
  }
  EXPECT_EQ(sink.observations.size(), before);
  detector.on_trade(trade_at(market.now(), market.price()), sink);
  ASSERT_EQ(sink.observations.size(), before + 1);
  EXPECT_LT(sink.observations.back().ratio, 1.0);
  EXPECT_TRUE(testing::all_finite(sink));
}

TEST(MaBreakDetector, MemoryStaysBoundedOverAMillionTrades) {
  MaBreakDetector detector(MaBreakDetector::Options{});
  EXPECT_EQ(detector.retained_values(), 2200u);
  EXPECT_EQ(testing::feed_trades(detector, 1'000'000, 0.5, 36), 1'000'000 - 1200);
  EXPECT_EQ(detector.retained_values(), 2200u);
}

TEST(MaBreakDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = MaBreakDetector::descriptor();
  EXPECT_EQ(descriptor.name, "ma_break");
  ASSERT_EQ(descriptor.params.size(), 4u);
  ParamValues params;
  params.set("window", 5);
  params.set("band_window", 20);
  params.set("min_samples", 10);
  params.set("threshold", 3);
  const MaBreakDetector::Options options = MaBreakDetector::options_from(params);
  EXPECT_EQ(options.window, 5u);
  EXPECT_EQ(options.band_window, 20u);
  EXPECT_EQ(options.min_samples, 10u);
  EXPECT_EQ(options.threshold, 3.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  for (int i = 0; i < 15; ++i) detector->on_trade(trade_at(kStartSeconds + i, 100.0 + (i % 2)), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector->on_trade(trade_at(kStartSeconds + 15, 100.0), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(MaBreakDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 2.5);
  const MaBreakDetector::Options options = MaBreakDetector::options_from(params);
  EXPECT_EQ(options.window, 200u);
  EXPECT_EQ(options.band_window, 2000u);
  EXPECT_EQ(options.min_samples, 1000u);
  EXPECT_EQ(options.threshold, 2.5);
  for (const ParamSpec& spec : MaBreakDetector::descriptor().params) {
    EXPECT_GE(spec.default_value, spec.min) << spec.name;
    EXPECT_LE(spec.default_value, spec.max) << spec.name;
  }
}

}  // namespace
}  // namespace tickguard
