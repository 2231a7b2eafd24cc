#include "detectors/technical/bollinger_detector.h"

#include <gtest/gtest.h>

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

TEST(BollingerDetector, EmitsNothingBeforePeriodIntervalsHaveClosed) {
  BollingerDetector detector(BollingerDetector::Options{.interval = 60s, .period = 20, .threshold = 7.0});
  RecordingSink sink;
  // One trade every 10 s for 20 minutes: intervals 0 to 18 close, interval 19 is in progress.
  for (int second = 0; second < 1200; second += 10) {
    detector.on_trade(trade_at(kStartSeconds + second, 100.0 + (second % 20 == 0 ? 0.1 : -0.1)), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(kStartSeconds + 1200, 100.0), sink);  // closes interval 19, the 20th
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "trade price");
  EXPECT_EQ(sink.observations[0].time, at_seconds(kStartSeconds + 1200));
}

TEST(BollingerDetector, BandIsMeanPlusMinusThresholdSigmasOfCloses) {
  BollingerDetector detector(BollingerDetector::Options{.interval = 10s, .period = 5, .threshold = 2.0});
  RecordingSink sink;
  // Closes 100, 102, 101, 103, 104 (the last trade of each interval is its close).
  const double closes[] = {100, 102, 101, 103, 104};
  for (int i = 0; i < 5; ++i) {
    detector.on_trade(trade_at(kStartSeconds + 10 * i + 1, 50.0), sink);
    detector.on_trade(trade_at(kStartSeconds + 10 * i + 9, closes[i]), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(kStartSeconds + 51, 106.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const double mean = 102.0;
  const double sigma = std::sqrt(10.0 / 4.0);  // sample standard deviation of the closes
  const Observation& observation = sink.observations[0];
  EXPECT_NEAR(observation.expected_low, mean - 2 * sigma, 1e-9);
  EXPECT_NEAR(observation.expected_high, mean + 2 * sigma, 1e-9);
  EXPECT_EQ(observation.observed, 106.0);
  EXPECT_NEAR(observation.ratio, 4.0 / (2 * sigma), 1e-9);
  EXPECT_NEAR(observation.score, score_from_threshold_ratio(observation.ratio), 1e-12);
}

TEST(BollingerDetector, FlagsBreachAboveAndBelowTheBand) {
  for (const double factor : {1.05, 0.95}) {
    BollingerDetector detector(BollingerDetector::Options{});
    RecordingSink sink;
    RandomWalkMarket market(detector, sink, 21);
    market.run_until(kStartSeconds + 3 * 3600, 2.0);
    ASSERT_FALSE(sink.observations.empty());
    EXPECT_LT(sink.max_ratio(), 1.0);
    market.jump(factor);  // a 5% move against 1-minute closes that move about 0.1%
    const Observation& breach = sink.observations.back();
    EXPECT_GE(breach.ratio, 1.0);
    EXPECT_GT(breach.score, 0.5);
    EXPECT_EQ(breach.observed, market.price());
    if (factor > 1) {
      EXPECT_GT(breach.observed, breach.expected_high);
    } else {
      EXPECT_LT(breach.observed, breach.expected_low);
    }
  }
}

TEST(BollingerDetector, StaysQuietOnRandomWalk) {
  BollingerDetector detector(BollingerDetector::Options{});
  RecordingSink sink;
  RandomWalkMarket market(detector, sink, 22);
  const long trades = market.run_until(kStartSeconds + 60'000, 2.0);  // 1000 one-minute intervals
  EXPECT_GT(trades, 115'000);
  EXPECT_GT(sink.observations.size(), 110'000u);
  EXPECT_LT(sink.max_ratio(), 1.0);
  EXPECT_GT(sink.max_ratio(), 0.2);  // the noise registers, it just stays inside the band
}

TEST(BollingerDetector, ConstantPriceGivesNoNanAndNoAlarm) {
  BollingerDetector detector(BollingerDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second < 7200; ++second)
    detector.on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_TRUE(testing::all_finite(sink));
  EXPECT_EQ(sink.max_ratio(), 0.0);
  // Sigma is floored, so the band still has a width.
  const Observation& last = sink.observations.back();
  const double half_width = 7.0 * BollingerDetector::kMinRelativeSigma * 100.0;
  EXPECT_NEAR(last.expected_high - last.expected_low, 2 * half_width, 1e-9);
}

TEST(BollingerDetector, GapCarriesTheLastCloseForward) {
  BollingerDetector detector(BollingerDetector::Options{.interval = 10s, .period = 5, .threshold = 2.0});
  RecordingSink sink;
  for (int i = 0; i < 5; ++i) detector.on_trade(trade_at(kStartSeconds + 10 * i, 100.0 + i), sink);
  // Ten years later: the window is five closes of 104, so sigma is the floor.
  const double later = kStartSeconds + 10.0 * 365 * 24 * 3600;
  detector.on_trade(trade_at(later, 104.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& observation = sink.observations[0];
  EXPECT_EQ(observation.ratio, 0.0);
  EXPECT_NEAR(observation.expected_high, 104.0 * (1 + 2 * BollingerDetector::kMinRelativeSigma), 1e-9);
}

TEST(BollingerDetector, IgnoresInvalidTrades) {
  BollingerDetector detector(BollingerDetector::Options{.interval = 10s, .period = 5, .threshold = 2.0});
  RecordingSink sink;
  for (int i = 0; i < 6; ++i) detector.on_trade(trade_at(kStartSeconds + 10 * i, 100.0 + (i % 2)), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, -inf, 0.0, -5.0})
    detector.on_trade(trade_at(kStartSeconds + 51, price), sink);
  for (double quantity : {nan, inf, -1.0})
    detector.on_trade(trade_at(kStartSeconds + 52, 500.0, quantity), sink);
  // An invalid trade neither opens an interval nor sets the close.
  detector.on_trade(trade_at(kStartSeconds + 75, nan), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
  detector.on_trade(trade_at(kStartSeconds + 59, 100.5), sink);
  ASSERT_EQ(sink.observations.size(), 2u);
  EXPECT_LT(sink.observations.back().ratio, 1.0);
  EXPECT_TRUE(testing::all_finite(sink));
}

TEST(BollingerDetector, MemoryStaysBoundedOverAMillionTrades) {
  BollingerDetector detector(BollingerDetector::Options{.interval = 1s, .period = 50, .threshold = 7.0});
  const std::size_t retained = detector.retained_values();
  EXPECT_EQ(retained, 50u);
  EXPECT_GT(testing::feed_trades(detector, 1'000'000, 0.5, 23), 990'000);
  EXPECT_EQ(detector.retained_values(), retained);
}

TEST(BollingerDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = BollingerDetector::descriptor();
  EXPECT_EQ(descriptor.name, "bollinger");
  ASSERT_EQ(descriptor.params.size(), 3u);
  ParamValues params;
  params.set("interval", 2);
  params.set("period", 5);
  params.set("threshold", 3);
  const BollingerDetector::Options options = BollingerDetector::options_from(params);
  EXPECT_EQ(options.interval, 2s);
  EXPECT_EQ(options.period, 5u);
  EXPECT_EQ(options.threshold, 3.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  for (int second = 0; second < 10; ++second)
    detector->on_trade(trade_at(kStartSeconds + second, 100.0), sink);
  EXPECT_TRUE(sink.observations.empty());  // intervals 0 to 3 closed
  detector->on_trade(trade_at(kStartSeconds + 10, 100.0), sink);
  EXPECT_EQ(sink.observations.size(), 1u);  // interval 4 closed: 5 closes
}

TEST(BollingerDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 2.5);
  const BollingerDetector::Options options = BollingerDetector::options_from(params);
  EXPECT_EQ(options.interval, 60s);
  EXPECT_EQ(options.period, 20u);
  EXPECT_EQ(options.threshold, 2.5);
  for (const ParamSpec& spec : BollingerDetector::descriptor().params) {
    EXPECT_GE(spec.default_value, spec.min) << spec.name;
    EXPECT_LE(spec.default_value, spec.max) << spec.name;
  }
}

}  // namespace
}  // namespace tickguard
