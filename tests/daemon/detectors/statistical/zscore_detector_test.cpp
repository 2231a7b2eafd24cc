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
#include "tests/daemon/detectors/statistical/trade_feeder.h"

namespace tickguard {
namespace {

using testing::Gaussian;
using testing::RecordingSink;
using testing::TradeFeeder;

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

// ---- EWMA mode (halflife > 0) ----

ZScoreDetector::Options ewma_options(std::int64_t halflife_seconds, double threshold = 6.0) {
  return ZScoreDetector::Options{.window = 300,
                                 .min_samples = 100,
                                 .threshold = threshold,
                                 .halflife = std::chrono::seconds(halflife_seconds)};
}

TEST(ZScoreDetector, EwmaEmitsNothingUntilTheEffectiveSampleCountIsReached) {
  ZScoreDetector detector(ewma_options(3600));
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(20);
  // One return per second: 100 returns weigh a little under 100 once aged, so scoring starts a
  // few returns later than in rolling mode.
  for (int i = 0; i < 101; ++i) feeder.step(gaussian);
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_LT(detector.ewma_weight(), 100.0);
  for (int i = 0; i < 5; ++i) feeder.step(gaussian);
  EXPECT_FALSE(sink.observations.empty());
}

TEST(ZScoreDetector, EwmaFlagsPriceJumpAndCrash) {
  ZScoreDetector detector(ewma_options(300));
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(21);
  for (int i = 0; i < 1000; ++i) feeder.step(gaussian);
  feeder.jump(1.002);
  const Observation jump = sink.observations.back();
  EXPECT_GE(jump.ratio, 1.0);
  EXPECT_GT(jump.score, 0.5);
  EXPECT_NEAR(jump.observed, std::log(1.002), 1e-12);
  EXPECT_GT(jump.observed, jump.expected_high);
  for (int i = 0; i < 5; ++i) feeder.step(gaussian);
  feeder.jump(0.998);
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  EXPECT_LT(sink.observations.back().observed, sink.observations.back().expected_low);
}

TEST(ZScoreDetector, EwmaBaselineIsTheExponentiallyWeightedMeanAndStddev) {
  constexpr double kHalflife = 200;
  ZScoreDetector detector(ewma_options(static_cast<std::int64_t>(kHalflife), 100.0));
  RecordingSink sink;
  Gaussian gaussian(22);
  Trade trade;
  trade.quantity = 1;
  trade.price = 100.0;
  std::int64_t seconds = 1'700'000'000;
  trade.exchange_time = Timestamp(std::chrono::seconds(seconds));
  detector.on_trade(trade, sink);
  std::vector<std::pair<std::int64_t, double>> returns;  // (time, return)
  for (int i = 0; i < 400; ++i) {
    seconds += 1 + (i % 3);  // uneven spacing: the weights follow exchange time, not trade count
    trade.exchange_time = Timestamp(std::chrono::seconds(seconds));
    const double previous = trade.price;
    trade.price *= std::exp(2e-4 + 1e-4 * gaussian());
    const std::size_t before = sink.observations.size();
    detector.on_trade(trade, sink);
    if (sink.observations.size() > before) {
      double weight = 0;
      double weighted_sum = 0;
      for (const auto& [time, r] : returns) {
        const double w = std::exp2(-static_cast<double>(seconds - time) / kHalflife);
        weight += w;
        weighted_sum += w * r;
      }
      const double mean = weighted_sum / weight;
      double squares = 0;
      for (const auto& [time, r] : returns) {
        squares += std::exp2(-static_cast<double>(seconds - time) / kHalflife) * (r - mean) * (r - mean);
      }
      const double stddev = std::sqrt(squares / weight);
      const Observation& o = sink.observations.back();
      EXPECT_NEAR(0.5 * (o.expected_low + o.expected_high), mean, 1e-12);
      EXPECT_NEAR(0.5 * (o.expected_high - o.expected_low), 100.0 * stddev, 1e-9);
    }
    returns.emplace_back(seconds, std::log(trade.price / previous));
  }
  EXPECT_GT(sink.observations.size(), 200u);
}

TEST(ZScoreDetector, EwmaStaysQuietOnGaussianNoise) {
  ZScoreDetector detector(ewma_options(300));
  testing::CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(23);
  for (int i = 0; i < 100'000; ++i) feeder.step(gaussian);
  EXPECT_GT(sink.count, 99'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  EXPECT_GT(sink.max_ratio, 0.5);
  RecordProperty("max_ratio", std::to_string(sink.max_ratio));
}

TEST(ZScoreDetector, EwmaTracksAVolatilityRegimeWithinAFewHalflives) {
  ZScoreDetector detector(ewma_options(300));
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(24);
  for (int i = 0; i < 1000; ++i) feeder.step(gaussian, 1e-4);
  for (int i = 0; i < 3000; ++i) feeder.step(gaussian, 1e-3);  // ten halflives of 10x volatility
  ASSERT_FALSE(sink.observations.empty());
  const Observation& o = sink.observations.back();
  EXPECT_NEAR(0.5 * (o.expected_high - o.expected_low) / 6.0, 1e-3, 2e-4);
}

TEST(ZScoreDetector, EwmaPausesScoringAfterALongTradingGap) {
  ZScoreDetector detector(ewma_options(300));
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(25);
  for (int i = 0; i < 1000; ++i) feeder.step(gaussian);
  const std::size_t before = sink.observations.size();
  feeder.pause(18000);  // 60 halflives: the old baseline has decayed away
  for (int i = 0; i < 50; ++i) feeder.step(gaussian);
  EXPECT_EQ(sink.observations.size(), before);
  EXPECT_LT(detector.ewma_weight(), 100.0);
  for (int i = 0; i < 200; ++i) feeder.step(gaussian);
  EXPECT_GT(sink.observations.size(), before);
  EXPECT_LT(sink.max_ratio(), 1.0);
}

TEST(ZScoreDetector, EwmaConstantPricesGiveNoNanAndNoAlarm) {
  ZScoreDetector detector(ewma_options(300));
  RecordingSink sink;
  TradeFeeder feeder(detector, sink);
  for (int i = 0; i < 1000; ++i) feeder.trade_at(100.0);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_EQ(sink.max_ratio(), 0.0);
}

TEST(ZScoreDetector, EwmaMemoryStaysBoundedOverALongRun) {
  ZScoreDetector detector(ewma_options(300));
  testing::CountingSink sink;
  TradeFeeder feeder(detector, sink);
  Gaussian gaussian(26);
  for (int i = 0; i < 300'000; ++i) feeder.step(gaussian);
  EXPECT_EQ(detector.baseline_capacity(), 1u);  // the rolling window is not allocated
  EXPECT_TRUE(sink.finite);
  EXPECT_LT(detector.ewma_weight(), 300 / std::log(2.0) + 2);  // the stationary weight
}

TEST(ZScoreDetector, OptionsFromParamsReadsHalflife) {
  EXPECT_EQ(ZScoreDetector::options_from(ParamValues{}).halflife, Duration{0});
  ParamValues params;
  params.set("halflife", 90);
  EXPECT_EQ(ZScoreDetector::options_from(params).halflife, std::chrono::seconds(90));
  const DetectorDescriptor descriptor = ZScoreDetector::descriptor();
  ASSERT_EQ(descriptor.params.size(), 4u);
  EXPECT_EQ(descriptor.params[3].name, "halflife");
  EXPECT_EQ(descriptor.params[3].kind, ParamKind::kDuration);
  EXPECT_EQ(descriptor.params[3].default_value, 0.0);
}

}  // namespace
}  // namespace tickguard
