#include "detectors/microstructure/spread_shock_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "tests/daemon/detectors/microstructure/microstructure_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::kStartSeconds;
using testing::make_ticker;
using testing::Random;
using testing::RecordingSink;
using testing::SummarySink;
using testing::TickerMarket;

SpreadShockDetector::Options small_options() {
  return SpreadShockDetector::Options{
      .sample_interval = 1s, .window = 50, .min_samples = 20, .threshold = 6.0};
}

// A ticker at `seconds` with mid 100 and the given relative spread.
Ticker ticker_with_spread(double seconds, double spread) {
  return make_ticker(seconds, 100.0 * (1 - spread / 2), 100.0 * (1 + spread / 2));
}

TEST(SpreadShockDetector, EmitsNothingUntilMinSamplesIntervalsAreSampled) {
  SpreadShockDetector detector(small_options());
  RecordingSink sink;
  // Ten tickers a second from second 0 to second 19: one sample per second, the 20th at second 19.
  for (int tenth = 0; tenth <= 190; ++tenth) {
    detector.on_ticker(ticker_with_spread(kStartSeconds + tenth / 10.0, 1e-4), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.baseline_count(), 20u);
  detector.on_ticker(ticker_with_spread(kStartSeconds + 19.1, 1e-4), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& observation = sink.observations[0];
  EXPECT_STREQ(observation.quantity, "relative spread");
  EXPECT_NEAR(observation.observed, 1e-4, 1e-15);
  EXPECT_EQ(observation.time, testing::at_seconds(kStartSeconds + 19.1));
}

TEST(SpreadShockDetector, SamplesTheFirstTickerOfEachInterval) {
  SpreadShockDetector detector(
      SpreadShockDetector::Options{.sample_interval = 1s, .window = 10, .min_samples = 3, .threshold = 6.0});
  RecordingSink sink;
  const std::vector<double> sampled = {1e-4, 3e-4, 2e-4};
  for (std::size_t second = 0; second < sampled.size(); ++second) {
    const double start = kStartSeconds + static_cast<double>(second);
    detector.on_ticker(ticker_with_spread(start, sampled[second]), sink);
    // Later tickers of the same second are not sampled, however wide (the third sample ends the
    // warm-up, so a ticker after it would be scored instead).
    if (second + 1 < sampled.size()) detector.on_ticker(ticker_with_spread(start + 0.5, 1e-2), sink);
  }
  ASSERT_TRUE(sink.observations.empty());
  detector.on_ticker(ticker_with_spread(kStartSeconds + 3, 2e-4), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& observation = sink.observations[0];
  // Median of the log spreads is ln(2e-4); the band is symmetric around it in log space.
  EXPECT_NEAR(std::sqrt(observation.expected_low * observation.expected_high), 2e-4, 1e-12);
  // MAD of {ln 1e-4, ln 2e-4, ln 3e-4} around ln 2e-4 is ln 1.5.
  const double sigma = SpreadShockDetector::kMadToSigma * std::log(1.5);
  EXPECT_NEAR(observation.expected_high, 2e-4 * std::exp(6.0 * sigma), 1e-12);
  EXPECT_EQ(observation.ratio, 0.0);
}

TEST(SpreadShockDetector, StaysQuietOnLognormalSpreadNoise) {
  SpreadShockDetector detector(SpreadShockDetector::Options{});
  SummarySink sink;
  TickerMarket market(21);
  for (int i = 0; i < 100'000; ++i) detector.on_ticker(market.next(), sink);
  EXPECT_GT(sink.count, 99'000u);  // about 60 s of warm-up at ten tickers a second
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  EXPECT_GT(sink.max_ratio, 0.3);  // the noise registers, it just never crosses the threshold
  EXPECT_EQ(sink.non_finite, 0u);
}

TEST(SpreadShockDetector, FiresOnSuddenWidening) {
  SpreadShockDetector detector(SpreadShockDetector::Options{});
  RecordingSink sink;
  TickerMarket market(22);
  for (int i = 0; i < 3000; ++i) detector.on_ticker(market.next(), sink);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_LT(sink.max_ratio(), 1.0);
  detector.on_ticker(market.next(10.0), sink);  // the spread jumps tenfold
  const Observation& shock = sink.observations.back();
  EXPECT_GE(shock.ratio, 1.0);
  EXPECT_GT(shock.score, 0.5);
  EXPECT_GT(shock.observed, shock.expected_high);
  EXPECT_LT(shock.expected_low, 2e-4);
  EXPECT_GT(shock.expected_high, 2e-4);
}

TEST(SpreadShockDetector, KeepsFiringThroughAShockAndAfterIt) {
  SpreadShockDetector detector(SpreadShockDetector::Options{});
  SummarySink sink;
  TickerMarket market(23);
  for (int i = 0; i < 3000; ++i) detector.on_ticker(market.next(), sink);
  // 30 s of a twentyfold spread: each second's sample enters the baseline clamped to the band.
  std::size_t shocked = 0;
  for (int i = 0; i < 300; ++i) {
    detector.on_ticker(market.next(20.0), sink);
    if (sink.last.ratio >= 1.0) ++shocked;
  }
  EXPECT_EQ(shocked, 300u);
  for (int i = 0; i < 100; ++i) detector.on_ticker(market.next(), sink);
  EXPECT_LT(sink.last.ratio, 1.0);
  detector.on_ticker(market.next(20.0), sink);
  EXPECT_GE(sink.last.ratio, 1.0);
}

TEST(SpreadShockDetector, NarrowingIsNotAShock) {
  SpreadShockDetector detector(SpreadShockDetector::Options{});
  RecordingSink sink;
  TickerMarket market(24);
  for (int i = 0; i < 3000; ++i) detector.on_ticker(market.next(), sink);
  detector.on_ticker(market.next(0.01), sink);
  const Observation& observation = sink.observations.back();
  EXPECT_EQ(observation.ratio, 0.0);
  EXPECT_EQ(observation.score, 0.0);
  EXPECT_LT(observation.observed, observation.expected_low);
}

// Spread of one tick 80% of the time, two 15%, three 5%: the MAD is 0 and sigma is the floor.
TEST(SpreadShockDetector, TickBoundSpreadFiresOnlyBeyondTheFloorBand) {
  SpreadShockDetector detector(SpreadShockDetector::Options{});
  SummarySink sink;
  Random random(25);
  const double tick = 0.01;
  double seconds = kStartSeconds;
  auto ticks_ticker = [&](int ticks) {
    seconds += 0.1;
    return make_ticker(seconds, 100.0, 100.0 + ticks * tick);
  };
  for (int i = 0; i < 100'000; ++i) {
    const double u = random.uniform();
    detector.on_ticker(ticks_ticker(u < 0.8 ? 1 : u < 0.95 ? 2 : 3), sink);
  }
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  const double one_tick = tick / (100.0 + tick / 2);
  const double floor_factor = std::exp(6.0 * SpreadShockDetector::kMinRobustSigma);
  EXPECT_NEAR(sink.last.expected_high, one_tick * floor_factor, 1e-12);
  detector.on_ticker(ticks_ticker(4), sink);  // 4 > 3.32 ticks
  EXPECT_GE(sink.last.ratio, 1.0);
}

TEST(SpreadShockDetector, ConstantSpreadGivesNoNanAndNoAlarm) {
  SpreadShockDetector detector(SpreadShockDetector::Options{});
  RecordingSink sink;
  for (int i = 0; i < 2000; ++i) detector.on_ticker(ticker_with_spread(kStartSeconds + i * 0.1, 1e-4), sink);
  ASSERT_FALSE(sink.observations.empty());
  for (const Observation& observation : sink.observations) {
    EXPECT_TRUE(std::isfinite(observation.ratio));
    EXPECT_TRUE(std::isfinite(observation.score));
    EXPECT_TRUE(std::isfinite(observation.expected_low));
    EXPECT_TRUE(std::isfinite(observation.expected_high));
    EXPECT_EQ(observation.ratio, 0.0);
    EXPECT_LT(observation.expected_low, observation.observed);
    EXPECT_GT(observation.expected_high, observation.observed);
  }
}

TEST(SpreadShockDetector, IgnoresInvalidTickers) {
  SpreadShockDetector detector(small_options());
  RecordingSink sink;
  for (int second = 0; second < 19; ++second)
    detector.on_ticker(ticker_with_spread(kStartSeconds + second, 1e-4), sink);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Ticker> invalid;
  for (double price : {nan, inf, -inf, 0.0, -1.0}) {
    invalid.push_back(make_ticker(0, price, 100.0));
    invalid.push_back(make_ticker(0, 99.0, price));
  }
  invalid.push_back(make_ticker(0, 100.0, 100.0));  // locked
  invalid.push_back(make_ticker(0, 100.1, 100.0));  // crossed
  for (double size : {nan, inf, -1.0}) invalid.push_back(make_ticker(0, 99.99, 100.01, size));
  double seconds = kStartSeconds + 19;
  for (Ticker ticker : invalid) {
    ticker.exchange_time = testing::at_seconds(seconds++);
    detector.on_ticker(ticker, sink);
  }
  // Invalid tickers are neither scored nor sampled: the baseline still waits for its 20th sample.
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.baseline_count(), 19u);
  detector.on_ticker(ticker_with_spread(seconds++, 1e-4), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector.on_ticker(ticker_with_spread(seconds++, 1e-4), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(sink.observations[0].ratio, 0.0);
}

TEST(SpreadShockDetector, MemoryStaysBoundedOverAMillionTickers) {
  SpreadShockDetector detector(SpreadShockDetector::Options{});
  SummarySink sink;
  // Spreads drawn once and cycled, to keep a million tickers cheap in a debug build.
  Random random(26);
  std::vector<double> spreads(4096);
  for (double& spread : spreads) spread = random.lognormal(std::log(2e-4), 0.25);
  for (int i = 0; i < 1'000'000; ++i) {
    detector.on_ticker(ticker_with_spread(kStartSeconds + i * 0.1, spreads[i % spreads.size()]), sink);
  }
  EXPECT_EQ(detector.baseline_capacity(), 300u);
  EXPECT_EQ(detector.baseline_count(), 300u);
  EXPECT_GT(sink.count, 999'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_EQ(sink.non_finite, 0u);
  EXPECT_EQ(sink.scores_out_of_range, 0u);
}

TEST(SpreadShockDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = SpreadShockDetector::descriptor();
  EXPECT_EQ(descriptor.name, "spread_shock");
  ASSERT_EQ(descriptor.params.size(), 4u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_GE(spec.default_value, spec.min) << spec.name;
    EXPECT_LE(spec.default_value, spec.max) << spec.name;
  }
  EXPECT_EQ(descriptor.params[0].kind, ParamKind::kDuration);
  ParamValues params;
  params.set("sample_interval", 2);
  params.set("window", 10);
  params.set("min_samples", 5);
  params.set("threshold", 4);
  const SpreadShockDetector::Options options = SpreadShockDetector::options_from(params);
  EXPECT_EQ(options.sample_interval, 2s);
  EXPECT_EQ(options.window, 10u);
  EXPECT_EQ(options.min_samples, 5u);
  EXPECT_EQ(options.threshold, 4.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  // One ticker a second, sampled every other second: the fifth sample at second 8.
  for (int second = 0; second <= 8; ++second) {
    detector->on_ticker(ticker_with_spread(kStartSeconds + second, 1e-4), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  detector->on_ticker(ticker_with_spread(kStartSeconds + 9, 1e-4), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(SpreadShockDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 8);
  const SpreadShockDetector::Options options = SpreadShockDetector::options_from(params);
  EXPECT_EQ(options.sample_interval, 1s);
  EXPECT_EQ(options.window, 300u);
  EXPECT_EQ(options.min_samples, 60u);
  EXPECT_EQ(options.threshold, 8.0);
}

}  // namespace
}  // namespace tickguard
