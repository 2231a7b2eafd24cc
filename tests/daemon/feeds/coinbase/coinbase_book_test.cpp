#include "feeds/coinbase/coinbase_book.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "coinbase_fixtures.h"

namespace tickguard::feeds::coinbase {
namespace {

using testing::read_lines;

struct TopOfBook {
  double bid;
  double bid_size;
  double ask;
  double ask_size;
};

// Applies a frame to the product's book, creating it on first sight.
BookStatus feed(CoinbaseParser& parser, std::map<std::string, CoinbaseBookSync>& books,
                const std::string& line) {
  WsMessage msg;
  EXPECT_EQ(parser.parse(line, msg), ParseError::kNone) << line;
  return books[std::string(msg.product_id)].apply(msg);
}

TEST(CoinbaseBookSync, RecordedSnapshotsThenL2UpdatesGiveUncrossedBooksWithExpectedTop) {
  CoinbaseParser parser;
  std::map<std::string, CoinbaseBookSync> books;
  for (const auto& line : read_lines("ws_snapshot.jsonl")) {
    EXPECT_EQ(feed(parser, books, line), BookStatus::kApplied);
  }
  for (const auto& line : read_lines("ws_l2update.jsonl")) {
    ASSERT_EQ(feed(parser, books, line), BookStatus::kApplied) << line;
  }
  ASSERT_EQ(books.size(), 10u);
  // Expected tops computed independently from the untrimmed recording.
  const std::map<std::string, TopOfBook> expected = {
      {"BAND-GBP", {14.7693, 27.51, 14.8067, 27.8}},
      {"SKL-GBP", {0.5743, 145.0, 0.578, 350.0}},
      {"NU-GBP", {0.4385, 548.398226, 0.4394, 2000.0}},
      {"YFI-BTC", {0.82585, 0.017054, 0.82727, 0.002782}},
      {"SKL-BTC", {0.00001304, 1099.7, 0.00001307, 2642.1}},
      {"CRV-EUR", {3.2971, 120.0, 3.3024, 97.66}},
      {"BAND-BTC", {0.00033449, 36.73, 0.00033519, 19.22}},
      {"DASH-BTC", {0.00618956, 1.572, 0.00620125, 2.713}},
      {"NMR-EUR", {66.9082, 4.775, 67.021, 12.248}},
      {"SKL-USD", {0.791, 450.0, 0.792, 6908.0}},
  };
  for (const auto& [product, top] : expected) {
    const CoinbaseBookSync& sync = books.at(product);
    ASSERT_TRUE(sync.synced()) << product;
    EXPECT_FALSE(sync.book().crossed()) << product;
    EXPECT_EQ(sync.book().bids()[0].price, top.bid) << product;
    EXPECT_EQ(sync.book().bids()[0].size, top.bid_size) << product;
    EXPECT_EQ(sync.book().asks()[0].price, top.ask) << product;
    EXPECT_EQ(sync.book().asks()[0].size, top.ask_size) << product;
  }
  const CoinbaseBookSync& skl_btc = books.at("SKL-BTC");
  EXPECT_EQ(skl_btc.snapshots(), 1u);
  EXPECT_EQ(skl_btc.updates(), 127u);
  EXPECT_EQ(skl_btc.resyncs(), 0u);

  BookSnapshot top;
  books.at("SKL-USD").fill(top);
  EXPECT_EQ(top.bid_count, BookSnapshot::kMaxDepth);
  EXPECT_EQ(top.bids[0].price, 0.791);
  EXPECT_EQ(top.asks[0].price, 0.792);
  EXPECT_EQ(top.exchange_time, books.at("SKL-USD").last_update_time());
  EXPECT_NE(top.exchange_time, Timestamp{});
}

TEST(CoinbaseBookSync, L2UpdateBeforeSnapshotNeedsSnapshot) {
  CoinbaseParser parser;
  CoinbaseBookSync sync;
  WsMessage msg;
  ASSERT_EQ(parser.parse(read_lines("ws_l2update.jsonl").front(), msg), ParseError::kNone);
  EXPECT_EQ(sync.apply(msg), BookStatus::kNeedsSnapshot);
  EXPECT_TRUE(sync.book().empty());
  EXPECT_FALSE(sync.synced());
}

TEST(CoinbaseBookSync, SnapshotReplacesTheBookAndZeroSizeRemovesALevel) {
  CoinbaseParser parser;
  CoinbaseBookSync sync;
  WsMessage msg;
  ASSERT_EQ(parser.parse(R"({"type":"snapshot","product_id":"BTC-USD","bids":[["100","1"],["99","2"]],)"
                         R"("asks":[["101","3"]]})",
                         msg),
            ParseError::kNone);
  ASSERT_EQ(sync.apply(msg), BookStatus::kApplied);
  ASSERT_EQ(parser.parse(R"({"type":"l2update","product_id":"BTC-USD","changes":[["buy","100","0"],)"
                         R"(["sell","100.5","4"]],"time":"2021-04-17T16:43:37.075687Z"})",
                         msg),
            ParseError::kNone);
  ASSERT_EQ(sync.apply(msg), BookStatus::kApplied);
  EXPECT_EQ(sync.book().bids().size(), 1u);
  EXPECT_EQ(sync.book().bids()[0].price, 99);
  EXPECT_EQ(sync.book().asks()[0].price, 100.5);
  EXPECT_EQ(sync.book().asks()[0].price_text.view(), "100.5");

  ASSERT_EQ(parser.parse(
                R"({"type":"snapshot","product_id":"BTC-USD","bids":[["50","1"]],"asks":[["60","1"]]})", msg),
            ParseError::kNone);
  ASSERT_EQ(sync.apply(msg), BookStatus::kApplied);
  EXPECT_EQ(sync.book().bids().size(), 1u);
  EXPECT_EQ(sync.book().asks().size(), 1u);
  EXPECT_EQ(sync.book().asks()[0].price, 60);
  EXPECT_EQ(sync.snapshots(), 2u);
}

TEST(CoinbaseBookSync, CrossedBookNeedsResyncAndWaitsForANewSnapshot) {
  CoinbaseParser parser;
  CoinbaseBookSync sync;
  WsMessage msg;
  ASSERT_EQ(
      parser.parse(R"({"type":"snapshot","product_id":"BTC-USD","bids":[["100","1"]],"asks":[["101","1"]]})",
                   msg),
      ParseError::kNone);
  ASSERT_EQ(sync.apply(msg), BookStatus::kApplied);
  ASSERT_EQ(parser.parse(R"({"type":"l2update","product_id":"BTC-USD","changes":[["buy","101.5","1"]],)"
                         R"("time":"2021-04-17T16:43:37Z"})",
                         msg),
            ParseError::kNone);
  EXPECT_EQ(sync.apply(msg), BookStatus::kNeedsResync);
  EXPECT_FALSE(sync.synced());
  EXPECT_TRUE(sync.book().empty());
  EXPECT_EQ(sync.resyncs(), 1u);
  EXPECT_EQ(sync.apply(msg), BookStatus::kNeedsSnapshot);
}

TEST(CoinbaseBookSync, ChangesWithinOneMessageAreCheckedTogether) {
  CoinbaseParser parser;
  CoinbaseBookSync sync;
  WsMessage msg;
  ASSERT_EQ(
      parser.parse(R"({"type":"snapshot","product_id":"BTC-USD","bids":[["100","1"]],"asks":[["101","1"]]})",
                   msg),
      ParseError::kNone);
  ASSERT_EQ(sync.apply(msg), BookStatus::kApplied);
  // The bid at 101 is only crossed until the ask at 101 is removed by the same message.
  ASSERT_EQ(parser.parse(R"({"type":"l2update","product_id":"BTC-USD","changes":[["buy","101","1"],)"
                         R"(["sell","101","0"],["sell","102","1"]],"time":"2021-04-17T16:43:37Z"})",
                         msg),
            ParseError::kNone);
  EXPECT_EQ(sync.apply(msg), BookStatus::kApplied);
  EXPECT_EQ(sync.book().bids()[0].price, 101);
  EXPECT_EQ(sync.book().asks()[0].price, 102);
}

TEST(SequenceTracker, RecordedTradeIdsAreContiguousPerProduct) {
  CoinbaseParser parser;
  SequenceTracker trades(SequenceTracker::Policy::kContiguous);
  int accepted = 0;
  for (const char* file : {"ws_last_match.jsonl", "ws_match.jsonl"}) {
    for (const auto& line : read_lines(file)) {
      WsMessage msg;
      ASSERT_EQ(parser.parse(line, msg), ParseError::kNone);
      const auto verdict = trades.observe(msg.product_id, msg.match.trade_id);
      EXPECT_NE(verdict, SequenceVerdict::kGap) << line;
      EXPECT_NE(verdict, SequenceVerdict::kStale) << line;
      ++accepted;
    }
  }
  EXPECT_EQ(accepted, 107);
  EXPECT_EQ(trades.gaps(), 0u);
  EXPECT_EQ(trades.stale(), 0u);
}

TEST(SequenceTracker, RecordedChannelSequencesIncreaseButAreNotContiguous) {
  // `sequence` counts all order events of a product, so on the ticker channel it jumps.
  CoinbaseParser parser;
  SequenceTracker monotonic(SequenceTracker::Policy::kMonotonic);
  SequenceTracker contiguous(SequenceTracker::Policy::kContiguous);
  for (const auto& line : read_lines("ws_ticker.jsonl")) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone);
    EXPECT_NE(monotonic.observe(msg.product_id, msg.ticker.sequence), SequenceVerdict::kStale);
    contiguous.observe(msg.product_id, msg.ticker.sequence);
  }
  EXPECT_EQ(monotonic.gaps(), 0u);
  EXPECT_EQ(monotonic.stale(), 0u);
  EXPECT_EQ(contiguous.gaps(), 97u);
}

TEST(SequenceTracker, CountsAGapWhenNumbersAreSkipped) {
  SequenceTracker tracker;
  EXPECT_EQ(tracker.observe("BTC-USD", 10), SequenceVerdict::kFirst);
  EXPECT_EQ(tracker.observe("BTC-USD", 11), SequenceVerdict::kInOrder);
  EXPECT_EQ(tracker.observe("BTC-USD", 15), SequenceVerdict::kGap);
  EXPECT_EQ(tracker.observe("BTC-USD", 16), SequenceVerdict::kInOrder);
  EXPECT_EQ(tracker.observe("BTC-USD", 20), SequenceVerdict::kGap);
  EXPECT_EQ(tracker.gaps(), 2u);
  EXPECT_EQ(tracker.missed(), 6u);  // 12..14 and 17..19
}

TEST(SequenceTracker, DropsDuplicatesAndOutOfOrderNumbers) {
  SequenceTracker tracker;
  tracker.observe("BTC-USD", 10);
  tracker.observe("BTC-USD", 11);
  EXPECT_EQ(tracker.observe("BTC-USD", 11), SequenceVerdict::kStale);
  EXPECT_EQ(tracker.observe("BTC-USD", 9), SequenceVerdict::kStale);
  EXPECT_EQ(tracker.observe("BTC-USD", 12), SequenceVerdict::kInOrder);  // mark stayed at 11
  EXPECT_EQ(tracker.stale(), 2u);
  EXPECT_EQ(tracker.gaps(), 0u);
}

TEST(SequenceTracker, TracksProductsIndependentlyAndForgetsOnReset) {
  SequenceTracker tracker;
  tracker.observe("BTC-USD", 100);
  EXPECT_EQ(tracker.observe("ETH-USD", 5), SequenceVerdict::kFirst);
  EXPECT_EQ(tracker.observe("ETH-USD", 6), SequenceVerdict::kInOrder);
  EXPECT_EQ(tracker.observe("BTC-USD", 101), SequenceVerdict::kInOrder);
  tracker.reset("BTC-USD");
  EXPECT_EQ(tracker.observe("BTC-USD", 50), SequenceVerdict::kFirst);
  EXPECT_EQ(tracker.gaps(), 0u);
}

}  // namespace
}  // namespace tickguard::feeds::coinbase
