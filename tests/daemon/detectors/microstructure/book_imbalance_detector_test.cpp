#include "detectors/microstructure/book_imbalance_detector.h"

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

BookImbalanceDetector::Options small_options() {
  return BookImbalanceDetector::Options{.levels = 5,
                                        .sample_interval = 1s,
                                        .window = 50,
                                        .min_samples = 20,
                                        .threshold = 5.0,
                                        .min_imbalance = 0.5};
}

// Ten levels a side around mid 100, `bid_size` on every bid and `ask_size` on every ask.
BookSnapshot lopsided_book(double seconds, double bid_size, double ask_size) {
  BookSnapshot book = make_book(seconds, 100.0, BookSnapshot::kMaxDepth, 1.0);
  for (std::size_t i = 0; i < BookSnapshot::kMaxDepth; ++i) {
    book.bids[i].size = bid_size;
    book.asks[i].size = ask_size;
  }
  return book;
}

// Bid and ask notional of the top `levels` levels of a lopsided_book.
double expected_imbalance(double bid_size, double ask_size, std::size_t levels) {
  const BookSnapshot book = lopsided_book(0, bid_size, ask_size);
  double bids = 0;
  double asks = 0;
  for (std::size_t i = 0; i < levels; ++i) {
    bids += book.bids[i].price * book.bids[i].size;
    asks += book.asks[i].price * book.asks[i].size;
  }
  return (bids - asks) / (bids + asks);
}

void run(BookImbalanceDetector& detector, BookMarket& market, ObservationSink& sink, int count) {
  for (int i = 0; i < count; ++i) detector.on_book(market.next(), sink);
}

TEST(BookImbalanceDetector, EmitsNothingUntilMinSamplesIntervalsAreSampled) {
  BookImbalanceDetector detector(small_options());
  RecordingSink sink;
  // Ten books a second from second 0 to second 19: one sample per second, the 20th at second 19.
  for (int tenth = 0; tenth <= 190; ++tenth) {
    detector.on_book(lopsided_book(kStartSeconds + tenth / 10.0, 1.0, 1.0), sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.baseline_count(), 20u);
  detector.on_book(lopsided_book(kStartSeconds + 19.1, 1.0, 1.0), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const Observation& observation = sink.observations[0];
  EXPECT_STREQ(observation.quantity, "book imbalance");
  EXPECT_EQ(observation.time, at_seconds(kStartSeconds + 19.1));
  EXPECT_NEAR(observation.observed, expected_imbalance(1.0, 1.0, 5), 1e-12);
  EXPECT_LT(observation.ratio, 0.01);
  // A baseline of one shape has the stddev floor; the absolute floor widens the band further.
  EXPECT_NEAR(observation.expected_low, -0.5, 1e-12);
  EXPECT_NEAR(observation.expected_high, 0.5, 1e-12);
}

TEST(BookImbalanceDetector, SumsQuoteNotionalOfTheTopLevels) {
  for (std::size_t levels : {std::size_t{1}, std::size_t{5}, std::size_t{10}}) {
    BookImbalanceDetector::Options options = small_options();
    options.levels = levels;
    options.min_samples = 10;
    BookImbalanceDetector detector(options);
    RecordingSink sink;
    for (int second = 0; second <= 10; ++second) {
      detector.on_book(lopsided_book(kStartSeconds + second, 3.0, 1.0), sink);
    }
    ASSERT_EQ(sink.observations.size(), 1u);
    EXPECT_NEAR(sink.observations[0].observed, expected_imbalance(3.0, 1.0, levels), 1e-12) << levels;
    EXPECT_NEAR(sink.observations[0].observed, 0.5, 5e-3);  // prices differ a little per side
  }
  // Depth beyond the top levels does not count.
  BookImbalanceDetector::Options options = small_options();
  options.levels = 2;
  options.min_samples = 10;
  BookImbalanceDetector detector(options);
  RecordingSink sink;
  for (int second = 0; second <= 10; ++second) {
    BookSnapshot book = lopsided_book(kStartSeconds + second, 1.0, 1.0);
    book.bids[2].size = 1000.0;
    detector.on_book(book, sink);
  }
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_NEAR(sink.observations[0].observed, expected_imbalance(1.0, 1.0, 2), 1e-12);
}

TEST(BookImbalanceDetector, StaysQuietOnLognormalLevelSizes) {
  BookImbalanceDetector detector(BookImbalanceDetector::Options{});
  SummarySink sink;
  BookMarket market(41);
  run(detector, market, sink, 100'000);
  EXPECT_GT(sink.count, 98'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_LT(sink.max_ratio, 1.0);
  EXPECT_GT(sink.max_ratio, 0.3);  // the noise registers, it just never crosses the threshold
  EXPECT_EQ(sink.non_finite, 0u);
}

TEST(BookImbalanceDetector, FiresOnABidHeavyBook) {
  BookImbalanceDetector detector(BookImbalanceDetector::Options{});
  RecordingSink sink;
  BookMarket market(42);
  run(detector, market, sink, 3000);
  ASSERT_FALSE(sink.observations.empty());
  EXPECT_LT(sink.max_ratio(), 1.0);
  detector.on_book(market.next(1.0, 0.05), sink);  // the asks pull 95% of their size
  const Observation& observation = sink.observations.back();
  EXPECT_GE(observation.ratio, 1.0);
  EXPECT_GT(observation.score, 0.5);
  EXPECT_GT(observation.observed, 0.8);
  EXPECT_GT(observation.observed, observation.expected_high);
  EXPECT_LT(observation.expected_low, 0.0);
}

TEST(BookImbalanceDetector, FiresOnAnAskHeavyBook) {
  BookImbalanceDetector detector(BookImbalanceDetector::Options{});
  RecordingSink sink;
  BookMarket market(43);
  run(detector, market, sink, 3000);
  detector.on_book(market.next(0.05, 1.0), sink);
  const Observation& observation = sink.observations.back();
  EXPECT_GE(observation.ratio, 1.0);
  EXPECT_LT(observation.observed, -0.8);
  EXPECT_LT(observation.observed, observation.expected_low);
}

TEST(BookImbalanceDetector, AbsoluteFloorHoldsBackAMildLeanOfATightBook) {
  BookImbalanceDetector detector(small_options());
  RecordingSink sink;
  double seconds = kStartSeconds;
  for (int i = 0; i < 100; ++i) detector.on_book(lopsided_book(seconds++, 1.0, 1.0), sink);
  // atanh(0.3) is over six floor stddevs from a mean of ~0, but 0.3 is below min_imbalance.
  const double bid_size = (1 + 0.3) / (1 - 0.3);
  detector.on_book(lopsided_book(seconds++, bid_size, 1.0), sink);
  const Observation& mild = sink.observations.back();
  EXPECT_NEAR(mild.observed, 0.3, 5e-3);
  EXPECT_NEAR(mild.ratio, mild.observed / 0.5, 1e-12);
  EXPECT_LT(mild.observed, mild.expected_high);
  detector.on_book(lopsided_book(seconds++, 4.0, 1.0), sink);  // imbalance 0.6
  EXPECT_GE(sink.observations.back().ratio, 1.0);
  EXPECT_GT(sink.observations.back().observed, sink.observations.back().expected_high);
}

TEST(BookImbalanceDetector, SwingBackTowardsBalanceIsNotFlagged) {
  BookImbalanceDetector detector(small_options());
  RecordingSink sink;
  double seconds = kStartSeconds;
  for (int i = 0; i < 100; ++i) detector.on_book(lopsided_book(seconds++, 9.0, 1.0), sink);  // 0.8
  detector.on_book(lopsided_book(seconds++, 1.5, 1.0), sink);  // 0.2: far below the usual lean
  const Observation& observation = sink.observations.back();
  EXPECT_EQ(observation.ratio, 0.0);
  EXPECT_GE(observation.observed, observation.expected_low);
  EXPECT_LE(observation.observed, observation.expected_high);
}

TEST(BookImbalanceDetector, DegenerateBooksGiveNoNanAndNoAlarm) {
  // Balanced, leaning, and one-sided (an ask side of zero-size levels: imbalance exactly 1).
  for (double ask_size : {1.0, 0.5, 0.0}) {
    BookImbalanceDetector detector(BookImbalanceDetector::Options{});
    RecordingSink sink;
    for (int i = 0; i < 3000; ++i)
      detector.on_book(lopsided_book(kStartSeconds + i * 0.1, 1.0, ask_size), sink);
    ASSERT_FALSE(sink.observations.empty());
    for (const Observation& observation : sink.observations) {
      EXPECT_TRUE(std::isfinite(observation.ratio));
      EXPECT_TRUE(std::isfinite(observation.score));
      EXPECT_TRUE(std::isfinite(observation.observed));
      EXPECT_TRUE(std::isfinite(observation.expected_low));
      EXPECT_TRUE(std::isfinite(observation.expected_high));
      EXPECT_LT(observation.ratio, 1.0) << ask_size;
      EXPECT_LE(observation.expected_low, observation.observed);
      EXPECT_GE(observation.expected_high, observation.observed);
    }
  }
}

TEST(BookImbalanceDetector, IgnoresInvalidBooksAndBooksWithoutDepth) {
  BookImbalanceDetector detector(small_options());
  RecordingSink sink;
  for (int second = 0; second < 19; ++second)
    detector.on_book(lopsided_book(kStartSeconds + second, 1, 1), sink);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<BookSnapshot> invalid;
  invalid.push_back(lopsided_book(0, 0.0, 0.0));  // valid, but nothing to compare
  BookSnapshot book = lopsided_book(0, 1, 1);
  book.bid_count = 0;
  invalid.push_back(book);
  book = lopsided_book(0, 1, 1);
  book.bid_count = BookSnapshot::kMaxDepth + 1;
  invalid.push_back(book);
  for (double price : {nan, inf, 0.0, -1.0}) {
    book = lopsided_book(0, 1, 1);
    book.asks[0].price = price;
    invalid.push_back(book);
  }
  for (double size : {nan, inf, -1.0}) {
    book = lopsided_book(0, 1, 1);
    book.bids[1].size = size;
    invalid.push_back(book);
  }
  book = lopsided_book(0, 1, 1);
  std::swap(book.bids[0], book.asks[0]);  // crossed top
  invalid.push_back(book);
  double seconds = kStartSeconds + 19;
  for (BookSnapshot snapshot : invalid) {
    snapshot.exchange_time = at_seconds(seconds++);
    detector.on_book(snapshot, sink);
  }
  EXPECT_TRUE(sink.observations.empty());
  EXPECT_EQ(detector.baseline_count(), 19u);
  detector.on_book(lopsided_book(seconds++, 1, 1), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector.on_book(lopsided_book(seconds++, 1, 1), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_LT(sink.observations[0].ratio, 0.01);
}

TEST(BookImbalanceDetector, MemoryStaysBoundedOverAMillionBooks) {
  BookImbalanceDetector detector(BookImbalanceDetector::Options{});
  SummarySink sink;
  // Books drawn once and cycled, to keep a million books cheap in a debug build.
  BookMarket market(44);
  std::vector<BookSnapshot> books;
  for (int i = 0; i < 1024; ++i) books.push_back(market.next());
  for (int i = 0; i < 1'000'000; ++i) {
    BookSnapshot& book = books[static_cast<std::size_t>(i) % books.size()];
    book.exchange_time = at_seconds(kStartSeconds + i * 0.1);
    detector.on_book(book, sink);
  }
  EXPECT_EQ(detector.baseline_capacity(), 300u);
  EXPECT_EQ(detector.baseline_count(), 300u);
  EXPECT_GT(sink.count, 998'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_EQ(sink.non_finite, 0u);
  EXPECT_EQ(sink.scores_out_of_range, 0u);
}

TEST(BookImbalanceDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = BookImbalanceDetector::descriptor();
  EXPECT_EQ(descriptor.name, "book_imbalance");
  ASSERT_EQ(descriptor.params.size(), 6u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_GE(spec.default_value, spec.min) << spec.name;
    EXPECT_LE(spec.default_value, spec.max) << spec.name;
  }
  EXPECT_EQ(descriptor.params[1].kind, ParamKind::kDuration);
  ParamValues params;
  params.set("levels", 3);
  params.set("sample_interval", 2);
  params.set("window", 10);
  params.set("min_samples", 5);
  params.set("threshold", 4);
  params.set("min_imbalance", 0.25);
  const BookImbalanceDetector::Options options = BookImbalanceDetector::options_from(params);
  EXPECT_EQ(options.levels, 3u);
  EXPECT_EQ(options.sample_interval, 2s);
  EXPECT_EQ(options.window, 10u);
  EXPECT_EQ(options.min_samples, 5u);
  EXPECT_EQ(options.threshold, 4.0);
  EXPECT_EQ(options.min_imbalance, 0.25);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  // One book a second, sampled every other second: the fifth sample at second 8.
  for (int second = 0; second <= 8; ++second)
    detector->on_book(lopsided_book(kStartSeconds + second, 1, 1), sink);
  EXPECT_TRUE(sink.observations.empty());
  detector->on_book(lopsided_book(kStartSeconds + 9, 1, 1), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_NEAR(sink.observations[0].observed, expected_imbalance(1, 1, 3), 1e-12);
  EXPECT_NEAR(sink.observations[0].expected_high, 0.25, 1e-12);
}

TEST(BookImbalanceDetector, OptionsFromParamsKeepDefaultsForMissingValues) {
  ParamValues params;
  params.set("threshold", 4);
  const BookImbalanceDetector::Options options = BookImbalanceDetector::options_from(params);
  EXPECT_EQ(options.levels, 5u);
  EXPECT_EQ(options.sample_interval, 1s);
  EXPECT_EQ(options.window, 300u);
  EXPECT_EQ(options.min_samples, 100u);
  EXPECT_EQ(options.threshold, 4.0);
  EXPECT_EQ(options.min_imbalance, 0.5);
}

}  // namespace
}  // namespace tickguard
