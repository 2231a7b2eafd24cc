#include "detectors/changepoint/page_hinkley_detector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>

#include "tests/daemon/detectors/changepoint/changepoint_test_support.h"
#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard {
namespace {

using testing::CountingSink;
using testing::RandomWalkFeeder;
using testing::RecordingSink;

constexpr double kSigma = RandomWalkFeeder::kVolatility;

std::size_t alarms_since(const RecordingSink& sink, std::size_t from) {
  std::size_t alarms = 0;
  for (std::size_t i = from; i < sink.observations.size(); ++i) alarms += sink.observations[i].ratio >= 1;
  return alarms;
}

const Observation* first_alarm(const RecordingSink& sink, std::size_t from) {
  for (std::size_t i = from; i < sink.observations.size(); ++i) {
    if (sink.observations[i].ratio >= 1) return &sink.observations[i];
  }
  return nullptr;
}

TEST(PageHinkleyDetector, EmitsNothingBeforeMinSamples) {
  PageHinkleyDetector detector(PageHinkleyDetector::Options{.window = 1000, .min_samples = 200});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 1);
  feeder.walk(201);
  EXPECT_TRUE(sink.observations.empty());
  feeder.walk(1);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "page-hinkley statistic of standardized log returns");
  EXPECT_EQ(sink.observations[0].time, feeder.now());
  EXPECT_EQ(sink.observations[0].expected_low, -60.0);
  EXPECT_EQ(sink.observations[0].expected_high, 60.0);
  // The first standardized return is its own running mean: no evidence yet.
  EXPECT_EQ(sink.observations[0].observed, 0.0);
}

TEST(PageHinkleyDetector, FlagsSmallSustainedRiseInMeanReturn) {
  PageHinkleyDetector detector(PageHinkleyDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 2);
  feeder.walk(5000);
  EXPECT_LT(sink.max_ratio(), 1.0);
  const std::size_t before = sink.observations.size();
  // Half a standard deviation per trade: about 125 trades to reach lambda = 60 at 0.4 per trade.
  feeder.walk(400, 0.5 * kSigma);
  const Observation* alarm = first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  EXPECT_GT(alarm->score, 0.5);
  EXPECT_GE(alarm->observed, alarm->expected_high);
  EXPECT_NEAR(alarm->ratio, alarm->observed / 60.0, 1e-12);
}

TEST(PageHinkleyDetector, FlagsSlowDriftTheCusumDefaultsMiss) {
  PageHinkleyDetector detector(PageHinkleyDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 3);
  feeder.walk(5000);
  const std::size_t before = sink.observations.size();
  feeder.walk(2000, -0.25 * kSigma);  // below the CUSUM allowance of 0.5 sigma
  const Observation* alarm = first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  EXPECT_LE(alarm->observed, alarm->expected_low);
}

TEST(PageHinkleyDetector, RestartsAfterAlarmAndAdoptsTheNewMean) {
  PageHinkleyDetector detector(PageHinkleyDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 4);
  feeder.walk(5000);
  const std::size_t before = sink.observations.size();
  feeder.walk(3000, 1.0 * kSigma);
  // One change, one alarm: after the restart the running mean is the new one.
  EXPECT_EQ(alarms_since(sink, before), 1u);
  const Observation* alarm = first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  EXPECT_LE(std::abs((alarm + 1)->observed), 2 * ReturnStandardizer::kMaxAbsZ);
}

TEST(PageHinkleyDetector, ForgettingBoundsTheEvidenceOfTinyShifts) {
  // With alpha = 0.99 a shift d accumulates at most (d - delta) / (1 - alpha) = 100 (d - delta):
  // a 0.3-sigma shift never reaches lambda = 60, which the classic test (alpha = 1) does.
  for (const double alpha : {0.99, 1.0}) {
    PageHinkleyDetector detector(PageHinkleyDetector::Options{.forgetting_factor = alpha});
    RecordingSink sink;
    RandomWalkFeeder feeder(detector, sink, 5);
    feeder.walk(5000);
    const std::size_t before = sink.observations.size();
    feeder.walk(1500, 0.3 * kSigma);
    if (alpha < 1) {
      EXPECT_EQ(alarms_since(sink, before), 0u);
    } else {
      EXPECT_GE(alarms_since(sink, before), 1u);
    }
  }
}

TEST(PageHinkleyDetector, StaysQuietOnGaussianNoise) {
  PageHinkleyDetector detector(PageHinkleyDetector::Options{});
  CountingSink sink;
  RandomWalkFeeder feeder(detector, sink, 6);
  feeder.walk(200'201);
  EXPECT_EQ(sink.observations, 200'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  EXPECT_GT(sink.max_ratio, 0.2);
}

TEST(PageHinkleyDetector, KeepsMemoryBoundedOverMillionTrades) {
  PageHinkleyDetector detector(PageHinkleyDetector::Options{.window = 500, .min_samples = 100});
  CountingSink sink;
  RandomWalkFeeder feeder(detector, sink, 7);
  feeder.walk(1'000'000);
  EXPECT_EQ(detector.baseline_capacity(), 500u);
  EXPECT_EQ(sink.observations, 1'000'000u - 101u);
  EXPECT_EQ(sink.non_finite, 0u);
  EXPECT_EQ(sink.alarms, 0u);
}

TEST(PageHinkleyDetector, ConstantPricesGiveNoNanAndNoAlarm) {
  PageHinkleyDetector detector(PageHinkleyDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 8);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_EQ(sink.observations.size(), 799u);
  for (const Observation& observation : sink.observations) {
    EXPECT_EQ(observation.ratio, 0.0);
    EXPECT_EQ(observation.observed, 0.0);
  }
}

TEST(PageHinkleyDetector, IgnoresInvalidTrades) {
  PageHinkleyDetector detector(PageHinkleyDetector::Options{});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 9);
  feeder.walk(300);
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

TEST(PageHinkleyDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = PageHinkleyDetector::descriptor();
  EXPECT_EQ(descriptor.name, "page_hinkley");
  ASSERT_EQ(descriptor.params.size(), 5u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_GE(spec.max, spec.default_value) << spec.name;
  }
  ParamValues params;
  params.set("window", 50);
  params.set("min_samples", 20);
  params.set("delta", 0.2);
  params.set("threshold", 10.0);
  params.set("forgetting_factor", 1.0);
  const PageHinkleyDetector::Options options = PageHinkleyDetector::options_from(params);
  EXPECT_EQ(options.window, 50u);
  EXPECT_EQ(options.min_samples, 20u);
  EXPECT_EQ(options.delta, 0.2);
  EXPECT_EQ(options.threshold, 10.0);
  EXPECT_EQ(options.forgetting_factor, 1.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  RandomWalkFeeder feeder(*detector, sink, 10);
  feeder.walk(21);
  EXPECT_TRUE(sink.observations.empty());
  feeder.walk(1);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(sink.observations[0].expected_high, 10.0);
}

TEST(PageHinkleyDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("delta", 0.3);
  const PageHinkleyDetector::Options options = PageHinkleyDetector::options_from(params);
  EXPECT_EQ(options.window, 1000u);
  EXPECT_EQ(options.min_samples, 200u);
  EXPECT_EQ(options.delta, 0.3);
  EXPECT_EQ(options.threshold, 60.0);
  EXPECT_EQ(options.forgetting_factor, 0.999);
}

}  // namespace
}  // namespace tickguard
