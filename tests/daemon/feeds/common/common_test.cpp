#include <gtest/gtest.h>

#include "feeds/common/checksum.h"
#include "feeds/common/decimal.h"
#include "feeds/common/order_book.h"
#include "feeds/common/time_parse.h"

namespace tickguard::feeds {
namespace {

TEST(ParseDecimal, ParsesExchangeDecimalsExactly) {
  EXPECT_EQ(parse_decimal("60123.45"), 60123.45);
  EXPECT_EQ(parse_decimal("0.00100000"), 0.001);
  EXPECT_EQ(parse_decimal("1e-8"), 1e-8);
  EXPECT_EQ(parse_decimal("0"), 0.0);
  EXPECT_FALSE(parse_decimal(""));
  EXPECT_FALSE(parse_decimal("12.3x"));
  EXPECT_FALSE(parse_decimal("nan"));
  EXPECT_FALSE(parse_decimal("inf"));
  EXPECT_EQ(parse_unsigned("18446744073709551615"), 18446744073709551615ull);
  EXPECT_FALSE(parse_unsigned("-1"));
  EXPECT_FALSE(parse_unsigned("12a"));
}

TEST(DecimalText, KeepsShortTextAndRejectsLongText) {
  EXPECT_EQ(DecimalText("0.001").view(), "0.001");
  EXPECT_TRUE(DecimalText("0.001").valid());
  EXPECT_FALSE(DecimalText(std::string(40, '1')).valid());
}

TEST(Crc32, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32_update(0, "123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32_update(crc32_update(0, "12345"), "6789"), 0xCBF43926u);
}

TEST(ParseRfc3339, ParsesVenueTimestamps) {
  const auto t = parse_rfc3339("2021-04-19T16:12:20.394617Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch().count(), 1618848740394617000);
  EXPECT_EQ(parse_rfc3339("2021-04-19T18:12:20+02:00"), parse_rfc3339("2021-04-19T16:12:20Z"));
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z")->time_since_epoch().count(), 0);
  EXPECT_FALSE(parse_rfc3339("2021-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2021-04-19 16:12"));
  EXPECT_FALSE(parse_rfc3339("2021-04-19T16:12:20"));
  EXPECT_FALSE(parse_rfc3339("2021-04-19T16:12:20.Z"));
  EXPECT_FALSE(parse_rfc3339("2021-04-19T16:12:20Zjunk"));
}

TEST(OrderBook, KeepsSidesSortedBestFirstAndRemovesZeroSizes) {
  OrderBook book(10);
  book.update(BookSide::kBid, 100, 1);
  book.update(BookSide::kBid, 101, 2);
  book.update(BookSide::kBid, 99, 3);
  book.update(BookSide::kAsk, 103, 1);
  book.update(BookSide::kAsk, 102, 1);
  ASSERT_EQ(book.bids().size(), 3u);
  EXPECT_EQ(book.bids()[0].price, 101);
  EXPECT_EQ(book.bids()[2].price, 99);
  EXPECT_EQ(book.asks()[0].price, 102);
  book.update(BookSide::kBid, 101, 0);
  EXPECT_EQ(book.bids()[0].price, 100);
  book.update(BookSide::kBid, 100, 5, "100.0", "5.00");
  EXPECT_EQ(book.bids()[0].size, 5);
  EXPECT_EQ(book.bids()[0].size_text.view(), "5.00");
  book.update(BookSide::kAsk, 50, 0);  // absent: ignored
  EXPECT_EQ(book.asks().size(), 2u);
  EXPECT_FALSE(book.crossed());
  book.update(BookSide::kAsk, 100, 1);
  EXPECT_TRUE(book.crossed());
}

TEST(OrderBook, DropsWorstLevelsBeyondCapacityWithoutGrowing) {
  OrderBook book(3);
  for (int p = 1; p <= 10; ++p) book.update(BookSide::kBid, p, 1);
  ASSERT_EQ(book.bids().size(), 3u);
  EXPECT_EQ(book.bids()[0].price, 10);
  EXPECT_EQ(book.bids()[2].price, 8);
  book.update(BookSide::kBid, 1, 1);  // worse than all kept: ignored
  EXPECT_EQ(book.bids()[2].price, 8);
  book.update(BookSide::kBid, 0, 1);                                          // non-positive price
  book.update(BookSide::kBid, 11, std::numeric_limits<double>::quiet_NaN());  // non-finite size
  EXPECT_EQ(book.bids()[0].price, 10);
}

TEST(OrderBook, FillsTopOfBookSnapshot) {
  OrderBook book(100);
  for (int p = 1; p <= 20; ++p) {
    book.update(BookSide::kBid, p, p);
    book.update(BookSide::kAsk, 100 + p, p);
  }
  BookSnapshot snapshot;
  book.fill_top(snapshot);
  EXPECT_EQ(snapshot.bid_count, BookSnapshot::kMaxDepth);
  EXPECT_EQ(snapshot.bids[0].price, 20);
  EXPECT_EQ(snapshot.asks[0].price, 101);
  EXPECT_EQ(snapshot.asks[9].price, 110);
}

}  // namespace
}  // namespace tickguard::feeds
