#include "feeds/binance/binance_book.h"

#include <gtest/gtest.h>

#include <string>

#include "binance_fixtures.h"

namespace tickguard::feeds::binance {
namespace {

using testing::read_fixture;
using testing::read_frames;

// A depthUpdate frame with the given update ids and levels ("price:size,price:size").
std::string diff_frame(std::uint64_t first, std::uint64_t final, const std::string& bids,
                       const std::string& asks) {
  const auto levels = [](const std::string& spec) {
    std::string out = "[";
    std::size_t start = 0;
    while (start < spec.size()) {
      std::size_t end = spec.find(',', start);
      if (end == std::string::npos) end = spec.size();
      const std::string level = spec.substr(start, end - start);
      const std::size_t colon = level.find(':');
      if (out.size() > 1) out += ",";
      out += "[\"" + level.substr(0, colon) + "\",\"" + level.substr(colon + 1) + "\"]";
      start = end + 1;
    }
    return out + "]";
  };
  return R"({"e":"depthUpdate","E":1700000000000,"s":"TESTUSDT","U":)" + std::to_string(first) + R"(,"u":)" +
         std::to_string(final) + R"(,"b":)" + levels(bids) + R"(,"a":)" + levels(asks) + "}";
}

std::string snapshot_body(std::uint64_t last_update_id) {
  return R"({"lastUpdateId":)" + std::to_string(last_update_id) +
         R"(,"bids":[["100.00","1.0"],["99.00","2.0"]],"asks":[["101.00","1.5"],["102.00","3.0"]]})";
}

class BookSyncTest : public ::testing::Test {
 protected:
  SyncResult diff(std::uint64_t first, std::uint64_t final, const std::string& bids = "",
                  const std::string& asks = "") {
    const StreamMessage& m = parser_.parse_stream(diff_frame(first, final, bids, asks));
    EXPECT_EQ(m.kind, MessageKind::kDepthUpdate) << m.reason;
    return sync_.on_depth_update(m.depth);
  }
  SyncResult snapshot(std::uint64_t last_update_id) {
    DepthSnapshotMessage message;
    EXPECT_TRUE(parser_.parse_depth_snapshot(snapshot_body(last_update_id), message).ok);
    return sync_.on_snapshot(message);
  }

  BinanceParser parser_;
  BinanceBookSync sync_;
};

TEST_F(BookSyncTest, BuffersUntilSnapshotThenReplaysOnlyNewerEvents) {
  EXPECT_EQ(diff(90, 95, "100.00:9"), SyncResult::kBuffered);
  EXPECT_EQ(diff(96, 102, "99.00:7"), SyncResult::kBuffered);  // straddles 101
  EXPECT_EQ(diff(103, 104, "", "101.00:0"), SyncResult::kBuffered);
  EXPECT_EQ(sync_.buffered_events(), 3u);
  EXPECT_FALSE(sync_.synced());

  EXPECT_EQ(snapshot(100), SyncResult::kApplied);
  EXPECT_TRUE(sync_.synced());
  EXPECT_EQ(sync_.last_update_id(), 104u);
  EXPECT_EQ(sync_.buffered_events(), 0u);
  // 90..95 was already in the snapshot, so the bid at 100 keeps the snapshot size.
  EXPECT_EQ(sync_.book().bids()[0].size, 1.0);
  EXPECT_EQ(sync_.book().bids()[1].size, 7.0);
  EXPECT_EQ(sync_.book().asks()[0].price, 102.0);  // 101 removed by a zero size

  EXPECT_EQ(diff(105, 106, "100.50:4"), SyncResult::kApplied);
  EXPECT_EQ(sync_.book().bids()[0].price, 100.5);
  BookSnapshot top;
  sync_.fill_snapshot(top);
  EXPECT_EQ(top.sequence, 106u);
  EXPECT_EQ(top.bid_count, 3);
  EXPECT_EQ(top.bids[0].price, 100.5);
}

TEST_F(BookSyncTest, SkippedUpdateIdNeedsResync) {
  ASSERT_EQ(snapshot(100), SyncResult::kApplied);
  ASSERT_EQ(diff(100, 101), SyncResult::kApplied);
  EXPECT_EQ(diff(103, 104), SyncResult::kGapNeedsResync);  // 102 never arrived
  EXPECT_TRUE(needs_snapshot(SyncResult::kGapNeedsResync));
  EXPECT_FALSE(sync_.synced());
  EXPECT_TRUE(sync_.book().empty());
  EXPECT_EQ(sync_.buffered_events(), 1u);  // the gap event starts the next buffer
  EXPECT_EQ(diff(105, 106), SyncResult::kBuffered);
  EXPECT_EQ(snapshot(104), SyncResult::kApplied);
  EXPECT_EQ(sync_.last_update_id(), 106u);
}

TEST_F(BookSyncTest, FirstEventAfterSnapshotMustStraddleIt) {
  ASSERT_EQ(snapshot(100), SyncResult::kApplied);
  EXPECT_EQ(diff(102, 103), SyncResult::kGapNeedsResync);  // 101 missing
}

TEST_F(BookSyncTest, OverlappingEventAfterFirstIsAGap) {
  ASSERT_EQ(snapshot(100), SyncResult::kApplied);
  ASSERT_EQ(diff(95, 105), SyncResult::kApplied);
  EXPECT_EQ(diff(104, 110), SyncResult::kGapNeedsResync);  // must start at 106
}

TEST_F(BookSyncTest, StaleEventsAreDropped) {
  ASSERT_EQ(snapshot(100), SyncResult::kApplied);
  EXPECT_EQ(diff(98, 100, "100.00:55"), SyncResult::kStaleDropped);
  ASSERT_EQ(diff(101, 103), SyncResult::kApplied);
  EXPECT_EQ(diff(102, 103, "100.00:55"), SyncResult::kStaleDropped);
  EXPECT_EQ(sync_.book().bids()[0].size, 1.0);
  EXPECT_TRUE(sync_.synced());
  EXPECT_EQ(diff(104, 104), SyncResult::kApplied);
}

TEST_F(BookSyncTest, SnapshotOlderThanBufferIsRejectedAndBufferKept) {
  ASSERT_EQ(diff(200, 210), SyncResult::kBuffered);
  ASSERT_EQ(diff(211, 220, "100.00:3"), SyncResult::kBuffered);
  EXPECT_EQ(snapshot(150), SyncResult::kSnapshotTooOld);
  EXPECT_FALSE(sync_.synced());
  EXPECT_EQ(sync_.buffered_events(), 2u);
  EXPECT_EQ(snapshot(215), SyncResult::kApplied);
  EXPECT_EQ(sync_.last_update_id(), 220u);
  EXPECT_EQ(sync_.book().bids()[0].size, 3.0);
}

TEST_F(BookSyncTest, CrossedBookNeedsResync) {
  ASSERT_EQ(snapshot(100), SyncResult::kApplied);
  EXPECT_EQ(diff(101, 101, "101.50:1"), SyncResult::kCrossedNeedsResync);  // bid above best ask 101
  EXPECT_FALSE(sync_.synced());
  EXPECT_TRUE(sync_.book().empty());
}

TEST_F(BookSyncTest, CrossedAfterReplayNeedsResync) {
  ASSERT_EQ(diff(101, 101, "", "99.50:1"), SyncResult::kBuffered);  // ask below best bid 100
  EXPECT_EQ(snapshot(100), SyncResult::kCrossedNeedsResync);
  EXPECT_FALSE(sync_.synced());
}

TEST(BinanceBookSync, BufferOverflowNeedsResync) {
  BinanceParser parser;
  BinanceBookSync sync(BookSyncOptions{.max_levels_per_side = 100, .max_buffered_events = 2});
  const auto feed = [&](std::uint64_t first, std::uint64_t final) {
    return sync.on_depth_update(parser.parse_stream(diff_frame(first, final, "1.0:1", "")).depth);
  };
  EXPECT_EQ(feed(1, 1), SyncResult::kBuffered);
  EXPECT_EQ(feed(2, 2), SyncResult::kBuffered);
  EXPECT_EQ(feed(3, 3), SyncResult::kBufferOverflowNeedsResync);
  EXPECT_EQ(sync.buffered_events(), 1u);
}

TEST(BinanceBookSync, HoleInBufferRestartsIt) {
  BinanceParser parser;
  BinanceBookSync sync;
  EXPECT_EQ(sync.on_depth_update(parser.parse_stream(diff_frame(1, 2, "", "")).depth), SyncResult::kBuffered);
  EXPECT_EQ(sync.on_depth_update(parser.parse_stream(diff_frame(5, 6, "", "")).depth), SyncResult::kBuffered);
  EXPECT_EQ(sync.buffered_events(), 1u);
}

// The recorded NKNUSDT snapshot (lastUpdateId 499869752) and the diffs recorded around it line up: the
// first diff ends at the snapshot and is dropped, the rest chain without gaps. bookTicker frames
// recorded with the same update id must then show the same top of book.
TEST(BinanceBookSync, RecordedSnapshotAndDiffsStayInSyncWithBookTicker) {
  BinanceParser parser;
  BinanceBookSync sync;
  std::vector<std::string> diffs;
  for (const auto& frame : read_frames("ws_depth_100ms.jsonl")) {
    const StreamMessage& m = parser.parse_stream(frame);
    if (m.kind == MessageKind::kDepthUpdate && m.symbol == "NKNUSDT") diffs.push_back(frame);
  }
  ASSERT_EQ(diffs.size(), 150u);
  struct Top {
    std::uint64_t id;
    Ticker ticker;
  };
  std::vector<Top> tops;
  for (const auto& frame : read_frames("ws_bookTicker.jsonl")) {
    const StreamMessage& m = parser.parse_stream(frame);
    if (m.kind == MessageKind::kTicker && m.symbol == "NKNUSDT") tops.push_back({m.book_update_id, m.ticker});
  }

  // Five diffs arrive before the snapshot response.
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(sync.on_depth_update(parser.parse_stream(diffs[i]).depth), SyncResult::kBuffered);
  }
  DepthSnapshotMessage snapshot;
  ASSERT_TRUE(parser.parse_depth_snapshot(read_fixture("rest_depth_NKNUSDT.json"), snapshot).ok);
  ASSERT_EQ(sync.on_snapshot(snapshot), SyncResult::kApplied);

  int compared = 0;
  for (std::size_t i = 5; i < diffs.size(); ++i) {
    ASSERT_EQ(sync.on_depth_update(parser.parse_stream(diffs[i]).depth), SyncResult::kApplied) << i;
    for (const Top& top : tops) {
      if (top.id != sync.last_update_id()) continue;
      const auto& book = sync.book();
      EXPECT_EQ(book.bids()[0].price, top.ticker.bid_price) << top.id;
      EXPECT_EQ(book.bids()[0].size, top.ticker.bid_size) << top.id;
      EXPECT_EQ(book.asks()[0].price, top.ticker.ask_price) << top.id;
      EXPECT_EQ(book.asks()[0].size, top.ticker.ask_size) << top.id;
      ++compared;
    }
  }
  EXPECT_EQ(sync.last_update_id(), 499870179u);
  EXPECT_GE(compared, 15);
  EXPECT_FALSE(sync.book().crossed());
}

}  // namespace
}  // namespace tickguard::feeds::binance
