// The REST fallback bodies: GET /products/{id}/ticker and GET /products/{id}/trades, on the
// constructed fixtures rest_ticker.json and rest_trades.json (shapes from the Exchange REST docs).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coinbase_fixtures.h"
#include "feeds/coinbase/coinbase_parse.h"

namespace tickguard::feeds::coinbase {
namespace {

using testing::read_all;

std::int64_t nanos(Timestamp t) { return t.time_since_epoch().count(); }

TEST(CoinbaseRestTicker, DecodesTheDocumentedTickerBody) {
  CoinbaseParser parser;
  RestTicker ticker;
  ASSERT_EQ(parser.parse_rest_ticker(read_all("rest_ticker.json"), ticker), ParseError::kNone);
  EXPECT_EQ(ticker.bid, 0.7716);
  EXPECT_EQ(ticker.ask, 0.7721);
  EXPECT_EQ(ticker.price, 0.7719);
  EXPECT_EQ(ticker.size, 120.5);
  EXPECT_EQ(ticker.trade_id, 1568325u);
  ASSERT_TRUE(ticker.has_time);
  EXPECT_EQ(nanos(ticker.time), 1618677910123456000);  // 2021-04-17T16:45:10.123456Z
}

TEST(CoinbaseRestTicker, NormalizesToATickerWithoutSizes) {
  CoinbaseParser parser;
  RestTicker rest;
  ASSERT_EQ(parser.parse_rest_ticker(read_all("rest_ticker.json"), rest), ParseError::kNone);
  const Timestamp received{std::chrono::seconds(1700000000)};
  const Ticker ticker = to_ticker(rest, 7, received);
  EXPECT_EQ(ticker.instrument, 7u);
  EXPECT_EQ(ticker.bid_price, 0.7716);
  EXPECT_EQ(ticker.ask_price, 0.7721);
  EXPECT_EQ(ticker.bid_size, 0);
  EXPECT_EQ(ticker.ask_size, 0);
  EXPECT_EQ(nanos(ticker.exchange_time), 1618677910123456000);
  EXPECT_EQ(ticker.receive_time, received);
}

TEST(CoinbaseRestTicker, TimeAndLastTradeAreOptionalBidAndAskAreNot) {
  CoinbaseParser parser;
  RestTicker ticker;
  ASSERT_EQ(parser.parse_rest_ticker(R"({"bid":"1.5","ask":"1.75"})", ticker), ParseError::kNone);
  EXPECT_EQ(ticker.bid, 1.5);
  EXPECT_EQ(ticker.ask, 1.75);
  EXPECT_FALSE(ticker.has_time);
  EXPECT_EQ(to_ticker(ticker, 1, Timestamp{}).exchange_time, Timestamp{});
  // Plain JSON numbers are accepted, as on the stream.
  ASSERT_EQ(parser.parse_rest_ticker(R"({"ask":2,"bid":1.25,"trade_id":"9"})", ticker), ParseError::kNone);
  EXPECT_EQ(ticker.bid, 1.25);
  EXPECT_EQ(ticker.ask, 2.0);
  EXPECT_EQ(ticker.trade_id, 9u);

  EXPECT_EQ(parser.parse_rest_ticker(R"({"ask":"1.75","price":"1.6"})", ticker), ParseError::kMissingField);
  EXPECT_EQ(parser.parse_rest_ticker(R"({"bid":"1.5"})", ticker), ParseError::kMissingField);
}

TEST(CoinbaseRestTicker, MalformedBodiesAreErrorsNotCrashes) {
  CoinbaseParser parser;
  RestTicker ticker;
  const std::string body = read_all("rest_ticker.json");
  EXPECT_EQ(parser.parse_rest_ticker("", ticker), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse_rest_ticker("not json", ticker), ParseError::kMalformedJson);
  EXPECT_NE(parser.parse_rest_ticker(body.substr(0, body.size() / 2), ticker), ParseError::kNone);
  EXPECT_EQ(parser.parse_rest_ticker(body + "{}", ticker), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse_rest_ticker("[]", ticker), ParseError::kMalformedJson);
  // The venue's error body for an unknown product is an object without bid/ask.
  EXPECT_EQ(parser.parse_rest_ticker(R"({"message":"NotFound"})", ticker), ParseError::kMissingField);
  EXPECT_EQ(parser.parse_rest_ticker(R"({"bid":"abc","ask":"1"})", ticker), ParseError::kBadValue);
  EXPECT_EQ(parser.parse_rest_ticker(R"({"bid":null,"ask":"1"})", ticker), ParseError::kBadValue);
  EXPECT_EQ(parser.parse_rest_ticker(R"({"bid":"1","ask":"2","time":"yesterday"})", ticker),
            ParseError::kBadValue);
}

TEST(CoinbaseRestTrades, DecodesTheDocumentedTradesBodyInVenueOrder) {
  CoinbaseParser parser;
  std::vector<Trade> trades;
  ASSERT_EQ(parser.parse_rest_trades(read_all("rest_trades.json"), trades), ParseError::kNone);
  ASSERT_EQ(trades.size(), 5u);
  // Newest first, as the venue sends them.
  EXPECT_EQ(trades[0].trade_id, 1568325u);
  EXPECT_EQ(trades[0].price, 0.7719);
  EXPECT_EQ(trades[0].quantity, 120.5);
  EXPECT_EQ(trades[0].side, Side::kBuy);  // maker "sell": an up-tick, a buyer lifted the offer
  EXPECT_EQ(nanos(trades[0].exchange_time), 1618677910123456000);
  EXPECT_EQ(trades[1].trade_id, 1568324u);
  EXPECT_EQ(trades[1].price, 0.7714);
  EXPECT_EQ(trades[1].quantity, 40.0);
  EXPECT_EQ(trades[1].side, Side::kSell);  // maker "buy": a down-tick, a seller hit the bid
  EXPECT_EQ(nanos(trades[1].exchange_time), 1618677907500000000);
  EXPECT_EQ(trades[2].exchange_time, trades[1].exchange_time);  // two fills of one taker order
  EXPECT_EQ(trades[4].trade_id, 1568321u);
  EXPECT_EQ(trades[4].price, 0.7716);
  EXPECT_EQ(trades[4].quantity, 250.0);
  EXPECT_EQ(nanos(trades[4].exchange_time), 1618677901250000000);
  for (const Trade& t : trades) {
    EXPECT_EQ(t.instrument, 0u);  // for the caller to fill in
    EXPECT_EQ(t.receive_time, Timestamp{});
  }
}

TEST(CoinbaseRestTrades, AnEmptyListIsValid) {
  CoinbaseParser parser;
  std::vector<Trade> trades{Trade{}};
  ASSERT_EQ(parser.parse_rest_trades("[]", trades), ParseError::kNone);
  EXPECT_TRUE(trades.empty());
}

TEST(CoinbaseRestTrades, ABadRowFailsTheWholeBody) {
  CoinbaseParser parser;
  std::vector<Trade> trades;
  const std::string good =
      R"({"time":"2021-04-17T16:45:01Z","trade_id":1,"price":"1","size":"2","side":"buy"})";
  ASSERT_EQ(parser.parse_rest_trades("[" + good + "]", trades), ParseError::kNone);
  EXPECT_EQ(trades.size(), 1u);
  EXPECT_EQ(parser.parse_rest_trades(
                R"([{"time":"2021-04-17T16:45:01Z","trade_id":1,"price":"1","size":"2"}])", trades),
            ParseError::kMissingField);
  EXPECT_EQ(parser.parse_rest_trades(R"([{"trade_id":1,"price":"1","size":"2","side":"buy"}])", trades),
            ParseError::kMissingField);
  EXPECT_EQ(parser.parse_rest_trades(
                R"([{"time":"2021-04-17T16:45:01Z","price":"1","size":"2","side":"buy"}])", trades),
            ParseError::kMissingField);
  EXPECT_EQ(
      parser.parse_rest_trades(
          "[" + good + R"(,{"time":"2021-04-17T16:45:01Z","trade_id":2,"price":"1","size":"2","side":"up"}])",
          trades),
      ParseError::kBadValue);
  EXPECT_EQ(
      parser.parse_rest_trades(
          R"([{"time":"2021-04-17T16:45:01Z","trade_id":-3,"price":"1","size":"2","side":"buy"}])", trades),
      ParseError::kBadValue);
  EXPECT_EQ(parser.parse_rest_trades(
                R"([{"time":"2021-04-17T16:45:01Z","trade_id":3,"price":"1.2.3","size":"2","side":"buy"}])",
                trades),
            ParseError::kBadValue);
  EXPECT_EQ(parser.parse_rest_trades("[" + good + ",42]", trades), ParseError::kMalformedJson);
}

TEST(CoinbaseRestTrades, MalformedBodiesAreErrorsNotCrashes) {
  CoinbaseParser parser;
  std::vector<Trade> trades;
  const std::string body = read_all("rest_trades.json");
  EXPECT_EQ(parser.parse_rest_trades("", trades), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse_rest_trades("<html>502 Bad Gateway</html>", trades), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse_rest_trades(R"({"message":"NotFound"})", trades), ParseError::kMalformedJson);
  EXPECT_NE(parser.parse_rest_trades(body.substr(0, body.size() / 2), trades), ParseError::kNone);
  EXPECT_EQ(parser.parse_rest_trades(body + "[]", trades), ParseError::kMalformedJson);
  // Every proper prefix of a valid body fails cleanly.
  const std::size_t end = body.find_last_of(']') + 1;
  for (std::size_t n = 0; n < end; ++n) {
    EXPECT_NE(parser.parse_rest_trades(body.substr(0, n), trades), ParseError::kNone) << n;
  }
}

TEST(CoinbaseRestParse, RestBodiesAndStreamFramesShareOneParser) {
  CoinbaseParser parser;
  std::vector<Trade> trades;
  RestTicker ticker;
  WsMessage message;
  ASSERT_EQ(parser.parse_rest_trades(read_all("rest_trades.json"), trades), ParseError::kNone);
  ASSERT_EQ(parser.parse(R"({"type":"heartbeat","product_id":"SKL-USD","sequence":5,"last_trade_id":1,)"
                         R"("time":"2021-04-17T16:44:00Z"})",
                         message),
            ParseError::kNone);
  EXPECT_EQ(message.product_id, "SKL-USD");
  ASSERT_EQ(parser.parse_rest_ticker(read_all("rest_ticker.json"), ticker), ParseError::kNone);
  EXPECT_EQ(trades.size(), 5u);
  EXPECT_EQ(ticker.bid, 0.7716);
}

}  // namespace
}  // namespace tickguard::feeds::coinbase
