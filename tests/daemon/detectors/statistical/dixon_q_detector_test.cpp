#include "detectors/statistical/dixon_q_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/daemon/detectors/detector_test_support.h"
#include "tests/daemon/detectors/statistical/trade_feeder.h"

namespace tickguard {
namespace {

using testing::CountingSink;
using testing::Gaussian;
using testing::RecordingSink;
using testing::TradeFeeder;

// Prices scattered around 100 with a 1 bp standard deviation, as bid/ask bounce around a still mid.
void bounce(TradeFeeder& feeder, Gaussian& gaussian, int trades) {
  for (int i = 0; i < trades; ++i) feeder.trade_at(100.0 * (1 + 1e-4 * gaussian()));
}

TEST(DixonQDetector, CriticalValuesComeFromThePublishedTable) {
  EXPECT_EQ(DixonQDetector::critical_value(3, 90), 0.941);
  EXPECT_EQ(DixonQDetector::critical_value(10, 95), 0.466);
  EXPECT_EQ(DixonQDetector::critical_value(10, 99), 0.568);
  EXPECT_EQ(DixonQDetector::critical_value(25, 99), 0.393);
  EXPECT_EQ(DixonQDetector::critical_value(40, 99), 0.393);  // n clamped to 25
  EXPECT_EQ(DixonQDetector::critical_value(10, 94), 0.466);  // rounds to 95
}

TEST(DixonQDetector, EmitsNothingUntilTheSampleIsFull) {
  DixonQDetector detector(DixonQDetector::Options{.window = 10, .confidence = 99, .min_gap = 0.001});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(1);
  bounce(feeder, gaussian, 9);
  EXPECT_TRUE(sink.observations.empty());
  bounce(feeder, gaussian, 1);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "trade price");
}

TEST(DixonQDetector, FlagsOffMarketPrintsAboveAndBelow) {
  DixonQDetector detector(DixonQDetector::Options{.min_gap = 0.001});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(2);
  bounce(feeder, gaussian, 50);
  feeder.trade_at(101.0);  // a 1 % fat finger
  const Observation high = sink.observations.back();
  EXPECT_GE(high.ratio, 1.0);
  EXPECT_GT(high.score, 0.5);
  EXPECT_EQ(high.observed, 101.0);
  EXPECT_GT(high.observed, high.expected_high);
  EXPECT_LT(high.expected_high, 100.2);
  bounce(feeder, gaussian, 20);
  feeder.trade_at(99.0);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  EXPECT_LT(sink.observations.back().observed, sink.observations.back().expected_low);
}

TEST(DixonQDetector, BandEdgesAreWhereTheRatioReachesOne) {
  for (double min_gap : {0.0, 0.001}) {
    DixonQDetector probe_band(DixonQDetector::Options{.window = 5, .confidence = 95, .min_gap = min_gap});
    RecordingSink sink;
    TradeFeeder feeder(probe_band, sink);
    for (double price : {100.0, 100.02, 100.01, 99.99}) feeder.trade_at(price);
    feeder.trade_at(100.0);
    ASSERT_EQ(sink.observations.size(), 1u);
    const double high = sink.observations[0].expected_high;
    const double low = sink.observations[0].expected_low;
    for (const double edge : {high, low}) {
      DixonQDetector detector(DixonQDetector::Options{.window = 5, .confidence = 95, .min_gap = min_gap});
      RecordingSink edge_sink;
      TradeFeeder edge_feeder(detector, edge_sink);
      for (double price : {100.0, 100.02, 100.01, 99.99}) edge_feeder.trade_at(price);
      edge_feeder.trade_at(edge);
      EXPECT_NEAR(edge_sink.observations[0].ratio, 1.0, 1e-9) << "min_gap " << min_gap << " edge " << edge;
    }
  }
}

TEST(DixonQDetector, StaysQuietOnPriceNoiseWithTheDefaultMinGap) {
  DixonQDetector detector(DixonQDetector::Options{});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(3);
  bounce(feeder, gaussian, 50'000);
  for (int i = 0; i < 50'009; ++i) feeder.step(gaussian);  // and a random walk
  ASSERT_EQ(sink.count, 100'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  RecordProperty("max_ratio", std::to_string(sink.max_ratio));
}

TEST(DixonQDetector, QAloneFiresAtItsNominalRateOnNoise) {
  // Without the minimum gap the newest of 10 normal prices is an outlier at 99 % confidence with
  // probability about 0.01 * 2/10 / 2 = 1e-3: documented, and the reason min_gap defaults on.
  DixonQDetector detector(DixonQDetector::Options{.window = 10, .confidence = 99, .min_gap = 0});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(4);
  bounce(feeder, gaussian, 100'009);
  ASSERT_EQ(sink.count, 100'000u);
  EXPECT_GT(sink.alarms, 50u);
  EXPECT_LT(sink.alarms, 150u);
  RecordProperty("alarms", std::to_string(sink.alarms));
}

TEST(DixonQDetector, ConstantPricesGiveNoNanAndNoAlarm) {
  DixonQDetector detector(DixonQDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_EQ(sink.max_ratio(), 0.0);
  // After a flat run one tick up has Q = 1, but is far below the minimum gap.
  feeder.trade_at(100.01);
  EXPECT_LT(sink.observations.back().ratio, 0.2);
}

TEST(DixonQDetector, IgnoresInvalidTrades) {
  DixonQDetector detector(DixonQDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(5);
  bounce(feeder, gaussian, 20);
  const std::size_t before = sink.observations.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, -inf, 0.0, -100.0}) feeder.trade_at(price);
  for (double quantity : {nan, inf, -1.0}) feeder.trade_at(200.0, quantity);
  EXPECT_EQ(sink.observations.size(), before);
  bounce(feeder, gaussian, 1);
  ASSERT_EQ(sink.observations.size(), before + 1);
  EXPECT_LT(sink.observations.back().ratio, 1.0);
}

TEST(DixonQDetector, MemoryStaysBoundedOverALongRun) {
  DixonQDetector detector(DixonQDetector::Options{});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(6);
  for (int i = 0; i < 300'000; ++i) feeder.step(gaussian);
  EXPECT_EQ(detector.held(), 9u);
  EXPECT_TRUE(sink.finite);
}

TEST(DixonQDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = DixonQDetector::descriptor();
  EXPECT_EQ(descriptor.name, "dixon_q");
  ASSERT_EQ(descriptor.params.size(), 3u);
  ParamValues params;
  params.set("window", 5);
  params.set("confidence", 95);
  params.set("min_gap", 0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  Trade trade;
  trade.quantity = 1;
  for (double price : {100.0, 100.1, 99.9, 100.0, 100.05, 110.0}) {
    trade.price = price;
    detector->on_trade(trade, sink);
  }
  ASSERT_EQ(sink.observations.size(), 2u);  // 4 prices fill the sample, 2 are scored
  EXPECT_GE(sink.observations.back().ratio, 1.0);
}

TEST(DixonQDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("confidence", 90);
  const DixonQDetector::Options options = DixonQDetector::options_from(params);
  EXPECT_EQ(options.window, 10u);
  EXPECT_EQ(options.confidence, 90);
  EXPECT_EQ(options.min_gap, 0.005);
}

}  // namespace
}  // namespace tickguard
