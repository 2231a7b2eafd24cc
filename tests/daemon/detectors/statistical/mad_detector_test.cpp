#include "detectors/statistical/mad_detector.h"

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

TEST(MadDetector, EmitsNothingBeforeMinSamples) {
  MadDetector detector(MadDetector::Options{.window = 300, .min_samples = 100, .threshold = 6.0});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(1);
  for (int i = 0; i < 101; ++i) feeder.step(gaussian);  // a reference price, then 100 returns
  EXPECT_TRUE(sink.observations.empty());
  feeder.step(gaussian);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "log return");
}

TEST(MadDetector, FlagsPriceJumpAndCrashAfterWarmup) {
  MadDetector detector(MadDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(2);
  for (int i = 0; i < 500; ++i) feeder.step(gaussian);
  feeder.jump(1.002);  // 20 sigma
  const Observation jump = sink.observations.back();
  EXPECT_GE(jump.ratio, 1.0);
  EXPECT_GT(jump.score, 0.5);
  EXPECT_NEAR(jump.observed, std::log(1.002), 1e-12);
  EXPECT_GT(jump.observed, jump.expected_high);
  EXPECT_EQ(jump.time, feeder.last_time());
  for (int i = 0; i < 3; ++i) feeder.step(gaussian);
  feeder.jump(0.998);  // right after the first: the robust baseline does not mask it
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  EXPECT_LT(sink.observations.back().observed, sink.observations.back().expected_low);
}

TEST(MadDetector, ExpectedBandIsMedianPlusMinusThresholdRobustSigmas) {
  MadDetector detector(MadDetector::Options{.window = 10, .min_samples = 10, .threshold = 2.0});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink, 1.0);
  // Returns 0.01 * (1..10): median 0.055, MAD 0.025.
  double price = 1.0;
  feeder.trade_at(price);
  for (int i = 1; i <= 10; ++i) feeder.trade_at(price *= std::exp(0.01 * i));
  feeder.trade_at(price * std::exp(0.2));
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& o = sink.observations[0];
  const double sigma = 1.4826 * 0.025;
  EXPECT_NEAR(o.expected_low, 0.055 - 2 * sigma, 1e-9);
  EXPECT_NEAR(o.expected_high, 0.055 + 2 * sigma, 1e-9);
  EXPECT_NEAR(o.ratio, (0.2 - 0.055) / sigma / 2, 1e-9);
}

TEST(MadDetector, StaysQuietOnGaussianNoise) {
  MadDetector detector(MadDetector::Options{});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(3);
  for (int i = 0; i < 100'101; ++i) feeder.step(gaussian);
  ASSERT_EQ(sink.count, 100'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  EXPECT_GT(sink.max_ratio, 0.5);  // the noise registers, it just never crosses the threshold
  RecordProperty("max_ratio", std::to_string(sink.max_ratio));
}

TEST(MadDetector, ConstantPricesGiveNoNanAndNoAlarm) {
  MadDetector detector(MadDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_EQ(sink.max_ratio(), 0.0);
}

TEST(MadDetector, MostlyFlatTickGridFallsBackToStddev) {
  // Over half the returns are 0, so the MAD is 0; one-tick moves must not be outliers.
  MadDetector detector(MadDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  testing::Random random(4);
  double price = 100.0;
  for (int i = 0; i < 5000; ++i) {
    const double u = random.uniform();
    if (u < 0.1) price += 0.01;
    if (u > 0.9) price -= 0.01;
    feeder.trade_at(price);
  }
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_LT(sink.max_ratio(), 1.0);
}

TEST(MadDetector, IgnoresInvalidTrades) {
  MadDetector detector(MadDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(5);
  for (int i = 0; i < 200; ++i) feeder.step(gaussian);
  const std::size_t before = sink.observations.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, -inf, 0.0, -100.0}) feeder.trade_at(price);
  for (double quantity : {nan, inf, -1.0}) feeder.trade_at(2 * feeder.price(), quantity);
  EXPECT_EQ(sink.observations.size(), before);
  feeder.step(gaussian);
  ASSERT_EQ(sink.observations.size(), before + 1);
  EXPECT_LT(sink.observations.back().ratio, 1.0);
}

TEST(MadDetector, MemoryStaysBoundedOverALongRun) {
  MadDetector detector(MadDetector::Options{.window = 50, .min_samples = 20, .threshold = 6.0});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(6);
  for (int i = 0; i < 300'000; ++i) feeder.step(gaussian);
  EXPECT_EQ(detector.baseline_size(), 50u);
  EXPECT_TRUE(sink.finite);
}

TEST(MadDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = MadDetector::descriptor();
  EXPECT_EQ(descriptor.name, "mad");
  ASSERT_EQ(descriptor.params.size(), 3u);
  ParamValues params;
  params.set("window", 20);
  params.set("min_samples", 10);
  params.set("threshold", 3);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  Trade trade;
  trade.quantity = 1;
  for (int i = 0; i < 12; ++i) {
    trade.price = 100.0 + (i % 2);
    detector->on_trade(trade, sink);
  }
  EXPECT_EQ(sink.observations.size(), 1u);  // 11 returns: 10 build the baseline
}

TEST(MadDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 2.5);
  const MadDetector::Options options = MadDetector::options_from(params);
  EXPECT_EQ(options.window, 300u);
  EXPECT_EQ(options.min_samples, 100u);
  EXPECT_EQ(options.threshold, 2.5);
}

}  // namespace
}  // namespace tickguard
