#include "detectors/changepoint/cusum_detector.h"

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
using testing::Random;
using testing::RandomWalkFeeder;
using testing::RecordingSink;

constexpr double kSigma = RandomWalkFeeder::kVolatility;

// The per-trade mode these tests were written for (the default sums 10 s interval returns).
CusumDetector::Options per_trade() { return CusumDetector::Options{.interval = Duration{0}}; }

// The first alarm recorded at or after index `from`, or nullptr.
const Observation* first_alarm(const RecordingSink& sink, std::size_t from) {
  for (std::size_t i = from; i < sink.observations.size(); ++i) {
    if (sink.observations[i].ratio >= 1) return &sink.observations[i];
  }
  return nullptr;
}

TEST(CusumDetector, EmitsNothingBeforeMinSamples) {
  CusumDetector detector(CusumDetector::Options{.window = 1000, .min_samples = 200, .interval = Duration{0}});
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 1);
  // The first trade only sets the reference price; the next 200 build the baseline.
  feeder.walk(201);
  EXPECT_TRUE(sink.observations.empty());
  feeder.walk(1);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "cusum of standardized log returns");
  EXPECT_EQ(sink.observations[0].time, feeder.now());
  EXPECT_EQ(sink.observations[0].expected_low, -15.0);
  EXPECT_EQ(sink.observations[0].expected_high, 15.0);
}

TEST(CusumDetector, FlagsSustainedRiseInMeanReturn) {
  CusumDetector detector(per_trade());
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 2);
  feeder.walk(2000);
  EXPECT_LT(sink.max_ratio(), 1.0);
  const std::size_t before = sink.observations.size();
  feeder.walk(100, 1.0 * kSigma);  // the mean return shifts by one standard deviation
  const Observation* alarm = first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  // Expected h / (shift - k) = 30 trades; well before 100.
  EXPECT_LT(static_cast<std::size_t>(alarm - &sink.observations[before]), 80u);
  EXPECT_GT(alarm->score, 0.5);
  EXPECT_GE(alarm->observed, alarm->expected_high);
  EXPECT_NEAR(alarm->ratio, alarm->observed / 15.0, 1e-12);
}

TEST(CusumDetector, FlagsSustainedFallInMeanReturn) {
  CusumDetector detector(per_trade());
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 3);
  feeder.walk(2000);
  const std::size_t before = sink.observations.size();
  feeder.walk(100, -1.5 * kSigma);
  const Observation* alarm = first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  EXPECT_LE(alarm->observed, alarm->expected_low);
  EXPECT_LT(alarm->observed, 0.0);
}

TEST(CusumDetector, RestartsAfterAlarmAndFiresAgainWhileShiftPersists) {
  CusumDetector detector(per_trade());
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 4);
  feeder.walk(2000);
  const std::size_t before = sink.observations.size();
  feeder.walk(300, 1.0 * kSigma);
  std::size_t alarms = 0;
  for (std::size_t i = before; i < sink.observations.size(); ++i) {
    if (sink.observations[i].ratio < 1) continue;
    ++alarms;
    // The sums restart from 0: the next observation holds one step of evidence at most.
    if (i + 1 < sink.observations.size()) {
      EXPECT_LE(std::abs(sink.observations[i + 1].observed), ReturnStandardizer::kMaxAbsZ);
    }
  }
  // About one alarm per 30 trades while the baseline still remembers the old mean.
  EXPECT_GE(alarms, 3u);
  EXPECT_LE(alarms, 15u);
}

TEST(CusumDetector, SinglePriceJumpIsNotAChangepoint) {
  CusumDetector detector(per_trade());
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 5);
  feeder.walk(2000);
  feeder.trade_at(feeder.price() * 1.05);  // a 500-sigma jump, clamped to kMaxAbsZ
  EXPECT_LT(sink.observations.back().ratio, 0.5);
  feeder.walk(500);
  EXPECT_LT(sink.max_ratio(), 1.0);
}

TEST(CusumDetector, StaysQuietOnGaussianNoise) {
  CusumDetector detector(per_trade());
  CountingSink sink;
  RandomWalkFeeder feeder(detector, sink, 6);
  feeder.walk(200'201);
  EXPECT_EQ(sink.observations, 200'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  EXPECT_GT(sink.max_ratio, 0.3);  // the noise does register, it just never crosses the threshold
}

TEST(CusumDetector, KeepsMemoryBoundedOverMillionTrades) {
  CusumDetector detector(CusumDetector::Options{.window = 500, .min_samples = 100, .interval = Duration{0}});
  CountingSink sink;
  RandomWalkFeeder feeder(detector, sink, 7);
  feeder.walk(1'000'000);
  EXPECT_EQ(detector.baseline_capacity(), 500u);
  EXPECT_EQ(sink.observations, 1'000'000u - 101u);
  EXPECT_EQ(sink.non_finite, 0u);
  // Measured false-positive rate at the default drift and threshold on this run: none.
  EXPECT_EQ(sink.alarms, 0u);
}

TEST(CusumDetector, ConstantPricesGiveNoNanAndNoAlarm) {
  CusumDetector detector(per_trade());
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 8);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_EQ(sink.observations.size(), 799u);
  for (const Observation& observation : sink.observations) {
    EXPECT_EQ(observation.ratio, 0.0);
    EXPECT_EQ(observation.score, 0.0);
    EXPECT_EQ(observation.observed, 0.0);
  }
}

TEST(CusumDetector, IgnoresInvalidTrades) {
  CusumDetector detector(per_trade());
  RecordingSink sink;
  RandomWalkFeeder feeder(detector, sink, 9);
  feeder.walk(300);
  const std::size_t before = sink.observations.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, -inf, 0.0, -100.0}) feeder.trade_at(price);
  for (double quantity : {nan, inf, -1.0}) feeder.trade_at(2 * feeder.price(), quantity);
  EXPECT_EQ(sink.observations.size(), before);
  // The reference price is still the last valid one: an ordinary next step is ordinary.
  feeder.walk(1);
  ASSERT_EQ(sink.observations.size(), before + 1);
  EXPECT_LT(sink.observations.back().ratio, 1.0);
}

TEST(CusumDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = CusumDetector::descriptor();
  EXPECT_EQ(descriptor.name, "cusum");
  ASSERT_EQ(descriptor.params.size(), 5u);
  EXPECT_TRUE(descriptor.trusted);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_GE(spec.max, spec.default_value) << spec.name;
  }
  ParamValues params;
  params.set("window", 50);
  params.set("min_samples", 20);
  params.set("drift", 1.0);
  params.set("threshold", 5.0);
  params.set("interval", 0);
  const CusumDetector::Options options = CusumDetector::options_from(params);
  EXPECT_EQ(options.window, 50u);
  EXPECT_EQ(options.min_samples, 20u);
  EXPECT_EQ(options.drift, 1.0);
  EXPECT_EQ(options.threshold, 5.0);
  EXPECT_EQ(options.interval, Duration{0});
  EXPECT_EQ(CusumDetector::Options{}.interval, std::chrono::seconds(10));
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  RandomWalkFeeder feeder(*detector, sink, 10);
  feeder.walk(21);
  EXPECT_TRUE(sink.observations.empty());
  feeder.walk(1);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(sink.observations[0].expected_high, 5.0);
}

TEST(CusumDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 8.0);
  const CusumDetector::Options options = CusumDetector::options_from(params);
  EXPECT_EQ(options.window, 1000u);
  EXPECT_EQ(options.min_samples, 200u);
  EXPECT_EQ(options.drift, 0.5);
  EXPECT_EQ(options.threshold, 8.0);
}

// Trades bounce between bid and ask (2 bp apart) every 250 ms while the mid drifts 0.5 %/min: per
// trade the drift is 0.06 of the bounce, lost in it; over 10 s intervals it is a steady shift.
double max_ratio_on_bounce(const CusumDetector::Options& options, double drift_per_minute,
                           RecordingSink& sink) {
  CusumDetector detector(options);
  Random random(5);
  const Timestamp start = Timestamp{} + std::chrono::hours(24 * 365 * 50);
  double log_mid = std::log(100.0);
  const double step_sigma = 2e-5;     // quiet random walk of the mid per trade
  const int quiet = 4 * 60 * 60 * 3;  // 3 h of clean history
  const int trend = 4 * 60 * 5;       // then 5 min of drift
  double max_ratio = 0;
  for (int i = 0; i < quiet + trend; ++i) {
    log_mid += step_sigma * random.gaussian();
    if (i >= quiet) log_mid += drift_per_minute / 240;
    Trade trade;
    trade.exchange_time = start + std::chrono::milliseconds(250) * i;
    trade.price = std::exp(log_mid) * (random.uniform() < 0.5 ? 1 - 1e-4 : 1 + 1e-4);
    trade.quantity = 1;
    const std::size_t before = sink.observations.size();
    detector.on_trade(trade, sink);
    if (i >= quiet) {
      for (std::size_t k = before; k < sink.observations.size(); ++k)
        max_ratio = std::max(max_ratio, sink.observations[k].ratio);
    }
  }
  return max_ratio;
}

TEST(CusumDetector, IntervalReturnsSeeATrendThroughTheBidAskBounce) {
  RecordingSink interval_sink, trade_sink, quiet_sink;
  EXPECT_GE(max_ratio_on_bounce(CusumDetector::Options{}, 0.005, interval_sink), 1.0);
  EXPECT_LT(max_ratio_on_bounce(per_trade(), 0.005, trade_sink), 0.5);
  EXPECT_LT(max_ratio_on_bounce(CusumDetector::Options{}, 0.0, quiet_sink), 1.0);
  EXPECT_LT(quiet_sink.max_ratio(), 1.0);
  // One observation per closed 10 s interval, not per trade.
  EXPECT_NEAR(static_cast<double>(interval_sink.observations.size()), (3 * 3600 + 300) / 10.0 - 200, 3.0);
}

}  // namespace
}  // namespace tickguard
