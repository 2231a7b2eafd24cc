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

TEST(CoinbaseBookSync, ResetForgetsTheLastUpdateTime) {
  CoinbaseParser parser;
  CoinbaseBookSync sync;
  WsMessage msg;
  ASSERT_EQ(
      parser.parse(R"({"type":"snapshot","product_id":"BTC-USD","bids":[["100","1"]],"asks":[["101","1"]]})",
                   msg),
      ParseError::kNone);
  ASSERT_EQ(sync.apply(msg), BookStatus::kApplied);
  ASSERT_EQ(parser.parse(R"({"type":"l2update","product_id":"BTC-USD","changes":[["buy","99","1"]],)"
                         R"("time":"2021-04-17T16:43:37Z"})",
                         msg),
            ParseError::kNone);
  ASSERT_EQ(sync.apply(msg), BookStatus::kApplied);
  EXPECT_NE(sync.last_update_time(), Timestamp{});
  sync.reset();
  EXPECT_EQ(sync.last_update_time(), Timestamp{});  // a fresh snapshot reports no stale time
}

// Per-product marks as the feed keeps them (one per subscription).
using Marks = std::map<std::string, SequenceMark, std::less<>>;

SequenceVerdict observe(Marks& marks, std::string_view product, std::uint64_t number,
                        SequenceMark::Policy policy) {
  return marks.try_emplace(std::string(product), policy).first->second.observe(number);
}

TEST(SequenceMark, RecordedTradeIdsAreContiguousPerProduct) {
  CoinbaseParser parser;
  Marks trades;
  int accepted = 0;
  for (const char* file : {"ws_last_match.jsonl", "ws_match.jsonl"}) {
    for (const auto& line : read_lines(file)) {
      WsMessage msg;
      ASSERT_EQ(parser.parse(line, msg), ParseError::kNone);
      const auto verdict =
          observe(trades, msg.product_id, msg.match.trade.trade_id, SequenceMark::Policy::kContiguous);
      EXPECT_NE(verdict, SequenceVerdict::kGap) << line;
      EXPECT_NE(verdict, SequenceVerdict::kStale) << line;
      ++accepted;
    }
  }
  EXPECT_EQ(accepted, 107);
  for (const auto& [product, mark] : trades) {
    EXPECT_EQ(mark.gaps(), 0u) << product;
    EXPECT_EQ(mark.stale(), 0u) << product;
  }
}

TEST(SequenceMark, RecordedChannelSequencesIncreaseButAreNotContiguous) {
  // `sequence` counts all order events of a product, so on the ticker channel it jumps.
  CoinbaseParser parser;
  Marks monotonic;
  Marks contiguous;
  for (const auto& line : read_lines("ws_ticker.jsonl")) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone);
    EXPECT_NE(observe(monotonic, msg.product_id, msg.ticker.sequence, SequenceMark::Policy::kMonotonic),
              SequenceVerdict::kStale);
    observe(contiguous, msg.product_id, msg.ticker.sequence, SequenceMark::Policy::kContiguous);
  }
  std::uint64_t monotonic_gaps = 0;
  std::uint64_t contiguous_gaps = 0;
  for (const auto& [product, mark] : monotonic) monotonic_gaps += mark.gaps() + mark.stale();
  for (const auto& [product, mark] : contiguous) contiguous_gaps += mark.gaps();
  EXPECT_EQ(monotonic_gaps, 0u);
  EXPECT_EQ(contiguous_gaps, 97u);
}

TEST(SequenceMark, CountsAGapWhenNumbersAreSkipped) {
  SequenceMark mark;
  EXPECT_EQ(mark.observe(10), SequenceVerdict::kFirst);
  EXPECT_EQ(mark.observe(11), SequenceVerdict::kInOrder);
  EXPECT_EQ(mark.observe(15), SequenceVerdict::kGap);
  EXPECT_EQ(mark.observe(16), SequenceVerdict::kInOrder);
  EXPECT_EQ(mark.observe(20), SequenceVerdict::kGap);
  EXPECT_EQ(mark.gaps(), 2u);
  EXPECT_EQ(mark.missed(), 6u);  // 12..14 and 17..19
}

TEST(SequenceMark, DropsDuplicatesAndOutOfOrderNumbers) {
  SequenceMark mark;
  mark.observe(10);
  mark.observe(11);
  EXPECT_EQ(mark.observe(11), SequenceVerdict::kStale);
  EXPECT_EQ(mark.observe(9), SequenceVerdict::kStale);
  EXPECT_EQ(mark.observe(12), SequenceVerdict::kInOrder);  // mark stayed at 11
  EXPECT_EQ(mark.stale(), 2u);
  EXPECT_EQ(mark.gaps(), 0u);
}

TEST(SequenceMark, MonotonicPolicyAcceptsJumpsAndDropsStaleNumbers) {
  SequenceMark mark(SequenceMark::Policy::kMonotonic);
  EXPECT_EQ(mark.observe(100), SequenceVerdict::kFirst);
  EXPECT_EQ(mark.observe(250), SequenceVerdict::kInOrder);
  EXPECT_EQ(mark.observe(250), SequenceVerdict::kStale);
  EXPECT_EQ(mark.gaps(), 0u);
}

TEST(SequenceMark, ResetStartsOverButKeepsCounters) {
  SequenceMark mark;
  mark.observe(100);
  mark.observe(105);
  mark.reset();
  EXPECT_FALSE(mark.started());
  EXPECT_EQ(mark.observe(50), SequenceVerdict::kFirst);  // a new connection's numbers
  EXPECT_EQ(mark.gaps(), 1u);
}

TEST(SequenceMark, HeartbeatBeyondTheLastTradeIsAGapReportedOnce) {
  SequenceMark trades;
  EXPECT_EQ(trades.catch_up(40), SequenceVerdict::kFirst);  // nothing received yet: no verdict
  EXPECT_FALSE(trades.started());                           // and no seed for the first match
  EXPECT_EQ(trades.observe(41), SequenceVerdict::kFirst);
  EXPECT_EQ(trades.catch_up(41), SequenceVerdict::kInOrder);  // the heartbeat agrees
  EXPECT_EQ(trades.catch_up(40), SequenceVerdict::kInOrder);  // an older heartbeat is harmless
  EXPECT_EQ(trades.catch_up(44), SequenceVerdict::kGap);      // 42..44 never arrived
  EXPECT_EQ(trades.missed(), 3u);
  EXPECT_EQ(trades.catch_up(44), SequenceVerdict::kInOrder);  // reported once
  EXPECT_EQ(trades.observe(43), SequenceVerdict::kStale);     // a late one is dropped
  EXPECT_EQ(trades.observe(45), SequenceVerdict::kInOrder);
  EXPECT_EQ(trades.gaps(), 1u);
}

TEST(ResyncRequest, SendsOncePerEpisodeUntilTheSnapshotArrives) {
  using namespace std::chrono_literals;
  const ResyncRequest::Clock::time_point t0{};
  ResyncRequest resync(15s);
  EXPECT_FALSE(resync.pending());
  EXPECT_TRUE(resync.request(t0));
  EXPECT_TRUE(resync.pending());
  EXPECT_FALSE(resync.request(t0 + 1s));  // a second fault while in flight: not sent again
  EXPECT_FALSE(resync.overdue(t0 + 14s));
  EXPECT_TRUE(resync.complete());  // the fresh snapshot
  EXPECT_FALSE(resync.pending());
  EXPECT_FALSE(resync.complete());  // a snapshot nobody asked for (e.g. after subscribing)
  EXPECT_TRUE(resync.request(t0 + 20s));
}

TEST(ResyncRequest, RetriesARequestThatBroughtNoSnapshot) {
  using namespace std::chrono_literals;
  const ResyncRequest::Clock::time_point t0{};
  ResyncRequest resync(15s);
  EXPECT_FALSE(resync.overdue(t0 + 100s));  // nothing pending
  ASSERT_TRUE(resync.request(t0));
  EXPECT_TRUE(resync.overdue(t0 + 15s));
  EXPECT_FALSE(resync.overdue(t0 + 16s));  // restarted at 15 s
  EXPECT_TRUE(resync.request(t0 + 31s));   // a fault after the timeout sends again too
  resync.reset();
  EXPECT_FALSE(resync.pending());
}

}  // namespace
}  // namespace tickguard::feeds::coinbase
