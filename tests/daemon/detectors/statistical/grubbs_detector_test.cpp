#include "detectors/statistical/grubbs_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tests/daemon/detectors/detector_test_support.h"
#include "tests/daemon/detectors/statistical/trade_feeder.h"

namespace tickguard {
namespace {

using testing::CountingSink;
using testing::Gaussian;
using testing::RecordingSink;
using testing::TradeFeeder;

TEST(GrubbsDetector, CriticalValuesMatchPublishedTable) {
  // Two-sided Grubbs critical values at alpha 0.05 (NIST/SEMATECH handbook, 1.3.5.17).
  EXPECT_NEAR(GrubbsDetector::critical_value(10, 0.05), 2.290, 1e-3);
  EXPECT_NEAR(GrubbsDetector::critical_value(20, 0.05), 2.708, 1e-3);
  EXPECT_NEAR(GrubbsDetector::critical_value(3, 0.05), 1.155, 1e-3);
  EXPECT_TRUE(std::isnan(GrubbsDetector::critical_value(2, 0.05)));
  EXPECT_TRUE(std::isnan(GrubbsDetector::critical_value(10, 0.0)));
}

TEST(GrubbsDetector, EmitsNothingUntilTheSampleIsFull) {
  GrubbsDetector detector(GrubbsDetector::Options{.window = 100, .alpha = 1e-3});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(1);
  for (int i = 0; i < 100; ++i) feeder.step(gaussian);  // a reference price, then 99 returns
  EXPECT_TRUE(sink.observations.empty());
  feeder.step(gaussian);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "log return");
}

TEST(GrubbsDetector, FlagsPriceJumpAndCrash) {
  GrubbsDetector detector(GrubbsDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(2);
  for (int i = 0; i < 300; ++i) feeder.step(gaussian);
  feeder.jump(1.002);
  const Observation jump = sink.observations.back();
  EXPECT_GE(jump.ratio, 1.0);
  EXPECT_GT(jump.score, 0.5);
  EXPECT_NEAR(jump.observed, std::log(1.002), 1e-12);
  EXPECT_GT(jump.observed, jump.expected_high);
  EXPECT_EQ(jump.time, feeder.last_time());
  for (int i = 0; i < 3; ++i) feeder.step(gaussian);
  // Clamped into the baseline, the first jump does not mask the second.
  feeder.jump(0.998);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  EXPECT_LT(sink.observations.back().observed, sink.observations.back().expected_low);
}

TEST(GrubbsDetector, RatioIsTheGrubbsStatisticOfTheSampleOverItsCriticalValue) {
  constexpr std::size_t kWindow = 12;
  GrubbsDetector detector(GrubbsDetector::Options{.window = kWindow, .alpha = 0.05});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink, 1.0);
  Gaussian gaussian(3);
  std::vector<double> returns;
  double price = 1.0;
  feeder.trade_at(price);
  for (std::size_t i = 0; i + 1 < kWindow; ++i) {
    const double r = 0.01 * gaussian();
    returns.push_back(r);
    feeder.trade_at(price *= std::exp(r));
  }
  const double r = 0.04;
  feeder.trade_at(price * std::exp(r));
  returns.push_back(r);
  ASSERT_EQ(sink.observations.size(), 1u);
  double mean = 0;
  for (double x : returns) mean += x / kWindow;
  double squares = 0;
  for (double x : returns) squares += (x - mean) * (x - mean);
  const double g = std::abs(r - mean) / std::sqrt(squares / (kWindow - 1));
  const Observation& o = sink.observations[0];
  EXPECT_NEAR(o.ratio, g / GrubbsDetector::critical_value(kWindow, 0.05), 1e-9);
  // The band edges are exactly where G reaches the critical value: re-test r at the upper edge.
  std::vector<double> at_edge = returns;
  at_edge.back() = o.expected_high;
  mean = 0;
  for (double x : at_edge) mean += x / kWindow;
  squares = 0;
  for (double x : at_edge) squares += (x - mean) * (x - mean);
  EXPECT_NEAR(std::abs(o.expected_high - mean) / std::sqrt(squares / (kWindow - 1)),
              GrubbsDetector::critical_value(kWindow, 0.05), 1e-9);
}

TEST(GrubbsDetector, StaysQuietOnGaussianNoise) {
  GrubbsDetector detector(GrubbsDetector::Options{.window = 100, .alpha = 1e-3});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(4);
  for (int i = 0; i < 100'100; ++i) feeder.step(gaussian);
  ASSERT_EQ(sink.count, 100'000u);
  // Expected about alpha / window = 1e-5 per return: 1 in 1e5.
  EXPECT_LE(sink.alarms, 4u);
  EXPECT_LT(sink.max_ratio, 1.3);
  RecordProperty("alarms", std::to_string(sink.alarms));
  RecordProperty("max_ratio", std::to_string(sink.max_ratio));
}

TEST(GrubbsDetector, ConstantPricesGiveNoNanAndNoAlarm) {
  GrubbsDetector detector(GrubbsDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_EQ(sink.max_ratio(), 0.0);
  for (const Observation& o : sink.observations) EXPECT_LT(o.expected_low, o.expected_high);
}

TEST(GrubbsDetector, IgnoresInvalidTrades) {
  GrubbsDetector detector(GrubbsDetector::Options{.window = 100, .alpha = 1e-3});
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

TEST(GrubbsDetector, MemoryStaysBoundedOverALongRun) {
  GrubbsDetector detector(GrubbsDetector::Options{.window = 50, .alpha = 1e-3});
  CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(6);
  for (int i = 0; i < 300'000; ++i) feeder.step(gaussian);
  EXPECT_EQ(detector.baseline_size(), 49u);
  EXPECT_TRUE(sink.finite);
}

TEST(GrubbsDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = GrubbsDetector::descriptor();
  EXPECT_EQ(descriptor.name, "grubbs");
  ASSERT_EQ(descriptor.params.size(), 2u);
  ParamValues params;
  params.set("window", 10);
  params.set("alpha", 0.05);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  Trade trade;
  trade.quantity = 1;
  for (int i = 0; i < 12; ++i) {
    trade.price = 100.0 + (i % 2);
    detector->on_trade(trade, sink);
  }
  EXPECT_EQ(sink.observations.size(), 2u);  // 11 returns: 9 fill the baseline, 2 are scored
}

TEST(GrubbsDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("alpha", 0.01);
  const GrubbsDetector::Options options = GrubbsDetector::options_from(params);
  EXPECT_EQ(options.window, 300u);
  EXPECT_EQ(options.alpha, 0.01);
}

}  // namespace
}  // namespace tickguard
