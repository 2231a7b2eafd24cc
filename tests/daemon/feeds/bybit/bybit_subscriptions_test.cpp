// Subscription building for the Bybit v5 spot stream: topics per symbol, requests split to the
// documented 10 args, connections split by the documented 21,000 characters of args.
#include "feeds/bybit/bybit_subscriptions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tickguard::feeds::bybit {
namespace {

TEST(BybitSubscriptions, SymbolTopicsAreTradesTickerAndFiftyLevelBook) {
  const auto topics = symbol_topics("BTCUSDT");
  EXPECT_EQ(topics[0], "publicTrade.BTCUSDT");
  EXPECT_EQ(topics[1], "tickers.BTCUSDT");
  EXPECT_EQ(topics[2], "orderbook.50.BTCUSDT");
  EXPECT_EQ(book_topic("ETHUSDC"), "orderbook.50.ETHUSDC");
}

TEST(BybitSubscriptions, OneSymbolIsOneRequestInTheDocumentedShape) {
  const auto topics = symbol_topics("BTCUSDT");
  const auto requests = op_requests("subscribe", topics);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0],
            R"({"op":"subscribe","args":["publicTrade.BTCUSDT","tickers.BTCUSDT","orderbook.50.BTCUSDT"]})");
}

TEST(BybitSubscriptions, RequestsCarryAtMostTenArgsInOrder) {
  std::vector<std::string> topics;
  for (int i = 0; i < 23; ++i) topics.push_back("t" + std::to_string(i));
  const auto requests = op_requests("unsubscribe", topics);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0],
            R"({"op":"unsubscribe","args":["t0","t1","t2","t3","t4","t5","t6","t7","t8","t9"]})");
  EXPECT_EQ(requests[2], R"({"op":"unsubscribe","args":["t20","t21","t22"]})");
  EXPECT_EQ(kMaxArgsPerRequest, 10u);
}

TEST(BybitSubscriptions, ExactlyTenArgsFitOneRequestAndNoTopicsNoRequest) {
  std::vector<std::string> topics(10, "x");
  EXPECT_EQ(op_requests("subscribe", topics).size(), 1u);
  topics.emplace_back("y");
  EXPECT_EQ(op_requests("subscribe", topics).size(), 2u);
  EXPECT_TRUE(op_requests("subscribe", std::vector<std::string>{}).empty());
}

TEST(BybitSubscriptions, ArgsCharsCountQuotesAndCommas) {
  const std::vector<std::string> topics{"ab", "cde"};
  EXPECT_EQ(args_chars(topics), 2u + 3u + 3u + 3u);
}

TEST(BybitSubscriptions, TypicalConfigNeedsOneConnection) {
  std::vector<std::size_t> chars(300, args_chars(symbol_topics("BTCUSDT")));
  const auto groups = plan_connections(chars);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].size(), 300u);
}

TEST(BybitSubscriptions, ConnectionsSplitAtTheArgsLengthBudget) {
  const std::vector<std::size_t> chars{40, 40, 40, 30, 100, 10};
  const auto groups = plan_connections(chars, 100);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0], (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(groups[1], (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(groups[2], (std::vector<std::size_t>{4}));
  EXPECT_EQ(groups[3], (std::vector<std::size_t>{5}));
  EXPECT_TRUE(plan_connections(std::vector<std::size_t>{}).empty());
}

TEST(BybitSubscriptions, OversizedSymbolGetsAConnectionOfItsOwn) {
  const auto groups = plan_connections(std::vector<std::size_t>{10, 500, 10}, 100);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[1], (std::vector<std::size_t>{1}));
}

TEST(BybitSubscriptions, EveryPlannedConnectionStaysUnderTheDocumentedLimit) {
  std::vector<std::size_t> chars;
  for (int i = 0; i < 2000; ++i)
    chars.push_back(args_chars(symbol_topics("SYM" + std::to_string(i) + "USDT")));
  std::size_t symbols = 0;
  for (const auto& group : plan_connections(chars)) {
    std::size_t total = 0;
    for (std::size_t i : group) total += chars[i];
    EXPECT_LE(total, kMaxArgsCharsPerConnection);
    symbols += group.size();
  }
  EXPECT_EQ(symbols, chars.size());
}

}  // namespace
}  // namespace tickguard::feeds::bybit
