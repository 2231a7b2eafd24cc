#include "detectors/crypto/flash_crash_detector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "detectors/crypto/window_extreme.h"
#include "tests/daemon/detectors/crypto/crypto_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::alarms;
using testing::all_finite;
using testing::at_seconds;
using testing::kStart;
using testing::Random;
using testing::RecordingSink;
using testing::trade_at;

// A random walk of 10 trades a second with a log-sd of 2e-4 per trade: about 0.5% in a minute.
class RandomWalk {
 public:
  RandomWalk(FlashCrashDetector& detector, RecordingSink& sink, std::uint64_t seed)
      : detector_(detector), sink_(sink), random_(seed) {}

  void run_for(double seconds) {
    for (double end = now + seconds; now < end;) {
      now += 0.1;
      price *= std::exp(2e-4 * random_.gaussian());
      detector_.on_trade(trade_at(now, price, 1.0), sink_);
    }
  }
  // Moves the price geometrically to `target` over `seconds`, 10 trades a second.
  void move_to(double target, double seconds) {
    const int steps = static_cast<int>(seconds * 10);
    const double step = std::pow(target / price, 1.0 / steps);
    for (int i = 0; i < steps; ++i) {
      now += 0.1;
      price *= step;
      detector_.on_trade(trade_at(now, price, 1.0), sink_);
    }
  }

  double now = kStart;
  double price = 100;

 private:
  FlashCrashDetector& detector_;
  RecordingSink& sink_;
  Random random_;
};

TEST(WindowExtreme, TracksMaxAndMinOverSlidingBuckets) {
  WindowExtreme max(WindowExtreme::Kind::kMax, 3);
  WindowExtreme min(WindowExtreme::Kind::kMin, 3);
  const double values[] = {5, 1, 4, 2, 3, 0, 6};
  const double expected_max[] = {5, 5, 5, 5, 4, 4, 6};
  const double expected_min[] = {5, 1, 1, 1, 1, 0, 0};
  for (int bucket = 0; bucket < 7; ++bucket) {
    max.add(bucket, values[bucket]);
    min.add(bucket, values[bucket]);
    EXPECT_EQ(max.extreme(), expected_max[bucket]) << bucket;
    EXPECT_EQ(min.extreme(), expected_min[bucket]) << bucket;
    EXPECT_LE(max.size(), max.capacity());
  }
  max.add(100, 1);  // everything older has expired
  EXPECT_EQ(max.extreme(), 1.0);
  EXPECT_EQ(max.size(), 1u);
  max.add(100, 0.5);  // less extreme, same bucket: not kept
  EXPECT_EQ(max.size(), 1u);
  max.clear();
  EXPECT_TRUE(max.empty());
}

TEST(FlashCrashDetector, EmitsNothingUntilOneWindowOfPrices) {
  FlashCrashDetector detector(FlashCrashDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second < 60; ++second) detector.on_trade(trade_at(kStart + second, 100, 1), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(kStart + 60, 100, 1), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "price move % within window");
  EXPECT_EQ(sink.observations[0].ratio, 0.0);
  EXPECT_EQ(sink.observations[0].expected_low, -5.0);
  EXPECT_EQ(sink.observations[0].expected_high, 5.0);
}

TEST(FlashCrashDetector, StaysQuietOnRandomWalk) {
  FlashCrashDetector detector(FlashCrashDetector::Options{});
  RecordingSink sink;
  RandomWalk walk(detector, sink, 21);
  walk.run_for(12'000);
  EXPECT_GT(sink.observations.size(), 110'000u);
  std::printf("flash_crash max ratio on noise: %.3f over %zu trades\n", sink.max_ratio(),
              sink.observations.size());
  EXPECT_LT(sink.max_ratio(), 0.5);
  EXPECT_EQ(detector.episode(), nullptr);
  EXPECT_TRUE(all_finite(sink));
}

TEST(FlashCrashDetector, FlagsCrashAndReportsRecovery) {
  FlashCrashDetector detector(FlashCrashDetector::Options{});
  RecordingSink sink;
  RandomWalk walk(detector, sink, 22);
  walk.run_for(600);
  ASSERT_EQ(alarms(sink), 0u);
  const std::size_t before = sink.observations.size();
  const double top = walk.price;
  walk.move_to(top * 0.92, 20);  // -8% in 20 s
  const Observation* first_alarm = nullptr;
  for (std::size_t i = before; i < sink.observations.size() && first_alarm == nullptr; ++i) {
    if (sink.observations[i].ratio >= 1) first_alarm = &sink.observations[i];
  }
  ASSERT_NE(first_alarm, nullptr);
  EXPECT_STREQ(first_alarm->quantity, "flash crash move %");
  EXPECT_LE(first_alarm->observed, -5.0);
  EXPECT_EQ(first_alarm->expected_low, -5.0);
  EXPECT_LT(first_alarm->time, at_seconds(walk.now - 5));     // well before the bottom
  EXPECT_NEAR(sink.observations.back().observed, -8.0, 0.5);  // from the window's max
  ASSERT_NE(detector.episode(), nullptr);
  EXPECT_TRUE(detector.episode()->crash);

  // Win back 60% of the fall over the next 40 s.
  const double bottom = walk.price;
  walk.move_to(bottom + 0.6 * (top - bottom), 40);
  const Observation& recovering = sink.observations.back();
  EXPECT_STREQ(recovering.quantity, "flash crash recovered share");
  EXPECT_NEAR(recovering.observed, 0.6, 0.05);
  EXPECT_EQ(recovering.expected_low, 0.0);
  EXPECT_EQ(recovering.expected_high, 1.0);
  // The episode ends recovery_window after it started; its final share is kept.
  walk.move_to(walk.price, 300);
  EXPECT_EQ(detector.episode(), nullptr);
  ASSERT_NE(detector.last_episode(), nullptr);
  EXPECT_NEAR(detector.last_episode()->reversed_fraction, 0.6, 0.05);
  EXPECT_STREQ(sink.observations.back().quantity, "price move % within window");
  EXPECT_LT(sink.observations.back().ratio, 1.0);
}

TEST(FlashCrashDetector, FlagsFlashRally) {
  FlashCrashDetector detector(FlashCrashDetector::Options{.threshold_percent = 3.0});
  RecordingSink sink;
  RandomWalk walk(detector, sink, 23);
  walk.run_for(300);
  ASSERT_EQ(alarms(sink), 0u);
  walk.move_to(walk.price * 1.06, 10);
  const Observation& peak = sink.observations.back();
  EXPECT_STREQ(peak.quantity, "flash rally move %");
  EXPECT_NEAR(peak.observed, 6.0, 0.6);  // from the window's min
  EXPECT_NEAR(peak.ratio, peak.observed / 3.0, 1e-12);
  walk.move_to(walk.price / 1.03, 5);
  EXPECT_STREQ(sink.observations.back().quantity, "flash rally reversed share");
  EXPECT_GT(sink.observations.back().observed, 0.4);
}

TEST(FlashCrashDetector, SlowDeclineIsNotAFlashCrash) {
  FlashCrashDetector detector(FlashCrashDetector::Options{});
  RecordingSink sink;
  RandomWalk walk(detector, sink, 24);
  walk.run_for(120);
  walk.move_to(walk.price * 0.8, 3600);  // -20% over an hour: 0.37% a minute
  EXPECT_EQ(alarms(sink), 0u);
}

TEST(FlashCrashDetector, ConstantPriceGivesZeroRatio) {
  FlashCrashDetector detector(FlashCrashDetector::Options{});
  RecordingSink sink;
  for (int i = 0; i < 10'000; ++i) detector.on_trade(trade_at(kStart + 0.05 * i, 42, 0), sink);
  EXPECT_FALSE(sink.observations.empty());
  EXPECT_EQ(sink.max_ratio(), 0.0);
  EXPECT_TRUE(all_finite(sink));
}

TEST(FlashCrashDetector, IgnoresInvalidAndClampsLateTrades) {
  FlashCrashDetector detector(FlashCrashDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second <= 60; ++second) detector.on_trade(trade_at(kStart + second, 100, 1), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, 0.0, -5.0}) detector.on_trade(trade_at(kStart + 61, price, 1), sink);
  for (double quantity : {nan, inf, -1.0}) detector.on_trade(trade_at(kStart + 61, 50, quantity), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
  // A late trade is scored as of the latest bucket: -10% against the window's max.
  detector.on_trade(trade_at(kStart + 10, 90, 1), sink);
  ASSERT_EQ(sink.observations.size(), 2u);
  EXPECT_NEAR(sink.observations.back().observed, -10.0, 1e-9);
}

TEST(FlashCrashDetector, MemoryStaysBoundedOverMillionTrades) {
  FlashCrashDetector detector(FlashCrashDetector::Options{});
  testing::CountingSink sink;
  Random random(25);
  double price = 100;
  const std::size_t capacity = detector.window_capacity();
  std::size_t largest = 0;
  for (int i = 0; i < 1'000'000; ++i) {  // 1000 trades a second, about 0.25% a minute
    price *= std::exp(1e-5 * random.gaussian());
    detector.on_trade(trade_at(kStart + 0.001 * i, price, 1), sink);
    largest = std::max(largest, detector.window_size());
  }
  EXPECT_EQ(detector.window_capacity(), capacity);
  EXPECT_EQ(capacity, 2 * (FlashCrashDetector::kBucketsPerWindow + 1));
  EXPECT_LE(largest, capacity);
  EXPECT_EQ(sink.non_finite, 0u);
  EXPECT_EQ(sink.alarms, 0u);
}

TEST(FlashCrashDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = FlashCrashDetector::descriptor();
  EXPECT_EQ(descriptor.name, "flash_crash");
  ASSERT_EQ(descriptor.params.size(), 3u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_GE(spec.max, spec.default_value) << spec.name;
  }
  ParamValues params;
  params.set("threshold_percent", 2);
  params.set("window", 10);
  const FlashCrashDetector::Options options = FlashCrashDetector::options_from(params);
  EXPECT_EQ(options.threshold_percent, 2.0);
  EXPECT_EQ(options.window, 10s);
  EXPECT_EQ(options.recovery_window, 300s);  // missing: default
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  for (int second = 0; second < 10; ++second) detector->on_trade(trade_at(kStart + second, 100, 1), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector->on_trade(trade_at(kStart + 10, 97, 1), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_NEAR(sink.observations[0].ratio, 1.5, 1e-9);
}

}  // namespace
}  // namespace tickguard
