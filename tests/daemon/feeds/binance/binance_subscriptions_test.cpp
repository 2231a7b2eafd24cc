#include "feeds/binance/binance_subscriptions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feeds/binance/binance_book.h"

namespace tickguard::feeds::binance {
namespace {

std::vector<std::string> streams_of(std::size_t symbols) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < symbols; ++i) {
    for (auto& stream : symbol_streams("SYM" + std::to_string(i) + "USDT")) out.push_back(std::move(stream));
  }
  return out;
}

TEST(BinanceSubscriptions, EachSymbolHasTradeBookTickerAndDiffDepthStreams) {
  const auto streams = symbol_streams("BTCUSDT");
  EXPECT_EQ(streams[0], "btcusdt@aggTrade");
  EXPECT_EQ(streams[1], "btcusdt@bookTicker");
  EXPECT_EQ(streams[2], "btcusdt@depth@100ms");
}

TEST(BinanceSubscriptions, OneSubscribeRequestCarriesAllStreamsOfAFewSymbols) {
  std::uint64_t next_id = 1;
  const std::vector<std::string> streams = {"btcusdt@aggTrade", "btcusdt@bookTicker"};
  const auto messages = subscribe_messages(streams, StreamLimits{}, next_id);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0],
            R"({"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@bookTicker"],"id":1})");
  EXPECT_EQ(next_id, 2U);
}

TEST(BinanceSubscriptions, LongStreamListsAreSplitAcrossRequestsWithIncreasingIds) {
  StreamLimits limits;
  limits.max_streams_per_message = 4;
  std::uint64_t next_id = 7;
  const auto streams = streams_of(3);  // 9 streams
  const auto messages = subscribe_messages(streams, limits, next_id);
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_NE(messages[0].find(R"("id":7})"), std::string::npos);
  EXPECT_NE(messages[2].find(R"("id":9})"), std::string::npos);
  EXPECT_EQ(next_id, 10U);
  std::size_t names = 0;
  for (const auto& message : messages) {
    for (std::size_t at = message.find("usdt@"); at != std::string::npos; at = message.find("usdt@", at + 1))
      ++names;
  }
  EXPECT_EQ(names, streams.size());
  EXPECT_NE(messages[2].find(R"(["sym2usdt@depth@100ms"])"), std::string::npos) << messages[2];
}

TEST(BinanceSubscriptions, NoStreamsNoRequests) {
  std::uint64_t next_id = 1;
  EXPECT_TRUE(subscribe_messages({}, StreamLimits{}, next_id).empty());
  EXPECT_EQ(next_id, 1U);
}

TEST(BinanceSubscriptions, ConnectionsHoldAtMost1024StreamsAndWholeSymbols) {
  const StreamLimits limits;
  EXPECT_EQ(symbols_per_connection(limits), 341U);  // 341 * 3 = 1023 <= 1024
  EXPECT_TRUE(connection_groups(0, limits).empty());
  EXPECT_EQ(connection_groups(5, limits), std::vector<std::size_t>{5});
  EXPECT_EQ(connection_groups(341, limits), std::vector<std::size_t>{341});
  EXPECT_EQ(connection_groups(700, limits), (std::vector<std::size_t>{341, 341, 18}));
}

TEST(BinanceSubscriptions, IndexFindsNativeSymbolsWithoutCopies) {
  const std::vector<std::string> natives = {"NKNUSDT", "LRCBTC", "OMGBUSD", "LRCBTC"};
  const NativeSymbolIndex index(natives);
  EXPECT_EQ(index.size(), 3U);  // the duplicate keeps its first slot
  EXPECT_EQ(index.find("NKNUSDT"), 0U);
  EXPECT_EQ(index.find("LRCBTC"), 1U);
  EXPECT_EQ(index.find("OMGBUSD"), 2U);
  EXPECT_EQ(index.find("nknusdt"), NativeSymbolIndex::kNotFound);  // payloads carry upper case
  EXPECT_EQ(index.find("NKNUSD"), NativeSymbolIndex::kNotFound);
  EXPECT_EQ(index.find(""), NativeSymbolIndex::kNotFound);
  EXPECT_EQ(NativeSymbolIndex().find("BTCUSDT"), NativeSymbolIndex::kNotFound);
}

TEST(BinanceResyncDecision, OnlyGapsAndCrossedBooksDiscardTheBook) {
  EXPECT_TRUE(sync_action(SyncResult::kApplied).publish);
  EXPECT_FALSE(sync_action(SyncResult::kApplied).fetch_snapshot);

  const SyncAction buffered = sync_action(SyncResult::kBuffered);
  EXPECT_TRUE(buffered.fetch_snapshot);  // the first buffered event starts the sync
  EXPECT_FALSE(buffered.restart || buffered.sequence_gap || buffered.dropped || buffered.publish);

  const SyncAction stale = sync_action(SyncResult::kStaleDropped);
  EXPECT_FALSE(stale.fetch_snapshot || stale.publish || stale.dropped || stale.sequence_gap);

  const SyncAction gap = sync_action(SyncResult::kGapNeedsResync);
  EXPECT_TRUE(gap.sequence_gap && gap.fetch_snapshot && gap.restart);
  EXPECT_FALSE(gap.publish || gap.crossed);

  const SyncAction old = sync_action(SyncResult::kSnapshotTooOld);
  EXPECT_TRUE(old.fetch_snapshot);
  EXPECT_FALSE(old.sequence_gap || old.restart);

  const SyncAction overflow = sync_action(SyncResult::kBufferOverflowNeedsResync);
  EXPECT_TRUE(overflow.dropped && overflow.fetch_snapshot);
  EXPECT_FALSE(overflow.sequence_gap || overflow.restart);  // a pending snapshot may still fit

  const SyncAction crossed = sync_action(SyncResult::kCrossedNeedsResync);
  EXPECT_TRUE(crossed.crossed && crossed.restart && crossed.fetch_snapshot);
  EXPECT_FALSE(crossed.sequence_gap);
}

}  // namespace
}  // namespace tickguard::feeds::binance
