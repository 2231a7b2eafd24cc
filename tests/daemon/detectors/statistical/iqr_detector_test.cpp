#include "detectors/statistical/iqr_detector.h"

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

TEST(IqrDetector, EmitsNothingBeforeMinSamples) {
  IqrDetector detector(IqrDetector::Options{.window = 300, .min_samples = 100, .k = 3.0});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(1);
  for (int i = 0; i < 101; ++i) feeder.step(gaussian);
  EXPECT_TRUE(sink.observations.empty());
  feeder.step(gaussian);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "log return");
}

TEST(IqrDetector, FlagsPriceJumpAndCrashBeyondTheFences) {
  IqrDetector detector(IqrDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(2);
  for (int i = 0; i < 500; ++i) feeder.step(gaussian);
  feeder.jump(1.002);
  const Observation jump = sink.observations.back();
  EXPECT_GE(jump.ratio, 1.0);
  EXPECT_GT(jump.score, 0.5);
  EXPECT_NEAR(jump.observed, std::log(1.002), 1e-12);
  EXPECT_GT(jump.observed, jump.expected_high);
  for (int i = 0; i < 3; ++i) feeder.step(gaussian);
  feeder.jump(0.998);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  EXPECT_LT(sink.observations.back().observed, sink.observations.back().expected_low);
}

TEST(IqrDetector, RatioIsDistanceBeyondTheBoxInFenceWidths) {
  IqrDetector detector(IqrDetector::Options{.window = 5, .min_samples = 5, .k = 1.5});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink, 1.0);
  // Returns 0.01, 0.02, 0.03, 0.04, 0.05: Q1 0.02, Q3 0.04, IQR 0.02, fences -0.01 and 0.07.
  double price = 1.0;
  feeder.trade_at(price);
  for (int i = 1; i <= 5; ++i) feeder.trade_at(price *= std::exp(0.01 * i));
  feeder.trade_at(price *= std::exp(0.1));
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& o = sink.observations[0];
  EXPECT_NEAR(o.expected_low, -0.01, 1e-9);
  EXPECT_NEAR(o.expected_high, 0.07, 1e-9);
  EXPECT_NEAR(o.ratio, (0.1 - 0.04) / 0.03, 1e-9);
  // Inside the box the ratio is 0.
  feeder.trade_at(price * std::exp(0.03));
  EXPECT_EQ(sink.observations.back().ratio, 0.0);
}

TEST(IqrDetector, StaysQuietOnGaussianNoise) {
  IqrDetector detector(IqrDetector::Options{});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(3);
  for (int i = 0; i < 100'101; ++i) feeder.step(gaussian);
  ASSERT_EQ(sink.count, 100'000u);
  // Gaussian noise crosses the far-out fences (about 4.7 sigma) a few times in 1e5 returns.
  EXPECT_LE(sink.alarms, 5u);
  EXPECT_LT(sink.max_ratio, 1.5);
  RecordProperty("alarms", std::to_string(sink.alarms));
  RecordProperty("max_ratio", std::to_string(sink.max_ratio));
}

TEST(IqrDetector, ConstantPricesGiveNoNanAndNoAlarm) {
  IqrDetector detector(IqrDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_EQ(sink.max_ratio(), 0.0);
}

TEST(IqrDetector, MostlyFlatTickGridFallsBackToStddev) {
  IqrDetector detector(IqrDetector::Options{});
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

TEST(IqrDetector, IgnoresInvalidTrades) {
  IqrDetector detector(IqrDetector::Options{});
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

TEST(IqrDetector, MemoryStaysBoundedOverALongRun) {
  IqrDetector detector(IqrDetector::Options{.window = 50, .min_samples = 20, .k = 3.0});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(6);
  for (int i = 0; i < 300'000; ++i) feeder.step(gaussian);
  EXPECT_EQ(detector.baseline_size(), 50u);
  EXPECT_TRUE(sink.finite);
}

TEST(IqrDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = IqrDetector::descriptor();
  EXPECT_EQ(descriptor.name, "iqr");
  ASSERT_EQ(descriptor.params.size(), 3u);
  ParamValues params;
  params.set("window", 20);
  params.set("min_samples", 10);
  params.set("k", 1.5);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  Trade trade;
  trade.quantity = 1;
  for (int i = 0; i < 12; ++i) {
    trade.price = 100.0 + (i % 2);
    detector->on_trade(trade, sink);
  }
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(IqrDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("k", 1.5);
  const IqrDetector::Options options = IqrDetector::options_from(params);
  EXPECT_EQ(options.window, 300u);
  EXPECT_EQ(options.min_samples, 100u);
  EXPECT_EQ(options.k, 1.5);
}

}  // namespace
}  // namespace tickguard
