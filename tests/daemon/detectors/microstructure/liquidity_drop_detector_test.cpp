#include "detectors/microstructure/liquidity_drop_detector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "tests/daemon/detectors/microstructure/microstructure_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::at_seconds;
using testing::BookMarket;
using testing::kStartSeconds;
using testing::make_book;
using testing::RecordingSink;
using testing::SummarySink;

LiquidityDropDetector::Options small_options() {
  return LiquidityDropDetector::Options{
      .depth_band = 0.005, .sample_interval = 1s, .window = 50, .min_samples = 20, .drop_factor = 5.0};
}

// Ten levels a side of `size` each around mid 100; the default band holds five a side, whose
// offsets from the mid cancel: 5 * 2 * 100 * size of quote notional.
BookSnapshot even_book(double seconds, double size = 1.0) {
  return make_book(seconds, 100.0, BookSnapshot::kMaxDepth, size);
}

// Runs `count` books of a BookMarket through the detector.
void run(LiquidityDropDetector& detector, BookMarket& market, ObservationSink& sink, int count) {
  for (int i = 0; i < count; ++i) detector.on_book(market.next(), sink);
}

TEST(LiquidityDropDetector, EmitsNothingUntilMinSamplesIntervalsAreSampled) {
  LiquidityDropDetector detector(small_options());
  RecordingSink sink;
  // Ten books a second from second 0 to second 19: one sample per second, the 20th at second 19.
  for (int tenth = 0; tenth <= 190; ++tenth) detector.on_book(even_book(kStartSeconds + tenth / 10.0), sink);
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.baseline_count(), 20u);
  detector.on_book(even_book(kStartSeconds + 19.1), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& observation = sink.observations[0];
  EXPECT_STREQ(observation.quantity, "quote depth within band");
  EXPECT_EQ(observation.time, at_seconds(kStartSeconds + 19.1));
  EXPECT_NEAR(observation.observed, 1000.0, 1e-9);
  EXPECT_NEAR(observation.expected_low, 1000.0 / 5, 1e-9);
  EXPECT_NEAR(observation.expected_high, 1000.0 * 5, 1e-9);
  EXPECT_NEAR(observation.ratio, 1.0 / 5, 1e-12);  // depth at its median: a fifth of the way
}

TEST(LiquidityDropDetector, CountsOnlyLevelsWithinTheBand) {
  LiquidityDropDetector::Options options = small_options();
  options.depth_band = 0.0021;  // levels at 0.005%, 0.105% and 0.205% from the mid, per side
  options.min_samples = 10;
  LiquidityDropDetector detector(options);
  RecordingSink sink;
  for (int second = 0; second <= 10; ++second) detector.on_book(even_book(kStartSeconds + second, 2.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_NEAR(sink.observations[0].observed, 3 * 2 * 100.0 * 2.0, 1e-9);
}

TEST(LiquidityDropDetector, StaysQuietOnLognormalLevelSizes) {
  LiquidityDropDetector detector(LiquidityDropDetector::Options{});
  SummarySink sink;
  BookMarket market(31);
  run(detector, market, sink, 100'000);
  EXPECT_GT(sink.count, 99'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  EXPECT_GT(sink.max_ratio, 0.3);  // the noise registers, it just never crosses the threshold
  EXPECT_EQ(sink.non_finite, 0u);
}

TEST(LiquidityDropDetector, FiresWhenDepthCollapses) {
  LiquidityDropDetector detector(LiquidityDropDetector::Options{});
  RecordingSink sink;
  BookMarket market(32);
  run(detector, market, sink, 3000);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_LT(sink.max_ratio(), 1.0);
  detector.on_book(market.next(0.05, 0.05), sink);  // both sides pull 95% of their size
  const Observation& drop = sink.observations.back();
  EXPECT_GE(drop.ratio, 1.0);
  EXPECT_GT(drop.score, 0.5);
  EXPECT_LT(drop.observed, drop.expected_low);
  EXPECT_NEAR(drop.ratio, drop.expected_low / drop.observed, 1e-9);
}

TEST(LiquidityDropDetector, FiresWhenLiquidityLeavesTheBand) {
  LiquidityDropDetector detector(LiquidityDropDetector::Options{});
  RecordingSink sink;
  BookMarket market(33);
  run(detector, market, sink, 3000);
  // Same sizes, but every level now sits over 1% from the mid: nothing is left within 0.5%.
  BookSnapshot book = make_book(market.now() + 0.1, 100.0, BookSnapshot::kMaxDepth, 1.0, 0.01);
  detector.on_book(book, sink);
  const Observation& drop = sink.observations.back();
  EXPECT_EQ(drop.observed, 0.0);
  EXPECT_TRUE(std::isfinite(drop.ratio));
  EXPECT_NEAR(drop.ratio, 1.0 / LiquidityDropDetector::kMinDepthFraction / 5.0, 1e-6);
  EXPECT_EQ(drop.score, 1.0);
}

TEST(LiquidityDropDetector, KeepsFiringThroughALastingCollapseAndRecovers) {
  LiquidityDropDetector detector(LiquidityDropDetector::Options{});
  SummarySink sink;
  BookMarket market(34);
  run(detector, market, sink, 3000);
  // 60 s at a twentieth of the usual size: each second's sample enters clamped to the band.
  std::size_t dropped = 0;
  for (int i = 0; i < 600; ++i) {
    detector.on_book(market.next(0.05, 0.05), sink);
    if (sink.last.ratio >= 1.0) ++dropped;
  }
  EXPECT_EQ(dropped, 600u);
  const std::size_t alarms = sink.alarms;
  run(detector, market, sink, 100);
  EXPECT_EQ(sink.alarms, alarms);
}

TEST(LiquidityDropDetector, ThickerBookIsNotADrop) {
  LiquidityDropDetector detector(LiquidityDropDetector::Options{});
  RecordingSink sink;
  BookMarket market(35);
  run(detector, market, sink, 3000);
  detector.on_book(market.next(20.0, 20.0), sink);
  const Observation& observation = sink.observations.back();
  EXPECT_LT(observation.ratio, 0.05);
  EXPECT_GT(observation.observed, observation.expected_high);
}

TEST(LiquidityDropDetector, ConstantAndEmptyBooksGiveNoNanAndNoAlarm) {
  for (double size : {1.0, 0.0}) {
    LiquidityDropDetector detector(LiquidityDropDetector::Options{});
    RecordingSink sink;
    for (int i = 0; i < 2000; ++i) detector.on_book(even_book(kStartSeconds + i * 0.1, size), sink);
    ASSERT_FALSE(sink.observations.empty());
    for (const Observation& observation : sink.observations) {
      EXPECT_TRUE(std::isfinite(observation.ratio));
      EXPECT_TRUE(std::isfinite(observation.score));
      EXPECT_TRUE(std::isfinite(observation.expected_low));
      EXPECT_TRUE(std::isfinite(observation.expected_high));
      EXPECT_LT(observation.ratio, 1.0);
      EXPECT_LE(observation.expected_low, observation.expected_high);
    }
    // A book that never had depth in the band has nothing to lose.
    if (size == 0.0) {
      EXPECT_EQ(sink.max_ratio(), 0.0);
    }
  }
}

TEST(LiquidityDropDetector, IgnoresInvalidBooks) {
  LiquidityDropDetector detector(small_options());
  RecordingSink sink;
  for (int second = 0; second < 19; ++second) detector.on_book(even_book(kStartSeconds + second), sink);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<BookSnapshot> invalid;
  BookSnapshot book = even_book(0);
  book.bid_count = 0;  // one-sided: no mid
  invalid.push_back(book);
  book = even_book(0);
  book.ask_count = 0;
  invalid.push_back(book);
  book = even_book(0);
  book.ask_count = BookSnapshot::kMaxDepth + 1;
  invalid.push_back(book);
  for (double price : {nan, inf, 0.0, -1.0}) {
    book = even_book(0);
    book.bids[3].price = price;
    invalid.push_back(book);
  }
  for (double size : {nan, inf, -1.0}) {
    book = even_book(0);
    book.asks[7].size = size;
    invalid.push_back(book);
  }
  book = even_book(0);
  book.bids[0].price = book.asks[0].price;  // locked top
  invalid.push_back(book);
  double seconds = kStartSeconds + 19;
  for (BookSnapshot snapshot : invalid) {
    snapshot.exchange_time = at_seconds(seconds++);
    detector.on_book(snapshot, sink);
  }
  // Invalid books are neither scored nor sampled: the baseline still waits for its 20th sample.
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.baseline_count(), 19u);
  detector.on_book(even_book(seconds++), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector.on_book(even_book(seconds++), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_NEAR(sink.observations[0].observed, 1000.0, 1e-9);
}

TEST(LiquidityDropDetector, MemoryStaysBoundedOverAMillionBooks) {
  LiquidityDropDetector detector(LiquidityDropDetector::Options{});
  SummarySink sink;
  // Books drawn once and cycled, to keep a million books cheap in a debug build.
  BookMarket market(36);
  std::vector<BookSnapshot> books;
  for (int i = 0; i < 1024; ++i) books.push_back(market.next());
  for (int i = 0; i < 1'000'000; ++i) {
    BookSnapshot& book = books[static_cast<std::size_t>(i) % books.size()];
    book.exchange_time = at_seconds(kStartSeconds + i * 0.1);
    detector.on_book(book, sink);
  }
  EXPECT_EQ(detector.baseline_capacity(), 300u);
  EXPECT_EQ(detector.baseline_count(), 300u);
  EXPECT_GT(sink.count, 999'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_EQ(sink.non_finite, 0u);
  EXPECT_EQ(sink.scores_out_of_range, 0u);
}

TEST(LiquidityDropDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = LiquidityDropDetector::descriptor();
  EXPECT_EQ(descriptor.name, "liquidity_drop");
  ASSERT_EQ(descriptor.params.size(), 5u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_GE(spec.default_value, spec.min) << spec.name;
    EXPECT_LE(spec.default_value, spec.max) << spec.name;
  }
  EXPECT_EQ(descriptor.params[1].kind, ParamKind::kDuration);
  ParamValues params;
  params.set("depth_band", 0.0021);
  params.set("sample_interval", 2);
  params.set("window", 10);
  params.set("min_samples", 5);
  params.set("drop_factor", 3);
  const LiquidityDropDetector::Options options = LiquidityDropDetector::options_from(params);
  EXPECT_EQ(options.depth_band, 0.0021);
  EXPECT_EQ(options.sample_interval, 2s);
  EXPECT_EQ(options.window, 10u);
  EXPECT_EQ(options.min_samples, 5u);
  EXPECT_EQ(options.drop_factor, 3.0);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  // One book a second, sampled every other second: the fifth sample at second 8.
  for (int second = 0; second <= 8; ++second) detector->on_book(even_book(kStartSeconds + second), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector->on_book(even_book(kStartSeconds + 9), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_NEAR(sink.observations[0].observed, 600.0, 1e-9);  // three levels a side in the band
  EXPECT_NEAR(sink.observations[0].ratio, 1.0 / 3, 1e-12);
}

TEST(LiquidityDropDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("drop_factor", 8);
  const LiquidityDropDetector::Options options = LiquidityDropDetector::options_from(params);
  EXPECT_EQ(options.depth_band, 0.005);
  EXPECT_EQ(options.sample_interval, 1s);
  EXPECT_EQ(options.window, 300u);
  EXPECT_EQ(options.min_samples, 60u);
  EXPECT_EQ(options.drop_factor, 8.0);
}

}  // namespace
}  // namespace tickguard
