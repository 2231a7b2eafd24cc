#include "detectors/technical/rsi_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

#include "tests/daemon/detectors/technical/technical_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::at_seconds;
using testing::kStartSeconds;
using testing::RandomWalkMarket;
using testing::RecordingSink;
using testing::trade_at;

// A drift of 0.5% per one-minute interval at two trades per second: a steady pump.
constexpr double kPumpDriftPerTrade = 0.005 / 120;

TEST(RsiDetector, EmitsNothingBeforeTwicePeriodChanges) {
  RsiDetector detector(RsiDetector::Options{.interval = 60s, .period = 30, .overbought = 85, .oversold = 15});
  RecordingSink sink;
  // One trade per 10 s. Closing interval k gives change k (the first close has no predecessor), so
  // the 60th change comes with the first trade of interval 61.
  for (int second = 0; second < 61 * 60; second += 10) {
    detector.on_trade(trade_at(kStartSeconds + second, 100.0 + 0.01 * (second % 30)), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.changes_seen(), 59u);
  detector.on_trade(trade_at(kStartSeconds + 61 * 60, 100.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(detector.changes_seen(), 60u);
  EXPECT_STREQ(sink.observations[0].quantity, "RSI");
  EXPECT_EQ(sink.observations[0].expected_low, 15.0);
  EXPECT_EQ(sink.observations[0].expected_high, 85.0);
}

TEST(RsiDetector, ComputesWildersRsiOfIntervalCloses) {
  RsiDetector detector(RsiDetector::Options{.interval = 10s, .period = 2, .overbought = 80, .oversold = 20});
  RecordingSink sink;
  const double closes[] = {100, 110, 105, 115, 120};
  for (int i = 0; i < 5; ++i) {
    detector.on_trade(trade_at(kStartSeconds + 10 * i + 1, 90.0), sink);  // not the close
    detector.on_trade(trade_at(kStartSeconds + 10 * i + 5, closes[i]), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(kStartSeconds + 51, 126.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  // Seed: the mean of the first two changes; then Wilder steps for the next two and, provisionally,
  // the interval in progress.
  double gain = std::log(110.0 / 100) / 2;
  double loss = -std::log(105.0 / 110) / 2;
  for (const double change : {std::log(115.0 / 105), std::log(120.0 / 115), std::log(126.0 / 120)}) {
    gain = (gain + change) / 2;
    loss = loss / 2;
  }
  gain += RsiDetector::kMinAverageMove;
  loss += RsiDetector::kMinAverageMove;
  const double rsi = 100 * gain / (gain + loss);
  const Observation& observation = sink.observations[0];
  EXPECT_NEAR(observation.observed, rsi, 1e-9);
  ASSERT_GT(rsi, 80.0);
  EXPECT_NEAR(observation.ratio, 1 + (rsi - 80) / 20, 1e-9);
  EXPECT_NEAR(observation.score, score_from_threshold_ratio(observation.ratio), 1e-12);
}

TEST(RsiDetector, RatioIsOneAtTheExtremesAndTwoAtTheLimits) {
  // Period 2 with an alternating market, then a chosen final move: probe the mapping directly.
  RsiDetector detector(RsiDetector::Options{.interval = 10s, .period = 2, .overbought = 85, .oversold = 15});
  RecordingSink sink;
  for (int i = 0; i < 6; ++i)
    detector.on_trade(trade_at(kStartSeconds + 10 * i, i % 2 == 0 ? 100.0 : 101.0), sink);
  detector.on_trade(trade_at(kStartSeconds + 60, 100.0), sink);
  ASSERT_FALSE(sink.observations.empty());
  for (const double price : {100.0, 100.5, 101.0, 120.0, 1e6, 99.0, 80.0, 1e-6}) {
    detector.on_trade(trade_at(kStartSeconds + 65, price), sink);
    const Observation& observation = sink.observations.back();
    const double rsi = observation.observed;
    double expected = 0;
    if (rsi >= 50) {
      expected = rsi <= 85 ? (rsi - 50) / 35 : 1 + (rsi - 85) / 15;
    } else {
      expected = rsi >= 15 ? (50 - rsi) / 35 : 1 + (15 - rsi) / 15;
    }
    EXPECT_NEAR(observation.ratio, expected, 1e-12) << price;
    EXPECT_LE(observation.ratio, 2.0) << price;
  }
}

TEST(RsiDetector, FlagsPumpAsOverboughtAndDumpAsOversold) {
  for (const double drift : {kPumpDriftPerTrade, -kPumpDriftPerTrade}) {
    RsiDetector detector(RsiDetector::Options{});
    RecordingSink sink;
    RandomWalkMarket market(detector, sink, 41);
    market.run_until(kStartSeconds + 3 * 3600, 2.0);
    ASSERT_FALSE(sink.observations.empty());
    EXPECT_LT(sink.max_ratio(), 1.0);
    const std::size_t before = sink.observations.size();
    const double start = market.now();
    market.run_until(start + 20 * 60, 2.0, drift);  // 20 minutes, about 10% in all
    const Observation* alarm = testing::first_alarm(sink, before);
    ASSERT_NE(alarm, nullptr);
    EXPECT_LT(alarm->time, at_seconds(start + 15 * 60));
    EXPECT_GT(sink.max_ratio(), 1.3);
    if (drift > 0) {
      EXPECT_GE(alarm->observed, alarm->expected_high);
    } else {
      EXPECT_LE(alarm->observed, alarm->expected_low);
    }
  }
}

TEST(RsiDetector, StaysQuietOnRandomWalk) {
  RsiDetector detector(RsiDetector::Options{});
  RecordingSink sink;
  RandomWalkMarket market(detector, sink, 42);
  const long trades = market.run_until(kStartSeconds + 60'000, 2.0);  // 1000 one-minute intervals
  EXPECT_GT(trades, 115'000);
  EXPECT_GT(sink.observations.size(), 110'000u);
  EXPECT_LT(sink.max_ratio(), 1.0);
  EXPECT_GT(sink.max_ratio(), 0.3);
}

TEST(RsiDetector, ConstantPriceGivesNoNanAndNoAlarm) {
  RsiDetector detector(RsiDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second < 3 * 3600; second += 5) {
    detector.on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  }
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_EQ(sink.max_ratio(), 0.0);
  EXPECT_EQ(sink.observations.back().observed, 50.0);
}

TEST(RsiDetector, SingleTickInADeadMarketIsNotOverbought) {
  RsiDetector detector(RsiDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second < 2 * 3600; second += 5)
    detector.on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  // One basis point up, then nothing moves: without the floor this would read RSI 100.
  for (int second = 2 * 3600; second < 3 * 3600; second += 5) {
    detector.on_trade(trade_at(kStartSeconds + second, 100.01), sink);
  }
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_LT(sink.max_ratio(), 0.5);
}

TEST(RsiDetector, LongGapDecaysTowardsNeutral) {
  RsiDetector detector(RsiDetector::Options{});
  RecordingSink sink;
  RandomWalkMarket market(detector, sink, 43);
  market.run_until(kStartSeconds + 3 * 3600, 2.0);
  const double later = market.now() + 10.0 * 365 * 24 * 3600;
  detector.on_trade(trade_at(later, market.price()), sink);
  const Observation& observation = sink.observations.back();
  EXPECT_EQ(observation.time, at_seconds(later));
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_NEAR(observation.observed, 50.0, 1e-9);
  EXPECT_EQ(detector.changes_seen(), 60u);
}

TEST(RsiDetector, IgnoresInvalidTrades) {
  RsiDetector detector(RsiDetector::Options{.interval = 10s, .period = 2, .overbought = 85, .oversold = 15});
  RecordingSink sink;
  for (int i = 0; i < 6; ++i)
    detector.on_trade(trade_at(kStartSeconds + 10 * i, i % 2 == 0 ? 100.0 : 101.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, -inf, 0.0, -5.0})
    detector.on_trade(trade_at(kStartSeconds + 51, price), sink);
  for (double quantity : {nan, inf, -1.0})
    detector.on_trade(trade_at(kStartSeconds + 52, 500.0, quantity), sink);
  detector.on_trade(trade_at(kStartSeconds + 95, nan), sink);  // must not close intervals either
  EXPECT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(detector.changes_seen(), 4u);
  detector.on_trade(trade_at(kStartSeconds + 53, 101.0), sink);
  ASSERT_EQ(sink.observations.size(), 2u);
  EXPECT_EQ(sink.observations.back().observed, sink.observations.front().observed);
  EXPECT_TRUE(testing::all_finite(sink));
}

TEST(RsiDetector, StateStaysBoundedOverAMillionTrades) {
  RsiDetector detector(RsiDetector::Options{.interval = 1s, .period = 30, .overbought = 85, .oversold = 15});
  EXPECT_GT(testing::feed_trades(detector, 1'000'000, 0.5, 44), 990'000);
  EXPECT_EQ(detector.changes_seen(), 60u);  // the warm-up counter saturates
  EXPECT_EQ(RsiDetector::retained_values(), 5u);
}

TEST(RsiDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = RsiDetector::descriptor();
  EXPECT_EQ(descriptor.name, "rsi");
  ASSERT_EQ(descriptor.params.size(), 4u);
  ParamValues params;
  params.set("interval", 2);
  params.set("period", 3);
  params.set("overbought", 70);
  params.set("oversold", 30);
  const RsiDetector::Options options = RsiDetector::options_from(params);
  EXPECT_EQ(options.interval, 2s);
  EXPECT_EQ(options.period, 3u);
  EXPECT_EQ(options.overbought, 70.0);
  EXPECT_EQ(options.oversold, 30.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  // 2 s intervals: the trade at 14 s closes interval 6, the sixth change.
  for (int second = 0; second < 14; ++second)
    detector->on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector->on_trade(trade_at(kStartSeconds + 14, 100.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(sink.observations[0].expected_high, 70.0);
}

TEST(RsiDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("overbought", 90);
  const RsiDetector::Options options = RsiDetector::options_from(params);
  EXPECT_EQ(options.interval, 60s);
  EXPECT_EQ(options.period, 30u);
  EXPECT_EQ(options.overbought, 90.0);
  EXPECT_EQ(options.oversold, 15.0);
  for (const ParamSpec& spec : RsiDetector::descriptor().params) {
    EXPECT_GE(spec.default_value, spec.min) << spec.name;
    EXPECT_LE(spec.default_value, spec.max) << spec.name;
  }
}

}  // namespace
}  // namespace tickguard
