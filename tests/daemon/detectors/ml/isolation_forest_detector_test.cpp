#include "detectors/ml/isolation_forest_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <vector>

#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::Random;
using testing::RecordingSink;

constexpr double kStart = 1'700'000'000;

Timestamp at_seconds(double seconds) {
  return Timestamp(std::chrono::round<Duration>(std::chrono::duration<double>(seconds)));
}

Trade trade_at(double seconds, double price, double quantity) {
  Trade trade;
  trade.exchange_time = at_seconds(seconds);
  trade.price = price;
  trade.quantity = quantity;
  return trade;
}

Ticker ticker_at(double seconds, double bid, double ask) {
  Ticker ticker;
  ticker.exchange_time = at_seconds(seconds);
  ticker.bid_price = bid;
  ticker.ask_price = ask;
  ticker.bid_size = 1;
  ticker.ask_size = 1;
  return ticker;
}

BookSnapshot book_at(double seconds, double mid, double bid_size, double ask_size, int levels = 5) {
  BookSnapshot book;
  book.exchange_time = at_seconds(seconds);
  book.bid_count = static_cast<std::uint8_t>(levels);
  book.ask_count = static_cast<std::uint8_t>(levels);
  for (int i = 0; i < levels; ++i) {
    book.bids[i] = {mid * (1 - 1e-4 * (i + 1)), bid_size};
    book.asks[i] = {mid * (1 + 1e-4 * (i + 1)), ask_size};
  }
  return book;
}

// A clean market, one second at a time: Poisson trades (5/s) on a random walk (1 bp per trade),
// lognormal sizes, a ticker with a ~2 bp spread and a 5-level book with lognormal sizes per second.
class Market {
 public:
  Market(IsolationForestDetector& detector, RecordingSink& sink, std::uint64_t seed)
      : detector_(detector), sink_(sink), random_(seed) {}

  void run_seconds(int seconds) {
    for (int i = 0; i < seconds; ++i) normal_second();
  }

  void normal_second() {
    const double begin = now_;
    for (double t = begin + random_.exponential(kTradeRate); t < begin + 1;
         t += random_.exponential(kTradeRate)) {
      price_ *= std::exp(1e-4 * random_.gaussian());
      detector_.on_trade(trade_at(t, price_, random_.lognormal(0.0, 0.5)), sink_);
    }
    const double half_spread = 1e-4 * (1 + 0.25 * (2 * random_.uniform() - 1));
    detector_.on_ticker(ticker_at(begin + 0.5, price_ * (1 - half_spread), price_ * (1 + half_spread)),
                        sink_);
    detector_.on_book(book_at(begin + 0.9, price_, random_.lognormal(0, 0.5), random_.lognormal(0, 0.5)),
                      sink_);
    now_ = begin + 1;
  }

  // A flash crash inside one second: 60 trades take the price down `drop`, three times the usual
  // sizes, a spread ten times as wide and an ask-heavy book.
  void crash_second(double drop = 0.03) {
    const double begin = now_;
    const double target = price_ * (1 - drop);
    for (int i = 0; i < 60; ++i) {
      price_ = price_ + (target - price_) / (60 - i);
      detector_.on_trade(trade_at(begin + i / 60.0, price_, 3 * random_.lognormal(0.0, 0.5)), sink_);
    }
    detector_.on_ticker(ticker_at(begin + 0.5, price_ * (1 - 1e-3), price_ * (1 + 1e-3)), sink_);
    detector_.on_book(book_at(begin + 0.9, price_, 0.1, 5.0), sink_);
    now_ = begin + 1;
  }

  // Closes the bucket in progress with a ticker of the next second.
  void flush() { detector_.on_ticker(ticker_at(now_ + 0.001, price_ * 0.9999, price_ * 1.0001), sink_); }

  double now() const { return now_; }
  double price() const { return price_; }

 private:
  static constexpr double kTradeRate = 5.0;
  IsolationForestDetector& detector_;
  RecordingSink& sink_;
  Random random_;
  double price_ = 100.0;
  double now_ = kStart;
};

double alarm_fraction(const RecordingSink& sink, std::size_t from = 0) {
  std::size_t alarms = 0;
  for (std::size_t i = from; i < sink.observations.size(); ++i) alarms += sink.observations[i].ratio >= 1.0;
  return static_cast<double>(alarms) / static_cast<double>(sink.observations.size() - from);
}

// One trade per second at the middle of each second, so every bucket has exactly one trade.
void steady_trade(IsolationForestDetector& detector, RecordingSink& sink, int second, double price = 100.0) {
  detector.on_trade(trade_at(kStart + second + 0.5, price, 1.0), sink);
}

TEST(IsolationForestDetector, EmitsNothingDuringWarmup) {
  IsolationForestDetector detector(IsolationForestDetector::Options{.window = 20});
  RecordingSink sink;
  Random random(1);
  // Bucket 0 only sets the reference price; buckets 1..20 are the warm-up window. The trade of
  // second 21 closes bucket 20 and completes the warm-up.
  for (int second = 0; second <= 21; ++second) {
    steady_trade(detector, sink, second, 100.0 * std::exp(1e-4 * random.gaussian()));
  }
  EXPECT_TRUE(detector.warmed_up());
  EXPECT_TRUE(sink.observations.empty());
  steady_trade(detector, sink, 22, 100.0);
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& first = sink.observations[0];
  EXPECT_STREQ(first.quantity, "half-space mass of the bucket");
  EXPECT_EQ(first.time, at_seconds(kStart + 22.5));
  EXPECT_GT(first.expected_low, 0.0);
  EXPECT_GE(first.expected_high, first.expected_low);
}

TEST(IsolationForestDetector, StaysQuietOnCleanMarket) {
  // About 105k events (15k one-second buckets) per seed.
  for (std::uint64_t seed : {101, 102}) {
    IsolationForestDetector detector(IsolationForestDetector::Options{.seed = seed});
    RecordingSink sink;
    Market market(detector, sink, seed);
    market.run_seconds(15'000);
    ASSERT_GT(sink.observations.size(), 14'000u);
    const double fraction = alarm_fraction(sink);
    std::printf("seed %llu: %zu buckets scored, false-positive rate %.5f, max ratio %.3f\n",
                static_cast<unsigned long long>(seed), sink.observations.size(), fraction, sink.max_ratio());
    EXPECT_LE(fraction, 5e-4);
    for (const Observation& observation : sink.observations) {
      ASSERT_TRUE(std::isfinite(observation.ratio));
      ASSERT_TRUE(std::isfinite(observation.observed));
    }
  }
}

void expect_crash_flagged(const IsolationForestDetector::Options& options, std::uint64_t seed) {
  IsolationForestDetector detector(options);
  RecordingSink sink;
  Market market(detector, sink, seed);
  market.run_seconds(1000);
  ASSERT_FALSE(sink.observations.empty());
  const double crash_start = market.now();
  market.crash_second();
  market.flush();
  const Observation& crash = sink.observations.back();
  EXPECT_EQ(crash.time, at_seconds(crash_start + 1.001));  // closed by the flushing ticker
  EXPECT_GE(crash.ratio, 2.0);
  EXPECT_GT(crash.score, 0.9);
  EXPECT_LT(crash.observed, crash.expected_low);
  EXPECT_LE(crash.expected_low, crash.expected_high);
  EXPECT_NEAR(crash.ratio * crash.observed, crash.expected_low, 1e-9 * crash.expected_low);
}

TEST(IsolationForestDetector, FlagsFlashCrashBucket) {
  // Threshold 20: this one-second crash is isolated 60-240 times below the calibration quantile,
  // short of the daemon's default of 300, which is set for the simulator's heavier-tailed buckets.
  expect_crash_flagged(IsolationForestDetector::Options{.threshold = 20}, 7);
  expect_crash_flagged(IsolationForestDetector::Options{.seed = 99, .threshold = 20}, 8);
}

TEST(IsolationForestDetector, FlagsFlashCrashWithShingle) {
  expect_crash_flagged(IsolationForestDetector::Options{.shingle = 3, .threshold = 20}, 9);
}

TEST(IsolationForestDetector, ConstantMarketGivesFiniteQuietScores) {
  IsolationForestDetector detector(IsolationForestDetector::Options{.window = 50});
  RecordingSink sink;
  for (int second = 0; second < 2000; ++second) {
    steady_trade(detector, sink, second);
    detector.on_ticker(ticker_at(kStart + second + 0.6, 99.99, 100.01), sink);
    detector.on_book(book_at(kStart + second + 0.7, 100.0, 1.0, 1.0), sink);
  }
  ASSERT_GT(sink.observations.size(), 1900u);
  for (const Observation& observation : sink.observations) {
    ASSERT_TRUE(std::isfinite(observation.ratio));
    ASSERT_TRUE(std::isfinite(observation.score));
    ASSERT_TRUE(std::isfinite(observation.observed));
    ASSERT_TRUE(std::isfinite(observation.expected_low));
    ASSERT_TRUE(std::isfinite(observation.expected_high));
  }
  EXPECT_LT(sink.max_ratio(), 1.0);
}

TEST(IsolationForestDetector, NoTradesMeansNoObservations) {
  IsolationForestDetector detector(IsolationForestDetector::Options{.window = 20});
  RecordingSink sink;
  for (int second = 0; second < 500; ++second) {
    detector.on_ticker(ticker_at(kStart + second, 99.99, 100.01), sink);
    detector.on_book(book_at(kStart + second + 0.5, 100.0, 1.0, 2.0), sink);
  }
  EXPECT_FALSE(detector.warmed_up());
  EXPECT_TRUE(sink.observations.empty());
}

TEST(IsolationForestDetector, IgnoresInvalidEvents) {
  const IsolationForestDetector::Options options{.window = 30};
  IsolationForestDetector clean(options);
  IsolationForestDetector dirty(options);
  RecordingSink clean_sink;
  RecordingSink dirty_sink;
  Market clean_market(clean, clean_sink, 21);
  Market dirty_market(dirty, dirty_sink, 21);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (int second = 0; second < 300; ++second) {
    clean_market.normal_second();
    dirty_market.normal_second();
    // Stamped far ahead: had any of them been accepted, it would have closed the bucket.
    const double later = dirty_market.now() + 5000;
    for (double price : {nan, inf, 0.0, -1.0}) dirty.on_trade(trade_at(later, price, 1.0), dirty_sink);
    for (double quantity : {nan, inf, -1.0}) dirty.on_trade(trade_at(later, 100.0, quantity), dirty_sink);
    dirty.on_ticker(ticker_at(later, 100.1, 99.9), dirty_sink);  // crossed
    dirty.on_ticker(ticker_at(later, nan, 100.0), dirty_sink);
    dirty.on_ticker(ticker_at(later, 0.0, 100.0), dirty_sink);
    dirty.on_ticker(ticker_at(later, 99.0, inf), dirty_sink);
    dirty.on_book(book_at(later, 100.0, nan, 1.0), dirty_sink);
    dirty.on_book(book_at(later, 100.0, -1.0, 1.0), dirty_sink);
    dirty.on_book(book_at(later, 100.0, 1.0, 1.0, 0), dirty_sink);  // no levels
  }
  ASSERT_FALSE(clean_sink.observations.empty());
  ASSERT_EQ(dirty_sink.observations.size(), clean_sink.observations.size());
  for (std::size_t i = 0; i < clean_sink.observations.size(); ++i) {
    EXPECT_EQ(dirty_sink.observations[i].time, clean_sink.observations[i].time);
    EXPECT_EQ(dirty_sink.observations[i].ratio, clean_sink.observations[i].ratio);
  }
}

TEST(IsolationForestDetector, SameSeedSameScoresOtherSeedOtherTrees) {
  const auto run = [](std::uint64_t seed) {
    IsolationForestDetector detector(IsolationForestDetector::Options{.window = 50, .seed = seed});
    RecordingSink sink;
    Market market(detector, sink, 31);
    market.run_seconds(300);
    std::vector<double> masses;
    for (const Observation& observation : sink.observations) masses.push_back(observation.observed);
    return masses;
  };
  const std::vector<double> first = run(5);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(run(5), first);
  EXPECT_NE(run(6), first);
}

TEST(IsolationForestDetector, AdaptsToLastingRegimeChange) {
  IsolationForestDetector detector(IsolationForestDetector::Options{.window = 100, .threshold = 20});
  RecordingSink sink;
  Random random(41);
  double price = 100.0;
  int second = 0;
  const auto run = [&](int seconds, double size, double spread) {
    for (int end = second + seconds; second < end; ++second) {
      price *= std::exp(1e-4 * random.gaussian());
      detector.on_trade(trade_at(kStart + second + 0.2, price, size * random.lognormal(0, 0.5)), sink);
      const double half = spread * (1 + 0.25 * (2 * random.uniform() - 1));
      detector.on_ticker(ticker_at(kStart + second + 0.5, price * (1 - half), price * (1 + half)), sink);
    }
  };
  run(500, 1.0, 1e-4);
  const std::size_t shift = sink.observations.size();
  run(500, 30.0, 1e-3);  // trades 30 times as large and a tenfold spread, from now on
  ASSERT_GT(sink.observations.size(), shift + 400);
  EXPECT_GE(sink.observations[shift + 1].ratio, 1.0);
  // Two windows later the new regime is the reference and nothing alarms.
  double late_max = 0;
  for (std::size_t i = shift + 250; i < sink.observations.size(); ++i) {
    late_max = std::max(late_max, sink.observations[i].ratio);
  }
  EXPECT_LT(late_max, 1.0);
}

TEST(IsolationForestDetector, MemoryStaysBoundedOverMillionEvents) {
  IsolationForestDetector detector(IsolationForestDetector::Options{.trees = 5, .depth = 6, .window = 50});
  RecordingSink sink;
  const std::size_t bytes = detector.memory_bytes();
  Random random(51);
  double price = 100.0;
  // 1M trades, 50 per one-second bucket: 20k scored buckets and 400 window swaps.
  for (int i = 0; i < 1'000'000; ++i) {
    price *= std::exp(1e-5 * random.gaussian());
    detector.on_trade(trade_at(kStart + i / 50.0, price, 1.0 + random.uniform()), sink);
  }
  EXPECT_GT(sink.observations.size(), 19'000u);
  EXPECT_EQ(detector.memory_bytes(), bytes);
  // Forest: 5 trees x (127 node counters x 2 windows + 63 splits), plus 4 buffers of ~window values.
  EXPECT_LT(bytes, 20'000u);
}

TEST(IsolationForestDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = IsolationForestDetector::descriptor();
  EXPECT_EQ(descriptor.name, "isolation_forest");
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_GE(spec.max, spec.default_value) << spec.name;
  }
  ParamValues params;
  params.set("interval", 2);
  params.set("trees", 10);
  params.set("depth", 6);
  params.set("window", 20);
  params.set("shingle", 2);
  params.set("seed", 7);
  params.set("calibration_quantile", 0.1);
  params.set("threshold", 8);
  params.set("book_levels", 3);
  const IsolationForestDetector::Options options = IsolationForestDetector::options_from(params);
  EXPECT_EQ(options.interval, 2s);
  EXPECT_EQ(options.trees, 10u);
  EXPECT_EQ(options.depth, 6u);
  EXPECT_EQ(options.window, 20u);
  EXPECT_EQ(options.shingle, 2u);
  EXPECT_EQ(options.seed, 7u);
  EXPECT_EQ(options.calibration_quantile, 0.1);
  EXPECT_EQ(options.threshold, 8.0);
  EXPECT_EQ(options.book_levels, 3u);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  // 2 s buckets: bucket 0 sets the price, buckets 1..20 warm up, bucket 21 is the first scored.
  for (int second = 0; second <= 42; ++second) {
    detector->on_trade(trade_at(kStart + second, 100.0 + 0.01 * (second % 3), 1.0), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  detector->on_trade(trade_at(kStart + 44, 100.0, 1.0), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
}

TEST(IsolationForestDetector, OptionsFromKeepsDefaultsForMissingParams) {
  const IsolationForestDetector::Options defaults;
  ParamValues params;
  params.set("threshold", 30);
  const IsolationForestDetector::Options options = IsolationForestDetector::options_from(params);
  EXPECT_EQ(options.threshold, 30.0);
  EXPECT_EQ(options.interval, defaults.interval);
  EXPECT_EQ(options.trees, defaults.trees);
  EXPECT_EQ(options.depth, defaults.depth);
  EXPECT_EQ(options.window, defaults.window);
  EXPECT_EQ(options.shingle, defaults.shingle);
  EXPECT_EQ(options.seed, defaults.seed);
  EXPECT_EQ(options.calibration_quantile, defaults.calibration_quantile);
  EXPECT_EQ(options.book_levels, defaults.book_levels);
}

}  // namespace
}  // namespace tickguard
