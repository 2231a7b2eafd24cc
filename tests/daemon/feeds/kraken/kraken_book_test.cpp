// Book synchronisation and the CRC32 checksum. The recorded WebSocket v1 book-1000 frames (KSM/XBT
// and XMR/USD, 2021) are real venue data with real checksums: every update's checksum must verify.
// The v2 variant re-encodes the same real levels as v2 JSON numbers in shortest form (constructed,
// as the recording predates v2) to prove the checksum text is re-formed from the precision.
#include "feeds/kraken/kraken_book.h"

#include <gtest/gtest.h>

#include <array>
#include <charconv>
#include <map>
#include <string>

#include "feeds/kraken/kraken_parse.h"
#include "kraken_test_util.h"

namespace tickguard::feeds::kraken {
namespace {

constexpr const char* kRecordedBook = "ws_v1_book-1000_KSM-XBT_XMR-USD.jsonl";

std::string shortest(double value) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

// The same book message as a v2 frame whose numbers are written in shortest form (so "0.50000000"
// becomes 0.5 and the checksum must re-pad it from the precision).
std::string to_v2_frame(const KrakenBook& book) {
  const auto levels = [](std::span<const KrakenLevel> side) {
    std::string out = "[";
    for (const KrakenLevel& level : side) {
      if (out.size() > 1) out += ',';
      out += R"({"price":)" + shortest(level.price) + R"(,"qty":)" + shortest(level.qty) + "}";
    }
    return out + "]";
  };
  std::string frame = R"({"channel":"book","type":")" + std::string(book.snapshot ? "snapshot" : "update") +
                      R"(","data":[{"symbol":")" + unified_symbol(book.symbol) + R"(","bids":)" +
                      levels(book.bids) + R"(,"asks":)" + levels(book.asks);
  if (book.checksum) frame += R"(,"checksum":)" + std::to_string(*book.checksum);
  return frame + R"(,"timestamp":"2021-04-17T16:49:00.000000Z"}]})";
}

KrakenBook level_message(bool snapshot, std::span<const KrakenLevel> bids, std::span<const KrakenLevel> asks,
                         std::optional<std::uint32_t> checksum = std::nullopt) {
  KrakenBook book;
  book.symbol = "BTC/USD";
  book.snapshot = snapshot;
  book.bids = bids;
  book.asks = asks;
  book.checksum = checksum;
  return book;
}

TEST(KrakenBookSync, VerifiesEveryRecordedV1Checksum) {
  KrakenParser parser;
  std::map<std::string, KrakenBookSync> books;
  int snapshots = 0;
  int verified = 0;
  for (const std::string& line : testing::read_fixture_lines(kRecordedBook)) {
    const KrakenMessageKind kind = parser.parse_v1_book(line);
    ASSERT_TRUE(kind == KrakenMessageKind::kBookSnapshot || kind == KrakenMessageKind::kBookUpdate) << line;
    const KrakenBook& message = parser.books()[0];
    KrakenBookSync& sync =
        books.try_emplace(std::string(message.symbol), KrakenBookOptions{.depth = 1000}).first->second;
    ASSERT_EQ(sync.apply(message), KrakenBookStatus::kApplied) << line;
    if (kind == KrakenMessageKind::kBookSnapshot) {
      ++snapshots;
    } else {
      ASSERT_TRUE(message.checksum);
      ++verified;
    }
  }
  EXPECT_EQ(snapshots, 2);
  EXPECT_EQ(verified, 120);
  EXPECT_EQ(books.size(), 2u);
}

TEST(KrakenBookSync, VerifiesRecordedChecksumsFromV2NumbersAndPrecision) {
  KrakenParser v1_parser;
  KrakenParser v2_parser;
  // The recorded v1 books wrote 8 decimals for both price and volume on these pairs.
  std::map<std::string, KrakenBookSync> books;
  int verified = 0;
  for (const std::string& line : testing::read_fixture_lines(kRecordedBook)) {
    ASSERT_NE(v1_parser.parse_v1_book(line), KrakenMessageKind::kInvalid);
    const std::string frame = to_v2_frame(v1_parser.books()[0]);
    ASSERT_NE(v2_parser.parse(frame), KrakenMessageKind::kInvalid) << frame;
    const KrakenBook& message = v2_parser.books()[0];
    KrakenBookSync& sync =
        books
            .try_emplace(std::string(message.symbol),
                         KrakenBookOptions{.depth = 1000, .price_decimals = 8, .qty_decimals = 8})
            .first->second;
    ASSERT_EQ(sync.apply(message), KrakenBookStatus::kApplied) << frame;
    if (message.checksum) ++verified;
  }
  EXPECT_EQ(verified, 120);
  EXPECT_TRUE(books.contains("KSM/BTC"));
  EXPECT_TRUE(books.contains("XMR/USD"));
}

TEST(KrakenBookSync, CorruptedChecksumNeedsResyncUntilNextSnapshot) {
  KrakenParser parser;
  const auto lines = testing::read_fixture_lines(kRecordedBook);
  KrakenBookSync sync(KrakenBookOptions{.depth = 1000});
  ASSERT_EQ(parser.parse_v1_book(lines[0]), KrakenMessageKind::kBookSnapshot);
  const std::string symbol(parser.books()[0].symbol);
  ASSERT_EQ(sync.apply(parser.books()[0]), KrakenBookStatus::kApplied);
  std::size_t i = 1;
  while (true) {
    ASSERT_LT(i, lines.size());
    ASSERT_NE(parser.parse_v1_book(lines[i]), KrakenMessageKind::kInvalid);
    if (parser.books()[0].symbol == symbol) break;
    ++i;
  }
  KrakenBook corrupted = parser.books()[0];
  corrupted.checksum = *corrupted.checksum ^ 1u;
  EXPECT_EQ(sync.apply(corrupted), KrakenBookStatus::kChecksumMismatchNeedsResync);
  EXPECT_FALSE(sync.synced());
  EXPECT_EQ(sync.apply(parser.books()[0]), KrakenBookStatus::kAwaitingSnapshot);
  ASSERT_EQ(parser.parse_v1_book(lines[0]), KrakenMessageKind::kBookSnapshot);
  EXPECT_EQ(sync.apply(parser.books()[0]), KrakenBookStatus::kApplied);
  EXPECT_TRUE(sync.synced());
}

TEST(KrakenBookSync, VerifiesConstructedV2SnapshotAndUpdate) {
  KrakenParser parser;
  KrakenBookSync sync(KrakenBookOptions{.depth = 10, .price_decimals = 1, .qty_decimals = 8});
  // Checksums computed independently (see kraken_parse_test.cpp); qty 0.5 is re-padded to 0.50000000.
  ASSERT_EQ(parser.parse(R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",)"
                         R"("bids":[{"price":64231.4,"qty":1.25},{"price":64230,"qty":0.5}],)"
                         R"("asks":[{"price":64231.5,"qty":0.001}],"checksum":1219263978,)"
                         R"("timestamp":"2024-05-01T12:00:00.000001Z"}]})"),
            KrakenMessageKind::kBookSnapshot);
  EXPECT_EQ(sync.apply(parser.books()[0]), KrakenBookStatus::kApplied);
  ASSERT_EQ(parser.parse(R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD",)"
                         R"("bids":[{"price":64230.0,"qty":0}],"asks":[],"checksum":1936045355,)"
                         R"("timestamp":"2024-05-01T12:00:01.5Z"}]})"),
            KrakenMessageKind::kBookUpdate);
  EXPECT_EQ(sync.apply(parser.books()[0]), KrakenBookStatus::kApplied);
  BookSnapshot top;
  sync.fill(top);
  EXPECT_EQ(top.bid_count, 1);
  EXPECT_EQ(top.ask_count, 1);
  EXPECT_EQ(top.bids[0].price, 64231.4);
  EXPECT_EQ(top.exchange_time.time_since_epoch().count(), 1714564801500000000);
}

TEST(KrakenBookSync, WrongV2ChecksumNeedsResync) {
  KrakenParser parser;
  KrakenBookSync sync(KrakenBookOptions{.depth = 10, .price_decimals = 1, .qty_decimals = 8});
  ASSERT_EQ(parser.parse(R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",)"
                         R"("bids":[{"price":64231.4,"qty":1.25},{"price":64230,"qty":0.5}],)"
                         R"("asks":[{"price":64231.5,"qty":0.001}],"checksum":1219263979}]})"),
            KrakenMessageKind::kBookSnapshot);
  EXPECT_EQ(sync.apply(parser.books()[0]), KrakenBookStatus::kChecksumMismatchNeedsResync);
  EXPECT_FALSE(sync.synced());
}

TEST(KrakenBookSync, IgnoresUpdatesBeforeTheFirstSnapshot) {
  KrakenBookSync sync;
  const std::array<KrakenLevel, 1> bids{{{100.0, 1.0, "100.0", "1.0"}}};
  EXPECT_EQ(sync.apply(level_message(false, bids, {})), KrakenBookStatus::kAwaitingSnapshot);
  EXPECT_TRUE(sync.book().empty());
}

TEST(KrakenBookSync, TruncatesToSubscribedDepthAfterEachMessage) {
  KrakenBookSync sync(KrakenBookOptions{.depth = 3});
  const std::array<KrakenLevel, 3> bids{
      {{100.0, 1.0, "100.0", "1.0"}, {99.0, 1.0, "99.0", "1.0"}, {98.0, 1.0, "98.0", "1.0"}}};
  ASSERT_EQ(sync.apply(level_message(true, bids, {})), KrakenBookStatus::kApplied);
  // An insert at the top pushes 98 out of scope; the venue will not send its removal.
  const std::array<KrakenLevel, 1> better{{{101.0, 1.0, "101.0", "1.0"}}};
  ASSERT_EQ(sync.apply(level_message(false, better, {})), KrakenBookStatus::kApplied);
  ASSERT_EQ(sync.book().bids().size(), 3u);
  EXPECT_EQ(sync.book().bids().back().price, 99.0);
  // Removing the best must not bring the dropped level back.
  const std::array<KrakenLevel, 1> remove{{{101.0, 0.0, "101.0", "0.0"}}};
  ASSERT_EQ(sync.apply(level_message(false, remove, {})), KrakenBookStatus::kApplied);
  EXPECT_EQ(sync.book().bids().size(), 2u);
  // Within one message, an insert then a removal keeps the level that is still in scope.
  const std::array<KrakenLevel, 3> batch{
      {{102.0, 1.0, "102.0", "1.0"}, {103.0, 1.0, "103.0", "1.0"}, {103.0, 0.0, "103.0", "0.0"}}};
  ASSERT_EQ(sync.apply(level_message(false, batch, {})), KrakenBookStatus::kApplied);
  ASSERT_EQ(sync.book().bids().size(), 3u);
  EXPECT_EQ(sync.book().bids()[0].price, 102.0);
  EXPECT_EQ(sync.book().bids()[2].price, 99.0);
}

TEST(KrakenBookSync, CrossedBookNeedsResync) {
  KrakenBookSync sync;
  const std::array<KrakenLevel, 1> bids{{{100.0, 1.0, "100.0", "1.0"}}};
  const std::array<KrakenLevel, 1> asks{{{101.0, 1.0, "101.0", "1.0"}}};
  ASSERT_EQ(sync.apply(level_message(true, bids, asks)), KrakenBookStatus::kApplied);
  const std::array<KrakenLevel, 1> crossing{{{101.5, 1.0, "101.5", "1.0"}}};
  EXPECT_EQ(sync.apply(level_message(false, crossing, {})), KrakenBookStatus::kCrossedNeedsResync);
  EXPECT_FALSE(sync.synced());
}

TEST(KrakenBookSync, CountsMessagesWithoutChecksumAsUnverified) {
  KrakenBookSync sync;
  const std::array<KrakenLevel, 1> bids{{{100.0, 1.0, "100.0", "1.0"}}};
  ASSERT_EQ(sync.apply(level_message(true, bids, {})), KrakenBookStatus::kApplied);
  EXPECT_EQ(sync.unverified_messages(), 1u);
  ASSERT_EQ(sync.apply(level_message(false, bids, {}, sync.checksum())), KrakenBookStatus::kApplied);
  EXPECT_EQ(sync.unverified_messages(), 1u);
}

TEST(KrakenChecksumDigits, FormatsPerTheVenueRules) {
  std::array<char, 64> out{};
  const auto digits = [&out](std::string_view text, double value, int decimals) {
    return std::string(out.data(), kraken_checksum_digits(text, value, decimals, out));
  };
  EXPECT_EQ(digits("45285.2", 45285.2, -1), "452852");
  EXPECT_EQ(digits("0.00100000", 0.001, -1), "100000");
  EXPECT_EQ(digits("0.001", 0.001, 8), "100000");
  EXPECT_EQ(digits("0.00100000", 0.001, 8), "100000");
  EXPECT_EQ(digits("45285", 45285.0, 1), "452850");
  EXPECT_EQ(digits("1e-05", 1e-05, 8), "1000");           // exponent form: formatted from the value
  EXPECT_EQ(digits("", 0.5, 8), "50000000");              // no text kept: formatted from the value
  EXPECT_EQ(digits("1.23456789", 1.23456789, 2), "123");  // more digits than the precision: rounded value
}

}  // namespace
}  // namespace tickguard::feeds::kraken

namespace tickguard::feeds::kraken {
namespace {

TEST(KrakenResyncThrottle, ResubscribesAtOnceThenBacksOffWhileFailuresRepeat) {
  KrakenResyncThrottle throttle(
      BackoffOptions{std::chrono::milliseconds(1000), std::chrono::milliseconds(8000), 2.0});
  EXPECT_EQ(throttle.on_failure(), std::chrono::milliseconds(0));
  const auto second = throttle.on_failure();
  EXPECT_GE(second, std::chrono::milliseconds(500));
  EXPECT_LE(second, std::chrono::milliseconds(1000));
  const auto third = throttle.on_failure();
  EXPECT_GE(third, std::chrono::milliseconds(1000));
  EXPECT_LE(third, std::chrono::milliseconds(2000));
  for (int i = 0; i < 10; ++i) EXPECT_LE(throttle.on_failure(), std::chrono::milliseconds(8000));
  EXPECT_EQ(throttle.failures_in_a_row(), 13);
  // A verified message in between: the next failure is resynchronized at once, from the start.
  throttle.on_verified();
  EXPECT_EQ(throttle.on_failure(), std::chrono::milliseconds(0));
  EXPECT_LE(throttle.on_failure(), std::chrono::milliseconds(1000));
}

}  // namespace
}  // namespace tickguard::feeds::kraken
