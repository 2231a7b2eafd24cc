// Counts heap allocations (by replacing global operator new in this test binary) to check that the
// hot paths do not allocate once warmed up.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <span>

#include "binance_fixtures.h"
#include "feeds/binance/binance_book.h"
#include "feeds/binance/binance_parse.h"
#include "feeds/binance/binance_subscriptions.h"

namespace {
std::atomic<long> allocation_count{0};
}  // namespace

void* operator new(std::size_t size) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace tickguard::feeds::binance {
namespace {

TEST(BinanceAllocation, StreamParsingDoesNotAllocateAfterWarmUp) {
  BinanceParser parser;
  std::vector<std::string> frames;
  for (const auto& name :
       {"ws_depth_100ms.jsonl", "ws_bookTicker.jsonl", "ws_aggTrade.jsonl", "ws_kline_1m.jsonl"}) {
    const auto more = testing::read_frames(name);
    frames.insert(frames.end(), more.begin(), more.end());
  }
  for (const auto& frame : frames) parser.parse_stream(frame);
  const long before = allocation_count.load();
  int parsed = 0;
  for (const auto& frame : frames) parsed += parser.parse_stream(frame).kind != MessageKind::kError ? 1 : 0;
  EXPECT_EQ(allocation_count.load() - before, 0);
  EXPECT_EQ(parsed, static_cast<int>(frames.size()));
}

TEST(BinanceAllocation, AppliedDiffsDoNotAllocate) {
  BinanceParser parser;
  BinanceBookSync sync;
  DepthSnapshotMessage snapshot;
  ASSERT_TRUE(parser.parse_depth_snapshot(testing::read_fixture("rest_depth_NKNUSDT.json"), snapshot).ok);
  ASSERT_EQ(sync.on_snapshot(snapshot), SyncResult::kApplied);
  std::vector<std::string> diffs;
  for (const auto& frame : testing::read_frames("ws_depth_100ms.jsonl")) {
    if (frame.find("\"NKNUSDT\"") != std::string::npos) diffs.push_back(frame);
  }
  for (const auto& frame : diffs) parser.parse_stream(frame);  // warm the parser on these frames
  const long before = allocation_count.load();
  for (const auto& frame : diffs) {
    const SyncResult result = sync.on_depth_update(parser.parse_stream(frame).depth);
    ASSERT_TRUE(result == SyncResult::kApplied || result == SyncResult::kStaleDropped);
  }
  EXPECT_EQ(allocation_count.load() - before, 0);
}

TEST(BinanceAllocation, RestFallbackParsingDoesNotAllocateAfterWarmUp) {
  BinanceParser parser;
  const std::string ticker_body = testing::read_fixture("rest_bookTicker_NKNUSDT.json");
  const std::string trades_body = testing::read_fixture("rest_aggTrades_NKNUSDT.json");
  BookTickerMessage ticker;
  std::span<const Trade> trades;
  ASSERT_TRUE(parser.parse_book_ticker(ticker_body, ticker).ok);
  ASSERT_TRUE(parser.parse_agg_trades(trades_body, trades).ok);
  const long before = allocation_count.load();
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(parser.parse_book_ticker(ticker_body, ticker).ok);
    ASSERT_TRUE(parser.parse_agg_trades(trades_body, trades).ok);
    ASSERT_EQ(trades.size(), 5u);
  }
  EXPECT_EQ(allocation_count.load() - before, 0);
}

TEST(BinanceAllocation, SymbolLookupDoesNotAllocate) {
  const std::vector<std::string> natives = {"NKNUSDT", "LRCBTC", "OMGBUSD", "BTCUSDT", "ETHUSDT"};
  const NativeSymbolIndex index(natives);
  BinanceParser parser;
  const auto frames = testing::read_frames("ws_bookTicker.jsonl");
  for (const auto& frame : frames) parser.parse_stream(frame);
  const long before = allocation_count.load();
  std::size_t found = 0;
  for (const auto& frame : frames)
    found += index.find(parser.parse_stream(frame).symbol) != NativeSymbolIndex::kNotFound;
  EXPECT_EQ(allocation_count.load() - before, 0);
  EXPECT_EQ(found, frames.size() - 1);  // the one BLZETH ticker is not in the index
}

}  // namespace
}  // namespace tickguard::feeds::binance
