#include "detectors/statistical/zscore_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard {
namespace {

using testing::Gaussian;
using testing::RecordingSink;

// Feeds trades one per second of exchange time, remembering the last price.
class TradeFeeder {
 public:
  TradeFeeder(ZScoreDetector& detector, RecordingSink& sink, double price = 100.0)
      : detector_(detector), sink_(sink), price_(price) {}

  void trade_at(double price, double quantity = 1.0) {
    Trade trade;
    trade.exchange_time = Timestamp(std::chrono::seconds(++seconds_));
    trade.price = price;
    trade.quantity = quantity;
    detector_.on_trade(trade, sink_);
  }
  // One step of a random walk with log returns of `volatility` standard deviation.
  void step(Gaussian& gaussian, double volatility = 1e-4) {
    price_ *= std::exp(volatility * gaussian());
    trade_at(price_);
  }
  void jump(double factor) {
    price_ *= factor;
    trade_at(price_);
  }
  double price() const { return price_; }

 private:
  ZScoreDetector& detector_;
  RecordingSink& sink_;
  double price_;
  std::int64_t seconds_ = 1'700'000'000;
};

TEST(ZScoreDetector, EmitsNothingBeforeMinSamples) {
  ZScoreDetector detector(ZScoreDetector::Options{.window = 300, .min_samples = 100, .threshold = 6.0});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(1);
  // The first trade only sets the reference price; the next 100 build the baseline of 100 returns.
  for (int i = 0; i < 101; ++i) feeder.step(gaussian);
  EXPECT_TRUE(sink.observations.empty());
  feeder.step(gaussian);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "log return");
  feeder.step(gaussian);
  EXPECT_EQ(sink.observations.size(), 2u);
}

TEST(ZScoreDetector, ClampsMinSamplesToWindow) {
  ZScoreDetector detector(ZScoreDetector::Options{.window = 20, .min_samples = 500, .threshold = 6.0});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(2);
  for (int i = 0; i < 21; ++i) feeder.step(gaussian);
  EXPECT_TRUE(sink.observations.empty());
  feeder.step(gaussian);
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(ZScoreDetector, FlagsPriceSpikeAfterWarmup) {
  ZScoreDetector detector(ZScoreDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(3);
  for (int i = 0; i < 500; ++i) feeder.step(gaussian);
  const std::size_t before = sink.observations.size();
  feeder.jump(1.02);
  ASSERT_EQ(sink.observations.size(), before + 1);
  const Observation& spike = sink.observations.back();
  EXPECT_GE(spike.ratio, 1.0);
  EXPECT_GT(spike.score, 0.5);
  EXPECT_NEAR(spike.observed, std::log(1.02), 1e-12);
  EXPECT_GT(spike.observed, spike.expected_high);
  EXPECT_EQ(spike.time, Timestamp(std::chrono::seconds(1'700'000'000 + 501)));
}

TEST(ZScoreDetector, FlagsPriceCrashAsWellAsJump) {
  ZScoreDetector detector(ZScoreDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(4);
  for (int i = 0; i < 500; ++i) feeder.step(gaussian);
  feeder.jump(0.98);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  EXPECT_LT(sink.observations.back().observed, sink.observations.back().expected_low);
}

TEST(ZScoreDetector, StaysQuietOnGaussianNoise) {
  ZScoreDetector detector(ZScoreDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(5);
  for (int i = 0; i < 20101; ++i) feeder.step(gaussian);
  ASSERT_EQ(sink.observations.size(), 20000u);
  double max_ratio = 0;
  for (const Observation& observation : sink.observations) max_ratio = std::max(max_ratio, observation.ratio);
  EXPECT_LT(max_ratio, 1.0);
  EXPECT_GT(max_ratio, 0.3);  // the noise does register, it just never crosses the threshold
}

TEST(ZScoreDetector, DetectsSecondSpikeShortlyAfterFirst) {
  // In a short window an unclamped 200-sigma spike would inflate the standard deviation about
  // 37-fold and hide a second identical spike (z ~ 5.4 < 6); winsorized, it barely moves it.
  ZScoreDetector detector(ZScoreDetector::Options{.window = 30, .min_samples = 30, .threshold = 6.0});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(6);
  for (int i = 0; i < 100; ++i) feeder.step(gaussian);
  feeder.jump(1.02);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  for (int i = 0; i < 5; ++i) feeder.step(gaussian);
  feeder.jump(1.02);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  EXPECT_GT(sink.observations.back().score, 0.5);
}

TEST(ZScoreDetector, DetectsSecondSpikeWithDefaultOptions) {
  ZScoreDetector detector(ZScoreDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(16);
  for (int i = 0; i < 400; ++i) feeder.step(gaussian);
  feeder.jump(1.02);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  for (int i = 0; i < 10; ++i) feeder.step(gaussian);
  feeder.jump(0.98);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
}

TEST(ZScoreDetector, ConstantPricesGiveNoNanAndNoAlarm) {
  ZScoreDetector detector(ZScoreDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_FALSE(sink.observations.empty());
  for (const Observation& observation : sink.observations) {
    EXPECT_TRUE(std::isfinite(observation.ratio));
    EXPECT_TRUE(std::isfinite(observation.score));
    EXPECT_TRUE(std::isfinite(observation.expected_low));
    EXPECT_TRUE(std::isfinite(observation.expected_high));
    EXPECT_EQ(observation.ratio, 0.0);
    EXPECT_LT(observation.expected_low, observation.expected_high);
  }
}

TEST(ZScoreDetector, IgnoresInvalidTrades) {
  ZScoreDetector detector(ZScoreDetector::Options{});
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(7);
  for (int i = 0; i < 200; ++i) feeder.step(gaussian);
  const std::size_t before = sink.observations.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, -inf, 0.0, -100.0}) feeder.trade_at(price);
  // A valid-looking price with an invalid quantity is rejected as a whole.
  for (double quantity : {nan, inf, -1.0}) feeder.trade_at(2 * feeder.price(), quantity);
  EXPECT_EQ(sink.observations.size(), before);
  // The reference price is still the last valid one: an ordinary next step is not a spike.
  feeder.step(gaussian);
  ASSERT_EQ(sink.observations.size(), before + 1);
  EXPECT_LT(sink.observations.back().ratio, 1.0);
}

TEST(ZScoreDetector, ExpectedBandBracketsTheBaselineMean) {
  constexpr std::size_t kWindow = 50;
  ZScoreDetector detector(ZScoreDetector::Options{.window = kWindow, .min_samples = 50, .threshold = 4.0});
  RecordingSink sink;
  Gaussian gaussian(8);
  std::deque<double> returns;
  double previous = 100.0;
  Trade trade;
  trade.quantity = 1.0;
  trade.price = previous;
  detector.on_trade(trade, sink);
  for (int i = 0; i < 300; ++i) {
    // A drift keeps the mean clearly away from zero.
    trade.price = previous * std::exp(2e-4 + 1e-4 * gaussian());
    const double log_return = std::log(trade.price / previous);
    previous = trade.price;
    const std::size_t before = sink.observations.size();
    detector.on_trade(trade, sink);
    if (sink.observations.size() > before) {
      double sum = 0;
      for (double r : returns) sum += r;
      const double mean = sum / static_cast<double>(returns.size());
      double squares = 0;
      for (double r : returns) squares += (r - mean) * (r - mean);
      const double stddev = std::sqrt(squares / static_cast<double>(returns.size() - 1));
      const Observation& observation = sink.observations.back();
      EXPECT_LT(observation.expected_low, mean);
      EXPECT_GT(observation.expected_high, mean);
      EXPECT_NEAR(0.5 * (observation.expected_low + observation.expected_high), mean, 1e-12);
      EXPECT_NEAR(0.5 * (observation.expected_high - observation.expected_low), 4.0 * stddev, 1e-10);
      EXPECT_NEAR(observation.ratio, std::abs(log_return - mean) / stddev / 4.0, 1e-6);
    }
    // Once scored, a return enters the baseline clamped to the band it was scored against.
    const bool scored = sink.observations.size() > before;
    returns.push_back(scored ? std::clamp(log_return, sink.observations.back().expected_low,
                                          sink.observations.back().expected_high)
                             : log_return);
    if (returns.size() > kWindow) returns.pop_front();
  }
  EXPECT_EQ(sink.observations.size(), 250u);
}

TEST(ZScoreDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = ZScoreDetector::descriptor();
  EXPECT_EQ(descriptor.name, "zscore");
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
  // 11 returns: the first 10 fill the baseline, the 11th is scored.
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(ZScoreDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 2.5);
  const ZScoreDetector::Options options = ZScoreDetector::options_from(params);
  EXPECT_EQ(options.window, 300u);
  EXPECT_EQ(options.min_samples, 100u);
  EXPECT_EQ(options.threshold, 2.5);
}

}  // namespace
}  // namespace tickguard
