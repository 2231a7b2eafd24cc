#include "detectors/statistical/volume_spike_detector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::Random;
using testing::RecordingSink;

constexpr double kStart = 1'700'000'000;  // a multiple of 10 s

Timestamp at_seconds(double seconds) {
  return Timestamp(std::chrono::round<Duration>(std::chrono::duration<double>(seconds)));
}

Trade trade_at(double seconds, double quantity, double price = 100.0) {
  Trade trade;
  trade.exchange_time = at_seconds(seconds);
  trade.price = price;
  trade.quantity = quantity;
  return trade;
}

// A market whose trades arrive as a Poisson process with lognormal sizes (median 1, log-sd 0.5).
// Much wider sizes make single large trades that are genuine volume outliers at the default
// threshold, which is not what the quiet-market tests are about.
class PoissonMarket {
 public:
  PoissonMarket(VolumeSpikeDetector& detector, RecordingSink& sink, std::uint64_t seed)
      : detector_(detector), sink_(sink), random_(seed) {}

  // Trades at `rate` per second until exchange time `until` (seconds); returns the trade count.
  int run_until(double until, double rate) {
    int trades = 0;
    for (double next = now_ + random_.exponential(rate); next < until; next += random_.exponential(rate)) {
      now_ = next;
      detector_.on_trade(trade_at(now_, random_.lognormal(0.0, 0.5)), sink_);
      ++trades;
    }
    now_ = until;
    return trades;
  }

 private:
  VolumeSpikeDetector& detector_;
  RecordingSink& sink_;
  Random random_;
  double now_ = kStart;
};

TEST(VolumeSpikeDetector, EmitsNothingBeforeMinSamplesClosedBuckets) {
  VolumeSpikeDetector detector(VolumeSpikeDetector::Options{.interval = 10s});  // 20 buckets needed
  RecordingSink sink;
  for (int second = 0; second < 200; ++second) {
    detector.on_trade(trade_at(kStart + second, 1.0), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  // The first trade of bucket 20 closes bucket 19, the 20th closed bucket.
  detector.on_trade(trade_at(kStart + 200, 1.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "trade volume per interval");
  EXPECT_EQ(sink.observations[0].observed, 1.0);
  EXPECT_EQ(sink.observations[0].time, at_seconds(kStart + 200));
}

TEST(VolumeSpikeDetector, StaysQuietOnStationaryPoissonLognormalVolume) {
  VolumeSpikeDetector detector(VolumeSpikeDetector::Options{});
  RecordingSink sink;
  PoissonMarket market(detector, sink, 11);
  const int trades = market.run_until(kStart + 50'000, 2.0);  // 5000 buckets of ~20 trades
  EXPECT_GT(trades, 90'000);
  EXPECT_GT(sink.observations.size(), 90'000u);
  EXPECT_LT(sink.max_ratio(), 1.0);
}

TEST(VolumeSpikeDetector, FiresOnBurstBeforeItsFirstBucketCloses) {
  VolumeSpikeDetector detector(VolumeSpikeDetector::Options{});
  RecordingSink sink;
  PoissonMarket market(detector, sink, 13);
  const double burst_start = kStart + 1000;  // the start of a bucket
  market.run_until(burst_start, 2.0);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_LT(sink.max_ratio(), 1.0);
  const std::size_t before = sink.observations.size();
  market.run_until(burst_start + 10, 40.0);  // x20 the usual rate for one bucket
  const Observation* first_alarm = nullptr;
  for (std::size_t i = before; i < sink.observations.size(); ++i) {
    if (sink.observations[i].ratio >= 1.0) {
      first_alarm = &sink.observations[i];
      break;
    }
  }
  ASSERT_NE(first_alarm, nullptr);
  EXPECT_LT(first_alarm->time, at_seconds(burst_start + 10));
  EXPECT_GT(first_alarm->score, 0.5);
  EXPECT_GE(first_alarm->observed, first_alarm->expected_high);
}

TEST(VolumeSpikeDetector, DoesNotFireOnDropToZero) {
  VolumeSpikeDetector detector(VolumeSpikeDetector::Options{});
  RecordingSink sink;
  PoissonMarket market(detector, sink, 14);
  market.run_until(kStart + 1000, 2.0);
  const std::size_t before = sink.observations.size();
  // Trading goes on, but every trade is for nothing.
  for (int second = 1000; second < 1300; ++second) {
    detector.on_trade(trade_at(kStart + second, 0.0), sink);
  }
  ASSERT_EQ(sink.observations.size(), before + 300);
  for (std::size_t i = before; i < sink.observations.size(); ++i) {
    EXPECT_EQ(sink.observations[i].ratio, 0.0);
    EXPECT_EQ(sink.observations[i].score, 0.0);
    EXPECT_EQ(sink.observations[i].observed, 0.0);
  }
}

TEST(VolumeSpikeDetector, HandlesGapLongerThanWindow) {
  VolumeSpikeDetector detector(VolumeSpikeDetector::Options{.interval = 10s, .threshold = 5.0});
  RecordingSink sink;
  PoissonMarket market(detector, sink, 15);
  market.run_until(kStart + 1000, 2.0);
  // Silent for ten years of 10 s buckets: the window just fills with zeros.
  const double after_gap = kStart + 1000 + 10.0 * 365 * 24 * 3600 + 3;
  detector.on_trade(trade_at(after_gap, 0.5), sink);
  const Observation& observation = sink.observations.back();
  EXPECT_EQ(observation.time, at_seconds(after_gap));
  EXPECT_EQ(observation.observed, 0.5);
  // Median 0 and MAD 0, so sigma is the floor.
  const double sigma = VolumeSpikeDetector::kMinRobustSigma;
  EXPECT_EQ(observation.expected_low, 0.0);
  EXPECT_NEAR(observation.expected_high, std::expm1(5.0 * sigma), 1e-12);
  EXPECT_NEAR(observation.ratio, std::log1p(0.5) / sigma / 5.0, 1e-12);
}

TEST(VolumeSpikeDetector, CountsEmptyBucketsAsZero) {
  VolumeSpikeDetector detector(
      VolumeSpikeDetector::Options{.interval = 10s, .window = 5, .min_samples = 4, .threshold = 5.0});
  RecordingSink sink;
  detector.on_trade(trade_at(kStart + 1, std::expm1(1.0)), sink);   // bucket 0: log1p = 1
  detector.on_trade(trade_at(kStart + 11, std::expm1(2.0)), sink);  // bucket 1: log1p = 2
  // bucket 2 has no trade
  detector.on_trade(trade_at(kStart + 31, std::expm1(3.0)), sink);  // bucket 3: log1p = 3
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(kStart + 41, 0.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  // Baseline {1, 2, 0, 3}: median 1.5, deviations {0.5, 0.5, 1.5, 1.5}, MAD 1.
  const double median = 1.5;
  const double sigma = VolumeSpikeDetector::kMadToSigma * 1.0;
  EXPECT_NEAR(sink.observations[0].expected_high, std::expm1(median + 5.0 * sigma), 1e-9);
  EXPECT_EQ(sink.observations[0].expected_low, 0.0);
}

TEST(VolumeSpikeDetector, AlignsBucketsOnIntervalBoundaries) {
  VolumeSpikeDetector detector(
      VolumeSpikeDetector::Options{.interval = 10s, .window = 3, .min_samples = 1, .threshold = 5.0});
  RecordingSink sink;
  // The first trade lands mid-bucket; its bucket still ends at the next multiple of 10 s.
  detector.on_trade(trade_at(kStart + 7, 1.0), sink);
  detector.on_trade(trade_at(kStart + 9.999, 2.0), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(kStart + 10, 4.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(sink.observations[0].observed, 4.0);  // only the new bucket's volume
  // The closed bucket held 1 + 2 = 3, so the median is log1p(3).
  const double sigma = VolumeSpikeDetector::kMinRobustSigma;
  EXPECT_NEAR(sink.observations[0].expected_high, std::expm1(std::log1p(3.0) + 5.0 * sigma), 1e-9);
  detector.on_trade(trade_at(kStart + 19.999, 1.0), sink);
  EXPECT_EQ(sink.observations.back().observed, 5.0);
  detector.on_trade(trade_at(kStart + 20, 0.25), sink);
  EXPECT_EQ(sink.observations.back().observed, 0.25);
}

TEST(VolumeSpikeDetector, AlignsBucketsBeforeTheEpoch) {
  VolumeSpikeDetector detector(
      VolumeSpikeDetector::Options{.interval = 10s, .window = 3, .min_samples = 1, .threshold = 5.0});
  RecordingSink sink;
  detector.on_trade(trade_at(-0.5, 1.0), sink);  // bucket [-10, 0)
  detector.on_trade(trade_at(-9.5, 1.0), sink);  // same bucket
  EXPECT_TRUE(sink.observations.empty());
  detector.on_trade(trade_at(0.0, 1.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_EQ(sink.observations[0].observed, 1.0);
}

TEST(VolumeSpikeDetector, LateTradeCountsTowardsCurrentBucket) {
  VolumeSpikeDetector detector(
      VolumeSpikeDetector::Options{.interval = 10s, .window = 3, .min_samples = 1, .threshold = 5.0});
  RecordingSink sink;
  detector.on_trade(trade_at(kStart + 5, 1.0), sink);
  detector.on_trade(trade_at(kStart + 15, 1.0), sink);
  detector.on_trade(trade_at(kStart + 8, 2.0), sink);  // stamped in the closed bucket
  ASSERT_EQ(sink.observations.size(), 2u);
  EXPECT_EQ(sink.observations.back().observed, 3.0);
}

TEST(VolumeSpikeDetector, IgnoresInvalidTrades) {
  VolumeSpikeDetector detector(
      VolumeSpikeDetector::Options{.interval = 10s, .window = 3, .min_samples = 1, .threshold = 5.0});
  RecordingSink sink;
  detector.on_trade(trade_at(kStart + 1, 1.0), sink);
  detector.on_trade(trade_at(kStart + 11, 1.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double quantity : {nan, inf, -inf, -1.0}) detector.on_trade(trade_at(kStart + 12, quantity), sink);
  for (double price : {nan, inf, 0.0, -5.0}) detector.on_trade(trade_at(kStart + 12, 100.0, price), sink);
  // An invalid trade must not open a new bucket either.
  detector.on_trade(trade_at(kStart + 25, 100.0, nan), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
  detector.on_trade(trade_at(kStart + 13, 1.0), sink);
  ASSERT_EQ(sink.observations.size(), 2u);
  EXPECT_EQ(sink.observations.back().observed, 2.0);
}

TEST(VolumeSpikeDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = VolumeSpikeDetector::descriptor();
  EXPECT_EQ(descriptor.name, "volume_spike");
  ParamValues params;
  params.set("interval", 2);
  params.set("window", 5);
  params.set("min_samples", 3);
  params.set("threshold", 4);
  const VolumeSpikeDetector::Options options = VolumeSpikeDetector::options_from(params);
  EXPECT_EQ(options.interval, 2s);
  EXPECT_EQ(options.window, 5u);
  EXPECT_EQ(options.min_samples, 3u);
  EXPECT_EQ(options.threshold, 4.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  for (int second = 0; second < 6; ++second) detector->on_trade(trade_at(kStart + second, 1.0), sink);
  EXPECT_TRUE(sink.observations.empty());  // buckets 0, 1 closed
  detector->on_trade(trade_at(kStart + 6, 1.0), sink);
  EXPECT_EQ(sink.observations.size(), 1u);  // bucket 2 closed: 3 samples
}

}  // namespace
}  // namespace tickguard
