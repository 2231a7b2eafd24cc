// Book synchronization on Bybit v5 orderbook messages constructed from the v5 documentation.
#include "feeds/bybit/bybit_book.h"

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <map>
#include <string>

#include "feeds/common/time_parse.h"

namespace tickguard::feeds::bybit {
namespace {

BookUpdate update(bool snapshot, std::uint64_t u, std::initializer_list<BookLevel> bids,
                  std::initializer_list<BookLevel> asks) {
  BookUpdate out;
  out.snapshot = snapshot;
  out.update_id = u;
  out.sequence = 41785900000 + u;
  out.exchange_time = from_unix_millis(1718236800000 + static_cast<std::int64_t>(u % 1000));
  out.bids = bids;
  out.asks = asks;
  return out;
}

BookUpdate snapshot(std::uint64_t u) {
  return update(true, u, {{66012.50, 0.5}, {66012.00, 1.2}}, {{66012.60, 0.25}, {66013.00, 0.73}});
}

TEST(BybitBookSync, SnapshotThenDeltasGiveExpectedTopOfBook) {
  BybitBookSync sync;
  EXPECT_EQ(sync.apply(snapshot(100)), BookSyncResult::kReset);
  EXPECT_EQ(sync.apply(update(false, 101, {{66012.55, 0.3}}, {})), BookSyncResult::kApplied);
  EXPECT_EQ(sync.apply(update(false, 102, {}, {{66012.60, 0.1}})), BookSyncResult::kApplied);
  ASSERT_TRUE(sync.synced());
  EXPECT_EQ(sync.last_update_id(), 102u);
  EXPECT_EQ(sync.last_sequence(), 41785900102u);

  BookSnapshot top;
  ASSERT_TRUE(sync.fill(top));
  EXPECT_EQ(top.sequence, 102u);
  EXPECT_EQ(top.exchange_time, from_unix_millis(1718236800102));
  ASSERT_EQ(top.bid_count, 3);
  EXPECT_EQ(top.bids[0].price, 66012.55);
  EXPECT_EQ(top.bids[0].size, 0.3);
  EXPECT_EQ(top.bids[1].price, 66012.50);
  ASSERT_EQ(top.ask_count, 2);
  EXPECT_EQ(top.asks[0].price, 66012.60);
  EXPECT_EQ(top.asks[0].size, 0.1);
}

TEST(BybitBookSync, ZeroSizeRemovesLevel) {
  BybitBookSync sync;
  sync.apply(snapshot(100));
  EXPECT_EQ(sync.apply(update(false, 101, {{66012.50, 0}}, {{66012.60, 0}})), BookSyncResult::kApplied);
  ASSERT_EQ(sync.book().bids().size(), 1u);
  EXPECT_EQ(sync.book().bids()[0].price, 66012.00);
  ASSERT_EQ(sync.book().asks().size(), 1u);
  EXPECT_EQ(sync.book().asks()[0].price, 66013.00);
}

TEST(BybitBookSync, DeltaBeforeSnapshotNeedsSnapshot) {
  BybitBookSync sync;
  const BookSyncResult result = sync.apply(update(false, 101, {{66012.55, 0.3}}, {}));
  EXPECT_EQ(result, BookSyncResult::kNeedsSnapshot);
  EXPECT_TRUE(needs_resync(result));
  EXPECT_FALSE(sync.synced());
  EXPECT_TRUE(sync.book().empty());
  BookSnapshot top;
  EXPECT_FALSE(sync.fill(top));
}

TEST(BybitBookSync, UpdateIdOneResetsBookEvenAsDelta) {
  BybitBookSync sync;
  sync.apply(snapshot(5000));
  // After a Bybit service restart the stream restarts at u=1 with full data.
  EXPECT_EQ(sync.apply(update(false, 1, {{65000.00, 2.0}}, {{65001.00, 1.0}})), BookSyncResult::kReset);
  ASSERT_EQ(sync.book().bids().size(), 1u);
  EXPECT_EQ(sync.book().bids()[0].price, 65000.00);
  ASSERT_EQ(sync.book().asks().size(), 1u);
  EXPECT_EQ(sync.last_update_id(), 1u);
  EXPECT_EQ(sync.apply(update(false, 2, {{65000.50, 0.1}}, {})), BookSyncResult::kApplied);
  EXPECT_EQ(sync.book().bids()[0].price, 65000.50);
}

TEST(BybitBookSync, UpdateIdOneAlsoRecoversAnUnsyncedBook) {
  BybitBookSync sync;
  EXPECT_EQ(sync.apply(update(false, 1, {{65000.00, 2.0}}, {{65001.00, 1.0}})), BookSyncResult::kReset);
  EXPECT_TRUE(sync.synced());
}

TEST(BybitBookSync, GapInUpdateIdsNeedsResyncUntilNextSnapshot) {
  BybitBookSync sync;
  sync.apply(snapshot(100));
  EXPECT_EQ(sync.apply(update(false, 101, {}, {})), BookSyncResult::kApplied);
  const BookSyncResult gap = sync.apply(update(false, 103, {{66012.55, 0.3}}, {}));
  EXPECT_EQ(gap, BookSyncResult::kGapNeedsResync);
  EXPECT_TRUE(needs_resync(gap));
  EXPECT_FALSE(sync.synced());
  EXPECT_TRUE(sync.book().empty());
  EXPECT_EQ(sync.apply(update(false, 104, {}, {})), BookSyncResult::kNeedsSnapshot);
  EXPECT_EQ(sync.apply(snapshot(200)), BookSyncResult::kReset);
  EXPECT_EQ(sync.apply(update(false, 201, {}, {})), BookSyncResult::kApplied);
}

TEST(BybitBookSync, StaleDeltaIsIgnored) {
  BybitBookSync sync;
  sync.apply(snapshot(100));
  EXPECT_EQ(sync.apply(update(false, 100, {{66012.55, 9.0}}, {})), BookSyncResult::kStale);
  EXPECT_EQ(sync.apply(update(false, 99, {{66012.55, 9.0}}, {})), BookSyncResult::kStale);
  EXPECT_FALSE(needs_resync(BookSyncResult::kStale));
  EXPECT_EQ(sync.book().bids()[0].price, 66012.50);
  EXPECT_EQ(sync.apply(update(false, 101, {}, {})), BookSyncResult::kApplied);
}

TEST(BybitBookSync, CrossedBookNeedsResync) {
  BybitBookSync sync;
  sync.apply(snapshot(100));
  const BookSyncResult crossed = sync.apply(update(false, 101, {{66012.70, 0.4}}, {}));
  EXPECT_EQ(crossed, BookSyncResult::kCrossedNeedsResync);
  EXPECT_TRUE(needs_resync(crossed));
  EXPECT_FALSE(sync.synced());
  EXPECT_EQ(sync.apply(update(true, 300, {{66012.60, 1}}, {{66012.60, 1}})),
            BookSyncResult::kCrossedNeedsResync);  // a crossed snapshot is rejected too
  EXPECT_FALSE(sync.synced());
}

TEST(BybitBookAction, AppliedAndResetBooksArePublished) {
  EXPECT_EQ(book_action(BookSyncResult::kApplied, false), BookAction::kPublish);
  EXPECT_EQ(book_action(BookSyncResult::kReset, true), BookAction::kPublish);
  EXPECT_EQ(book_action(BookSyncResult::kReset, false), BookAction::kPublish);
}

TEST(BybitBookAction, DeltasWhileTheSnapshotIsOnItsWayAreDroppedNotResynced) {
  EXPECT_EQ(book_action(BookSyncResult::kNeedsSnapshot, true), BookAction::kDrop);
  EXPECT_EQ(book_action(BookSyncResult::kStale, false), BookAction::kDrop);
}

TEST(BybitBookAction, GapsCrossedBooksAndUnexpectedlyLostBooksResync) {
  EXPECT_EQ(book_action(BookSyncResult::kGapNeedsResync, false), BookAction::kResync);
  EXPECT_EQ(book_action(BookSyncResult::kCrossedNeedsResync, false), BookAction::kResync);
  EXPECT_EQ(book_action(BookSyncResult::kCrossedNeedsResync, true), BookAction::kResync);
  EXPECT_EQ(book_action(BookSyncResult::kNeedsSnapshot, false), BookAction::kResync);
}

TEST(BybitBookAction, ResyncSequenceAfterGapDropsUntilTheFreshSnapshot) {
  BybitBookSync sync(100);
  bool awaiting = true;
  const auto step = [&](const BookUpdate& u) {
    const BookAction action = book_action(sync.apply(u), awaiting);
    if (action == BookAction::kPublish) awaiting = false;
    if (action == BookAction::kResync) awaiting = true;
    return action;
  };
  EXPECT_EQ(step(update(false, 99, {}, {})), BookAction::kDrop);  // before the first snapshot
  EXPECT_EQ(step(snapshot(100)), BookAction::kPublish);
  EXPECT_EQ(step(update(false, 101, {}, {})), BookAction::kPublish);
  EXPECT_EQ(step(update(false, 103, {}, {})), BookAction::kResync);  // 102 missing
  EXPECT_EQ(step(update(false, 104, {}, {})), BookAction::kDrop);
  EXPECT_EQ(step(update(false, 105, {}, {})), BookAction::kDrop);
  EXPECT_EQ(step(snapshot(500)), BookAction::kPublish);
  EXPECT_EQ(step(update(false, 501, {}, {})), BookAction::kPublish);
}

TEST(BybitBookSync, ReplaysRecordedStyleSessionThroughParser) {
  std::ifstream in(std::string(TICKGUARD_SOURCE_DIR) +
                   "/tests/fixtures/bybit/v5_ws_spot_orderbook_session.jsonl");
  ASSERT_TRUE(in.good());
  BybitParser parser;
  BybitMessage message;
  BybitBookSync sync;
  int pongs = 0, acks = 0, applied = 0;
  for (std::string line; std::getline(in, line);) {
    ASSERT_EQ(parser.parse_ws(line, message), ParseStatus::kOk) << line;
    switch (message.kind) {
      case MessageKind::kBookSnapshot:
      case MessageKind::kBookDelta: {
        const BookSyncResult result = sync.apply(message.book);
        ASSERT_FALSE(needs_resync(result)) << to_string(result);
        ++applied;
        break;
      }
      case MessageKind::kPong:
        ++pongs;
        break;
      case MessageKind::kSubscribed:
        ++acks;
        break;
      default:
        FAIL() << line;
    }
  }
  EXPECT_EQ(applied, 3);
  EXPECT_EQ(pongs, 1);
  EXPECT_EQ(acks, 1);
  BookSnapshot top;
  ASSERT_TRUE(sync.fill(top));
  EXPECT_EQ(top.sequence, 3184203u);
  ASSERT_EQ(top.bid_count, 3);
  EXPECT_EQ(top.bids[0].price, 66012.20);
  EXPECT_EQ(top.bids[0].size, 0.1);
  EXPECT_EQ(top.bids[1].price, 66012.00);
  ASSERT_EQ(top.ask_count, 3);
  EXPECT_EQ(top.asks[0].price, 66012.90);
  EXPECT_EQ(top.asks[0].size, 0.04);
  EXPECT_EQ(top.asks[1].price, 66013.00);
}

// The v5 replay rewritten from the recorded v2 session (see tests/fixtures/bybit/README.md) keeps
// both books consistent: every message applies, none needs a resync.
TEST(BybitBookSync, ReplayFixtureAppliesWithoutResync) {
  std::ifstream in(std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/bybit/v5_ws_spot_replay.jsonl");
  ASSERT_TRUE(in.good());
  BybitParser parser;
  BybitMessage message;
  std::map<std::string, BybitBookSync> books;
  int trades = 0, book_messages = 0, tickers = 0;
  for (std::string line; std::getline(in, line);) {
    ASSERT_EQ(parser.parse_ws(line, message), ParseStatus::kOk) << line;
    if (message.kind == MessageKind::kTrades) trades += static_cast<int>(message.trades.size());
    if (message.kind == MessageKind::kTicker) ++tickers;
    if (message.kind == MessageKind::kBookSnapshot || message.kind == MessageKind::kBookDelta) {
      const BookSyncResult result = books.try_emplace(message.symbol, 100).first->second.apply(message.book);
      ASSERT_EQ(book_action(result, false), BookAction::kPublish) << to_string(result) << " " << line;
      ++book_messages;
    }
  }
  EXPECT_EQ(trades, 58);
  EXPECT_EQ(tickers, 33);
  EXPECT_EQ(book_messages, 122);
  EXPECT_EQ(books.size(), 2u);
}

}  // namespace
}  // namespace tickguard::feeds::bybit
