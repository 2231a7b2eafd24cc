#include "detectors/technical/adaptive_threshold_detector.h"

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

constexpr double kHour = 3600;
constexpr double kDay = 24 * kHour;

TEST(AdaptiveThresholdDetector, EmitsNothingBeforeMinSamplesTradedBuckets) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{
      .interval = 10s, .quantile = 0.999, .threshold = 2.0, .min_samples = 20});
  RecordingSink sink;
  for (int second = 0; second < 200; ++second)
    detector.on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.all_day_samples(), 19u);
  detector.on_trade(trade_at(kStartSeconds + 200, 100.0, 3.0), sink);  // closes the 20th bucket
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& observation = sink.observations[0];
  EXPECT_STREQ(observation.quantity, "trade volume per interval");
  EXPECT_EQ(observation.observed, 3.0);
  // Every bucket held 10: the learned quantile is 10 and the limit twice that.
  EXPECT_EQ(observation.expected_low, 0.0);
  EXPECT_NEAR(observation.expected_high, 20.0, 1e-9);
  EXPECT_NEAR(observation.ratio, 3.0 / 20.0, 1e-12);
}

// A tenfold rate for one bucket, against threshold 2 (the daemon's default of 5 wants a stronger burst).
TEST(AdaptiveThresholdDetector, FlagsVolumeBurstBeforeItsBucketCloses) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{.threshold = 2.0});
  RecordingSink sink;
  RandomWalkMarket market(detector, sink, 61);
  market.run_until(kStartSeconds + 2 * kHour, 2.0);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_LT(sink.max_ratio(), 1.0);
  const std::size_t before = sink.observations.size();
  const double burst_start = market.now();   // the start of a bucket
  market.run_until(burst_start + 10, 20.0);  // ten times the usual rate for one bucket
  const Observation* alarm = testing::first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  EXPECT_LT(alarm->time, at_seconds(burst_start + 10));
  EXPECT_GE(alarm->observed, alarm->expected_high);
  EXPECT_GT(sink.max_ratio(), 1.5);
}

TEST(AdaptiveThresholdDetector, StaysQuietOnStationaryVolume) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{.threshold = 2.0});
  RecordingSink sink;
  RandomWalkMarket market(detector, sink, 62);
  const long trades = market.run_until(kStartSeconds + 60'000, 2.0);  // 6000 buckets
  EXPECT_GT(trades, 115'000);
  EXPECT_GT(sink.observations.size(), 100'000u);
  EXPECT_LT(sink.max_ratio(), 1.0);
  EXPECT_GT(sink.max_ratio(), 0.3);
}

// Hours 0-11 UTC trade at 0.2 per second, hours 12-23 at 2 per second.
class TwoSessionMarket {
 public:
  TwoSessionMarket(Detector& detector, RecordingSink& sink) : market_(detector, sink, 63) {}
  void run_until(double until) {
    while (market_.now() < until) {
      const double hour_end = std::min(until, (std::floor(market_.now() / kHour) + 1) * kHour);
      const auto hour = static_cast<long>(std::floor(market_.now() / kHour)) % 24;
      market_.run_until(hour_end, hour < 12 ? 0.2 : 2.0);
    }
  }
  RandomWalkMarket& market() { return market_; }

 private:
  RandomWalkMarket market_;
};

TEST(AdaptiveThresholdDetector, LearnsAThresholdPerHourOfDay) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{
      .interval = 60s, .quantile = 0.999, .threshold = 2.0, .min_samples = 50});
  RecordingSink sink;
  TwoSessionMarket sessions(detector, sink);
  // Day one: the busy session is flagged against the all-day baseline learned on quiet hours.
  sessions.run_until(kStartSeconds + kDay);
  for (std::size_t hour = 0; hour < 24; ++hour) EXPECT_GE(detector.hour_samples(hour), 50u) << hour;
  // Day two: each hour has its own baseline, so neither session looks unusual.
  const std::size_t day_two = sink.observations.size();
  sessions.run_until(kStartSeconds + 2 * kDay + 6 * kHour);
  EXPECT_EQ(testing::first_alarm(sink, day_two), nullptr);
  // At 06:00 on day three, busy-session activity in the quiet session is an anomaly.
  const std::size_t before = sink.observations.size();
  sessions.market().run_until(kStartSeconds + 2 * kDay + 6 * kHour + 300, 2.0);
  const Observation* alarm = testing::first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  EXPECT_GE(alarm->observed, alarm->expected_high);
  EXPECT_LT(alarm->expected_high, 100.0);  // a busy minute trades ~135
}

TEST(AdaptiveThresholdDetector, AssignsBucketsToTheirUtcHour) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{});
  RecordingSink sink;
  detector.on_trade(trade_at(kStartSeconds + 5 * kHour + 5, 100.0), sink);
  detector.on_trade(trade_at(kStartSeconds + 5 * kHour + 15, 100.0), sink);
  EXPECT_EQ(detector.hour_samples(5), 1u);
  // Before the epoch: 23:59:50 on 31 December 1969 is hour 23.
  AdaptiveThresholdDetector before_epoch(AdaptiveThresholdDetector::Options{});
  before_epoch.on_trade(trade_at(-5, 100.0), sink);
  before_epoch.on_trade(trade_at(0, 100.0), sink);
  EXPECT_EQ(before_epoch.hour_samples(23), 1u);
  EXPECT_EQ(before_epoch.all_day_samples(), 1u);
}

TEST(AdaptiveThresholdDetector, ConstantVolumeGivesNoNanAndNoAlarm) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second < 3 * 3600; ++second)
    detector.on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_LE(sink.max_ratio(), 0.5 + 1e-12);  // a full bucket is exactly the learned quantile
}

TEST(AdaptiveThresholdDetector, ZeroQuantityTradesNeverWarmUp) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second < 3 * 3600; ++second) {
    detector.on_trade(trade_at(kStartSeconds + second, 100.0, 0.0), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.all_day_samples(), 0u);
}

TEST(AdaptiveThresholdDetector, IgnoresInvalidTrades) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{
      .interval = 10s, .quantile = 0.999, .threshold = 2.0, .min_samples = 20});
  RecordingSink sink;
  for (int second = 0; second <= 200; ++second)
    detector.on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double quantity : {nan, inf, -inf, -1.0})
    detector.on_trade(trade_at(kStartSeconds + 201, 100.0, quantity), sink);
  for (double price : {nan, inf, 0.0, -5.0})
    detector.on_trade(trade_at(kStartSeconds + 202, price, 100.0), sink);
  detector.on_trade(trade_at(kStartSeconds + 255, nan), sink);  // must not close buckets either
  EXPECT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(detector.all_day_samples(), 20u);
  detector.on_trade(trade_at(kStartSeconds + 203, 100.0), sink);
  ASSERT_EQ(sink.observations.size(), 2u);
  EXPECT_EQ(sink.observations.back().observed, 2.0);
  EXPECT_TRUE(testing::all_finite(sink));
}

TEST(AdaptiveThresholdDetector, MemoryStaysBoundedOverAMillionTrades) {
  AdaptiveThresholdDetector detector(AdaptiveThresholdDetector::Options{});
  EXPECT_GT(testing::feed_trades(detector, 1'000'000, 0.5, 64), 990'000);
  EXPECT_EQ(AdaptiveThresholdDetector::retained_values(), 125u);
  EXPECT_EQ(detector.all_day_samples(), 49'999u);
}

TEST(AdaptiveThresholdDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = AdaptiveThresholdDetector::descriptor();
  EXPECT_EQ(descriptor.name, "adaptive_threshold");
  ASSERT_EQ(descriptor.params.size(), 4u);
  ParamValues params;
  params.set("interval", 2);
  params.set("quantile", 0.99);
  params.set("threshold", 3);
  params.set("min_samples", 20);
  const AdaptiveThresholdDetector::Options options = AdaptiveThresholdDetector::options_from(params);
  EXPECT_EQ(options.interval, 2s);
  EXPECT_EQ(options.quantile, 0.99);
  EXPECT_EQ(options.threshold, 3.0);
  EXPECT_EQ(options.min_samples, 20u);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  for (int second = 0; second < 40; ++second)
    detector->on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  EXPECT_TRUE(sink.observations.empty());  // 19 buckets of 2 s closed
  detector->on_trade(trade_at(kStartSeconds + 40, 100.0), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(AdaptiveThresholdDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 2.5);
  const AdaptiveThresholdDetector::Options options = AdaptiveThresholdDetector::options_from(params);
  EXPECT_EQ(options.interval, 10s);
  EXPECT_EQ(options.quantile, 0.999);
  EXPECT_EQ(options.threshold, 2.5);
  EXPECT_EQ(options.min_samples, 360u);
  for (const ParamSpec& spec : AdaptiveThresholdDetector::descriptor().params) {
    EXPECT_GE(spec.default_value, spec.min) << spec.name;
    EXPECT_LE(spec.default_value, spec.max) << spec.name;
  }
}

}  // namespace
}  // namespace tickguard
