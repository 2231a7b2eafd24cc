#include "detectors/changepoint/ewma_control_detector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <numbers>

#include "tests/daemon/detectors/changepoint/changepoint_test_support.h"
#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard {
namespace {

using testing::CountingSink;
using testing::RandomWalkFeeder;
using testing::RecordingSink;

constexpr double kSigma = RandomWalkFeeder::kVolatility;

const Observation* first_alarm(const RecordingSink& sink, std::size_t from) {
  for (std::size_t i = from; i < sink.observations.size(); ++i) {
    if (sink.observations[i].ratio >= 1) return &sink.observations[i];
  }
  return nullptr;
}

TEST(EwmaControlDetector, EmitsNothingBeforeMinSamples) {
  EwmaControlDetector detector(EwmaControlDetector::Options{.window = 2000, .min_samples = 500});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 1);
  feeder.walk(501);
  EXPECT_TRUE(sink.observations.empty());
  feeder.walk(1);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "ewma of absolute log return");
  EXPECT_EQ(sink.observations[0].time, feeder.now());
}

TEST(EwmaControlDetector, ControlLimitsAreLSigmaOfTheEwmaAroundTheBaselineMean) {
  EwmaControlDetector detector(EwmaControlDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 2);
  feeder.walk(3000);
  const Observation& observation = sink.observations.back();
  // |r| of N(0, s) has mean s sqrt(2 / pi) and standard deviation s sqrt(1 - 2 / pi).
  const double mean = kSigma * std::sqrt(2 / std::numbers::pi);
  const double stddev = kSigma * std::sqrt(1 - 2 / std::numbers::pi);
  const double half_width = 6.0 * std::sqrt(0.02 / 1.98) * stddev;
  EXPECT_NEAR(0.5 * (observation.expected_low + observation.expected_high), mean, 0.05 * mean);
  EXPECT_NEAR(0.5 * (observation.expected_high - observation.expected_low), half_width, 0.05 * half_width);
  EXPECT_NEAR(observation.observed, mean, 0.5 * half_width);
  EXPECT_LT(observation.ratio, 1.0);
}

TEST(EwmaControlDetector, FlagsVolatilityDoubling) {
  EwmaControlDetector detector(EwmaControlDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 3);
  feeder.walk(3000);
  EXPECT_LT(sink.max_ratio(), 1.0);
  const std::size_t before = sink.observations.size();
  feeder.walk(200, 0.0, 2 * kSigma);
  const Observation* alarm = first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  EXPECT_LT(static_cast<std::size_t>(alarm - &sink.observations[before]), 100u);
  EXPECT_GE(alarm->observed, alarm->expected_high);
  EXPECT_GT(sink.max_ratio(), 1.5);
  EXPECT_GT(score_from_threshold_ratio(sink.max_ratio()), 0.75);
}

TEST(EwmaControlDetector, SinglePriceJumpIsNotAVolatilityChange) {
  EwmaControlDetector detector(EwmaControlDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 4);
  feeder.walk(3000);
  feeder.trade_at(feeder.price() * 1.05);  // clipped to mean + 5 sd of |r|
  feeder.walk(200);
  EXPECT_LT(sink.max_ratio(), 1.0);
}

TEST(EwmaControlDetector, CalmerMarketIsNotFlagged) {
  EwmaControlDetector detector(EwmaControlDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 5);
  feeder.walk(3000);
  const std::size_t before = sink.observations.size();
  feeder.walk(500, 0.0, 0.25 * kSigma);
  const Observation& calm = sink.observations.back();
  EXPECT_LT(calm.observed, calm.expected_low);  // below the band, yet one-sided: ratio 0
  for (std::size_t i = before + 100; i < sink.observations.size(); ++i) {
    EXPECT_EQ(sink.observations[i].ratio, 0.0);
  }
}

TEST(EwmaControlDetector, StaysQuietOnGaussianNoise) {
  EwmaControlDetector detector(EwmaControlDetector::Options{});
  CountingSink sink;
  RandomWalkFeeder feeder(detector, sink, 6);
  feeder.walk(200'501);
  EXPECT_EQ(sink.observations, 200'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  EXPECT_GT(sink.max_ratio, 0.3);
}

TEST(EwmaControlDetector, KeepsMemoryBoundedOverMillionTrades) {
  EwmaControlDetector detector(EwmaControlDetector::Options{.window = 500, .min_samples = 100});
  CountingSink sink;
  RandomWalkFeeder feeder(detector, sink, 7);
  feeder.walk(1'000'000);
  EXPECT_EQ(detector.baseline_capacity(), 500u);
  EXPECT_EQ(sink.observations, 1'000'000u - 101u);
  EXPECT_EQ(sink.non_finite, 0u);
  EXPECT_EQ(sink.alarms, 0u);
}

TEST(EwmaControlDetector, ConstantPricesGiveNoNanAndNoAlarm) {
  EwmaControlDetector detector(EwmaControlDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 8);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_EQ(sink.observations.size(), 499u);
  for (const Observation& observation : sink.observations) {
    EXPECT_EQ(observation.ratio, 0.0);
    EXPECT_EQ(observation.observed, 0.0);
    EXPECT_EQ(observation.expected_low, 0.0);
    EXPECT_GT(observation.expected_high, 0.0);  // the floored standard deviation keeps a band
    EXPECT_TRUE(std::isfinite(observation.expected_high));
  }
}

TEST(EwmaControlDetector, IgnoresInvalidTrades) {
  EwmaControlDetector detector(EwmaControlDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 9);
  feeder.walk(600);
  const std::size_t before = sink.observations.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, -inf, 0.0, -100.0}) feeder.trade_at(price);
  for (double quantity : {nan, inf, -1.0}) feeder.trade_at(2 * feeder.price(), quantity);
  EXPECT_EQ(sink.observations.size(), before);
  feeder.walk(1);
  ASSERT_EQ(sink.observations.size(), before + 1);
  EXPECT_LT(sink.observations.back().ratio, 1.0);
}

TEST(EwmaControlDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = EwmaControlDetector::descriptor();
  EXPECT_EQ(descriptor.name, "ewma_control");
  ASSERT_EQ(descriptor.params.size(), 4u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_GE(spec.max, spec.default_value) << spec.name;
  }
  ParamValues params;
  params.set("window", 50);
  params.set("min_samples", 20);
  params.set("smoothing", 0.1);
  params.set("threshold", 3.0);
  const EwmaControlDetector::Options options = EwmaControlDetector::options_from(params);
  EXPECT_EQ(options.window, 50u);
  EXPECT_EQ(options.min_samples, 20u);
  EXPECT_EQ(options.smoothing, 0.1);
  EXPECT_EQ(options.threshold, 3.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  RandomWalkFeeder feeder(*detector, sink, 10);
  feeder.walk(21);
  EXPECT_TRUE(sink.observations.empty());
  feeder.walk(1);
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(EwmaControlDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 4.0);
  const EwmaControlDetector::Options options = EwmaControlDetector::options_from(params);
  EXPECT_EQ(options.window, 2000u);
  EXPECT_EQ(options.min_samples, 500u);
  EXPECT_EQ(options.smoothing, 0.02);
  EXPECT_EQ(options.threshold, 4.0);
}

}  // namespace
}  // namespace tickguard
