// WebSocket v2 request building: splitting, the channel parameters the connector sends, pings, and
// which venue refusals are worth a resend.
#include "feeds/kraken/kraken_subscriptions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tickguard::feeds::kraken {
namespace {

TEST(KrakenSubscriptions, SubscribesDepthTenForEveryReportableDepth) {
  for (int levels = 1; levels <= 10; ++levels) EXPECT_EQ(subscription_depth(levels), 10) << levels;
  EXPECT_EQ(subscription_depth(0), 10);
  EXPECT_EQ(subscription_depth(11), 25);
  EXPECT_EQ(subscription_depth(5000), 1000);
}

TEST(KrakenSubscriptions, StreamsTradesWithoutSnapshotBboTickerAndBook) {
  const std::vector<KrakenChannel> channels = market_data_channels(10);
  ASSERT_EQ(channels.size(), 3u);
  const std::vector<std::string> symbols{"BTC/USD", "DOGE/USD"};
  std::uint64_t req_id = 1;
  std::vector<std::string> requests;
  for (const KrakenChannel& channel : channels) {
    for (std::string& r : v2_channel_requests("subscribe", channel, symbols, kMaxSymbolsPerRequest, req_id)) {
      requests.push_back(std::move(r));
    }
  }
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(
      requests[0],
      R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","DOGE/USD"],"snapshot":false},)"
      R"("req_id":1})");
  EXPECT_EQ(requests[1],
            R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","DOGE/USD"],)"
            R"("event_trigger":"bbo"},"req_id":2})");
  EXPECT_EQ(requests[2],
            R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","DOGE/USD"],"depth":10},)"
            R"("req_id":3})");
  EXPECT_EQ(req_id, 4u);
}

TEST(KrakenSubscriptions, SplitsLongSymbolListsAndNumbersEachRequest) {
  std::vector<std::string> symbols;
  for (int i = 0; i < 7; ++i) symbols.push_back("A" + std::to_string(i) + "/USD");
  KrakenChannel book;
  book.name = "book";
  book.depth = 10;
  std::uint64_t req_id = 40;
  const auto requests = v2_channel_requests("unsubscribe", book, symbols, 3, req_id);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0],
            R"({"method":"unsubscribe","params":{"channel":"book","symbol":["A0/USD","A1/USD","A2/USD"],)"
            R"("depth":10},"req_id":40})");
  EXPECT_EQ(requests[2],
            R"({"method":"unsubscribe","params":{"channel":"book","symbol":["A6/USD"],"depth":10},)"
            R"("req_id":42})");
  EXPECT_EQ(req_id, 43u);
  EXPECT_TRUE(v2_channel_requests("subscribe", book, {}, 3, req_id).empty());
  EXPECT_EQ(req_id, 43u);
  EXPECT_EQ(v2_channel_requests("subscribe", book, symbols, 0, req_id).size(), 7u)
      << "at least one per request";
}

TEST(KrakenSubscriptions, SplitsAtTheDefaultCap) {
  std::vector<std::string> symbols(2 * kMaxSymbolsPerRequest + 1, "BTC/USD");
  KrakenChannel trade;
  trade.name = "trade";
  std::uint64_t req_id = 1;
  EXPECT_EQ(v2_channel_requests("subscribe", trade, symbols, kMaxSymbolsPerRequest, req_id).size(), 3u);
}

TEST(KrakenSubscriptions, BuildsPing) { EXPECT_EQ(v2_ping_request(9), R"({"method":"ping","req_id":9})"); }

TEST(KrakenSubscriptions, ResendsOnlyRequestsRefusedForRate) {
  EXPECT_TRUE(is_rate_limit_error("Exceeded msg rate"));
  EXPECT_TRUE(is_rate_limit_error("EAPI:Rate limit exceeded"));
  EXPECT_TRUE(is_rate_limit_error("EGeneral:Too many requests"));
  EXPECT_FALSE(is_rate_limit_error("Currency pair not supported XYZ/USD"));
  EXPECT_FALSE(is_rate_limit_error("Already subscribed"));
  EXPECT_FALSE(is_rate_limit_error(""));
}

}  // namespace
}  // namespace tickguard::feeds::kraken
