#include "feeds/coinbase/coinbase_parse.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

#include "coinbase_fixtures.h"

namespace tickguard::feeds::coinbase {
namespace {

using testing::read_all;
using testing::read_lines;

std::int64_t nanos(Timestamp t) { return t.time_since_epoch().count(); }

TEST(CoinbaseParser, ParsesEveryRecordedMatchWithAggressorOppositeToMakerSide) {
  CoinbaseParser parser;
  const auto lines = read_lines("ws_match.jsonl");
  ASSERT_EQ(lines.size(), 97u);
  int buys = 0;
  int sells = 0;
  for (const auto& line : lines) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone) << line;
    ASSERT_EQ(msg.kind, MessageKind::kMatch);
    EXPECT_FALSE(msg.match.last_match);
    // The maker side is in the text; the aggressor must be the other one.
    const bool maker_buy = line.find("\"side\":\"buy\"") != std::string::npos;
    EXPECT_EQ(msg.match.trade.side, maker_buy ? Side::kSell : Side::kBuy) << line;
    (msg.match.trade.side == Side::kBuy ? buys : sells)++;
  }
  EXPECT_EQ(buys, 45);  // 45 resting sells were hit by buyers
  EXPECT_EQ(sells, 52);
}

TEST(CoinbaseParser, DecodesExactValuesOfTheFirstRecordedMatch) {
  CoinbaseParser parser;
  const auto lines = read_lines("ws_match.jsonl");
  WsMessage msg;
  ASSERT_EQ(parser.parse(lines.front(), msg), ParseError::kNone);
  EXPECT_EQ(msg.type, "match");
  EXPECT_EQ(msg.product_id, "SKL-BTC");
  EXPECT_EQ(msg.match.trade.trade_id, 280232u);
  EXPECT_EQ(msg.match.sequence, 177100030u);
  EXPECT_EQ(msg.match.trade.price, 0.00001305);
  EXPECT_EQ(msg.match.trade.quantity, 985.0);
  EXPECT_EQ(msg.match.trade.side, Side::kBuy);                           // maker side "sell"
  EXPECT_EQ(nanos(msg.match.trade.exchange_time), 1618677817089723000);  // 2021-04-17T16:43:37.089723Z

  ASSERT_EQ(parser.parse(lines.back(), msg), ParseError::kNone);
  EXPECT_EQ(msg.product_id, "SKL-USD");
  EXPECT_EQ(msg.match.trade.trade_id, 1568319u);
  EXPECT_EQ(msg.match.trade.price, 0.7902);
  EXPECT_EQ(msg.match.trade.quantity, 18.0);
  EXPECT_EQ(msg.match.trade.side, Side::kSell);  // maker side "buy"
  EXPECT_EQ(nanos(msg.match.trade.exchange_time), 1618677846669388000);

  // The parser fills the normalized Trade; only the pipeline's instrument and receive time are left.
  const Trade& trade = msg.match.trade;
  EXPECT_EQ(trade.instrument, 0u);
  EXPECT_EQ(trade.receive_time, Timestamp{});
}

TEST(CoinbaseParser, ParsesRecordedLastMatchesAsFlaggedTrades) {
  CoinbaseParser parser;
  const auto lines = read_lines("ws_last_match.jsonl");
  ASSERT_EQ(lines.size(), 10u);
  int aggressor_buys = 0;
  for (const auto& line : lines) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone) << line;
    ASSERT_EQ(msg.kind, MessageKind::kMatch);
    EXPECT_TRUE(msg.match.last_match);
    aggressor_buys += msg.match.trade.side == Side::kBuy;
  }
  EXPECT_EQ(aggressor_buys, 8);  // 8 of the 10 makers were sells

  WsMessage msg;
  ASSERT_EQ(parser.parse(lines[1], msg), ParseError::kNone);
  EXPECT_EQ(msg.product_id, "SKL-GBP");
  EXPECT_EQ(msg.match.trade.trade_id, 82007u);
  EXPECT_EQ(msg.match.sequence, 27883326u);
  EXPECT_EQ(msg.match.trade.price, 0.5752);
  EXPECT_EQ(msg.match.trade.quantity, 1008.2);
  EXPECT_EQ(msg.match.trade.side, Side::kSell);                          // maker side "buy"
  EXPECT_EQ(nanos(msg.match.trade.exchange_time), 1618677809571587000);  // 2021-04-17T16:43:29.571587Z
}

TEST(CoinbaseParser, ParsesEveryRecordedTicker) {
  CoinbaseParser parser;
  const auto lines = read_lines("ws_ticker.jsonl");
  ASSERT_EQ(lines.size(), 107u);
  for (const auto& line : lines) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone) << line;
    ASSERT_EQ(msg.kind, MessageKind::kTicker);
    EXPECT_FALSE(msg.product_id.empty());
    EXPECT_TRUE(msg.ticker.has_time);
    EXPECT_FALSE(msg.ticker.has_sizes);  // the 2021 feed did not send best_*_size
    EXPECT_LT(msg.ticker.best_bid, msg.ticker.best_ask) << line;
  }
  WsMessage msg;
  ASSERT_EQ(parser.parse(lines.front(), msg), ParseError::kNone);
  EXPECT_EQ(msg.product_id, "BAND-GBP");
  EXPECT_EQ(msg.ticker.sequence, 333938798u);
  EXPECT_EQ(msg.ticker.trade_id, 881613u);
  EXPECT_EQ(msg.ticker.best_bid, 14.7550);
  EXPECT_EQ(msg.ticker.best_ask, 14.8060);
  EXPECT_EQ(msg.ticker.taker_side, Side::kBuy);
  EXPECT_EQ(nanos(msg.ticker.time), 1618677810244075000);  // 2021-04-17T16:43:30.244075Z

  const Ticker ticker = to_ticker(msg.ticker, 3, Timestamp{});
  EXPECT_EQ(ticker.bid_price, 14.7550);
  EXPECT_EQ(ticker.ask_price, 14.8060);
  EXPECT_EQ(ticker.exchange_time, msg.ticker.time);
}

TEST(CoinbaseParser, TickerTakerSideAgreesWithAggressorOfTheSameMatch) {
  CoinbaseParser parser;
  std::map<std::pair<std::string, std::uint64_t>, Side> aggressor_by_trade;
  for (const char* file : {"ws_match.jsonl", "ws_last_match.jsonl"}) {
    for (const auto& line : read_lines(file)) {
      WsMessage msg;
      ASSERT_EQ(parser.parse(line, msg), ParseError::kNone);
      aggressor_by_trade[{std::string(msg.product_id), msg.match.trade.trade_id}] = msg.match.trade.side;
    }
  }
  int compared = 0;
  for (const auto& line : read_lines("ws_ticker.jsonl")) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone);
    const auto it = aggressor_by_trade.find({std::string(msg.product_id), msg.ticker.trade_id});
    if (it == aggressor_by_trade.end()) continue;
    EXPECT_EQ(msg.ticker.taker_side, it->second) << line;
    ++compared;
  }
  EXPECT_GT(compared, 90);
}

TEST(CoinbaseParser, ParsesTickerBestSizesWhenPresent) {
  CoinbaseParser parser;
  WsMessage msg;
  ASSERT_EQ(parser.parse(R"({"type":"ticker","sequence":5,"product_id":"BTC-USD","price":"100.5",)"
                         R"("best_bid":"100.25","best_bid_size":"1.5","best_ask":"100.75",)"
                         R"("best_ask_size":"0.25","side":"sell","time":"2024-01-02T03:04:05.5Z"})",
                         msg),
            ParseError::kNone);
  EXPECT_TRUE(msg.ticker.has_sizes);
  EXPECT_EQ(msg.ticker.best_bid_size, 1.5);
  EXPECT_EQ(msg.ticker.best_ask_size, 0.25);
  EXPECT_EQ(msg.ticker.taker_side, Side::kSell);
  EXPECT_EQ(to_ticker(msg.ticker, 0, Timestamp{}).ask_size, 0.25);
}

TEST(CoinbaseParser, TickerWithoutTimeLeavesExchangeTimeEmpty) {
  CoinbaseParser parser;
  WsMessage msg;
  ASSERT_EQ(
      parser.parse(R"({"type":"ticker","sequence":5,"product_id":"BTC-USD","best_bid":"1","best_ask":"2"})",
                   msg),
      ParseError::kNone);
  EXPECT_FALSE(msg.ticker.has_time);
  const Ticker ticker = to_ticker(msg.ticker, 4, Timestamp(std::chrono::seconds(9)));
  EXPECT_EQ(ticker.exchange_time, Timestamp{});
  EXPECT_EQ(ticker.receive_time, Timestamp(std::chrono::seconds(9)));
  EXPECT_EQ(ticker.instrument, 4u);
}

TEST(CoinbaseParser, ParsesRecordedSnapshotsIntoSidedLevels) {
  CoinbaseParser parser;
  const auto lines = read_lines("ws_snapshot.jsonl");
  ASSERT_EQ(lines.size(), 10u);
  for (const auto& line : lines) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone);
    ASSERT_EQ(msg.kind, MessageKind::kSnapshot);
    EXPECT_EQ(msg.book.levels.size(), 80u);  // the excerpt keeps 40 per side
    EXPECT_FALSE(msg.book.has_time);
  }
  WsMessage msg;
  ASSERT_EQ(parser.parse(lines.front(), msg), ParseError::kNone);
  EXPECT_EQ(msg.product_id, "BAND-GBP");
  const LevelChange& best_ask = msg.book.levels[0];  // asks come first in the frame
  EXPECT_EQ(best_ask.side, BookSide::kAsk);
  EXPECT_EQ(best_ask.price, 14.8024);
  EXPECT_EQ(best_ask.size, 12.77);
  EXPECT_EQ(best_ask.price_text, "14.8024");
  EXPECT_EQ(best_ask.size_text, "12.77");
  const LevelChange& best_bid = msg.book.levels[40];
  EXPECT_EQ(best_bid.side, BookSide::kBid);
  EXPECT_EQ(best_bid.price, 14.7693);
  EXPECT_EQ(best_bid.size, 27.51);
}

TEST(CoinbaseParser, ParsesRecordedL2UpdatesWithSidesAndTimes) {
  CoinbaseParser parser;
  const auto lines = read_lines("ws_l2update.jsonl");
  ASSERT_EQ(lines.size(), 300u);
  std::size_t changes = 0;
  std::size_t removals = 0;
  std::size_t bids = 0;
  for (const auto& line : lines) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone) << line;
    ASSERT_EQ(msg.kind, MessageKind::kL2Update);
    EXPECT_TRUE(msg.book.has_time);
    for (const auto& level : msg.book.levels) {
      ++changes;
      removals += level.size == 0;
      bids += level.side == BookSide::kBid;
    }
  }
  EXPECT_EQ(changes, 300u);
  EXPECT_EQ(removals, 65u);
  EXPECT_EQ(bids, 152u);  // "buy" changes

  WsMessage msg;
  ASSERT_EQ(parser.parse(lines.front(), msg), ParseError::kNone);
  EXPECT_EQ(msg.product_id, "SKL-BTC");
  ASSERT_EQ(msg.book.levels.size(), 1u);
  EXPECT_EQ(msg.book.levels[0].side, BookSide::kAsk);  // "sell"
  EXPECT_EQ(msg.book.levels[0].price, 0.00001306);
  EXPECT_EQ(msg.book.levels[0].size, 660.5);
  EXPECT_EQ(nanos(msg.book.time), 1618677817075687000);  // 2021-04-17T16:43:37.075687Z
}

TEST(CoinbaseParser, RecognisesSubscriptionsHeartbeatsErrorsAndUnknownTypes) {
  CoinbaseParser parser;
  for (const auto& line : read_lines("ws_subscriptions.jsonl")) {
    WsMessage msg;
    ASSERT_EQ(parser.parse(line, msg), ParseError::kNone);
    EXPECT_EQ(msg.kind, MessageKind::kSubscriptions);
  }

  WsMessage msg;
  ASSERT_EQ(parser.parse(R"({"type":"heartbeat","sequence":1234,"last_trade_id":77,)"
                         R"("product_id":"ETH-USD","time":"2024-05-06T07:08:09.123456Z"})",
                         msg),
            ParseError::kNone);
  EXPECT_EQ(msg.kind, MessageKind::kHeartbeat);
  EXPECT_EQ(msg.product_id, "ETH-USD");
  EXPECT_EQ(msg.heartbeat.sequence, 1234u);
  EXPECT_EQ(msg.heartbeat.last_trade_id, 77u);
  EXPECT_EQ(nanos(msg.heartbeat.time), 1714979289123456000);

  ASSERT_EQ(
      parser.parse(
          R"({"type":"error","message":"Failed to subscribe","reason":"BTC-XYZ is not a valid product"})",
          msg),
      ParseError::kNone);
  EXPECT_EQ(msg.kind, MessageKind::kError);
  EXPECT_EQ(msg.error_message, "Failed to subscribe");
  EXPECT_EQ(msg.error_reason, "BTC-XYZ is not a valid product");

  ASSERT_EQ(parser.parse(R"({"type":"status","products":[{"id":"BTC-USD"}]})", msg), ParseError::kNone);
  EXPECT_EQ(msg.kind, MessageKind::kUnknown);
  EXPECT_EQ(msg.type, "status");
}

TEST(CoinbaseParser, AcceptsFieldsInAnyOrder) {
  CoinbaseParser parser;
  WsMessage msg;
  ASSERT_EQ(parser.parse(R"({"time":"2021-04-17T16:43:37.089723Z","sequence":9,"price":"2.5","size":"4",)"
                         R"("side":"buy","product_id":"BTC-USD","trade_id":12,"type":"match"})",
                         msg),
            ParseError::kNone);
  EXPECT_EQ(msg.kind, MessageKind::kMatch);
  EXPECT_EQ(msg.match.trade.trade_id, 12u);
  EXPECT_EQ(msg.match.trade.side, Side::kSell);
}

TEST(CoinbaseParser, RejectsEveryTruncationOfARecordedFrameWithoutCrashing) {
  CoinbaseParser parser;
  for (const char* file : {"ws_match.jsonl", "ws_ticker.jsonl", "ws_l2update.jsonl", "ws_snapshot.jsonl"}) {
    const std::string line = read_lines(file).front();
    for (std::size_t length = 0; length < line.size(); ++length) {
      WsMessage msg;
      EXPECT_NE(parser.parse(std::string_view(line).substr(0, length), msg), ParseError::kNone)
          << file << " truncated to " << length;
    }
    WsMessage msg;
    EXPECT_EQ(parser.parse(line, msg), ParseError::kNone);  // the parser is still usable
  }
}

TEST(CoinbaseParser, ReportsMalformedFramesAsErrorValues) {
  CoinbaseParser parser;
  WsMessage msg;
  EXPECT_EQ(parser.parse("", msg), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse("not json", msg), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse("[1,2]", msg), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse(R"({"type":"match"} trailing)", msg), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse(R"({"type":"match","trade_id":1})", msg), ParseError::kMissingField);
  EXPECT_EQ(parser.parse(R"({"product_id":"BTC-USD"})", msg), ParseError::kMissingField);
  const std::string good_match =
      R"({"type":"match","trade_id":1,"sequence":2,"side":"sell","size":"1","price":"2",)"
      R"("product_id":"BTC-USD","time":"2021-04-17T16:43:37Z"})";
  EXPECT_EQ(parser.parse(good_match, msg), ParseError::kNone);
  auto with = [&](std::string_view from, std::string_view to) {
    std::string frame = good_match;
    frame.replace(frame.find(from), from.size(), to);
    return parser.parse(frame, msg);
  };
  EXPECT_EQ(with(R"("side":"sell")", R"("side":"up")"), ParseError::kBadValue);
  EXPECT_EQ(with(R"("price":"2")", R"("price":"abc")"), ParseError::kBadValue);
  EXPECT_EQ(with(R"("price":"2")", R"("price":true)"), ParseError::kBadValue);
  EXPECT_EQ(with(R"("trade_id":1)", R"("trade_id":-1)"), ParseError::kBadValue);
  EXPECT_EQ(with("16:43:37Z", "16:43:37"), ParseError::kBadValue);
  EXPECT_EQ(parser.parse(R"({"type":"l2update","product_id":"X-Y","changes":[["buy","1"]]})", msg),
            ParseError::kMissingField);
  EXPECT_EQ(parser.parse(R"({"type":"l2update","product_id":"X-Y","changes":[["hold","1","2"]]})", msg),
            ParseError::kBadValue);
  EXPECT_EQ(parser.parse(R"({"type":"l2update","product_id":"X-Y","changes":{}})", msg),
            ParseError::kMalformedJson);
}

TEST(CoinbaseParser, ParsesRecordedProducts) {
  CoinbaseParser parser;
  std::vector<Product> products;
  ASSERT_EQ(parser.parse_products(read_all("rest_products.json"), products), ParseError::kNone);
  ASSERT_EQ(products.size(), 14u);
  for (const auto& p : products) {
    EXPECT_TRUE(p.tradable()) << p.id;
    EXPECT_EQ(p.id, p.base_currency + "-" + p.quote_currency);
  }
  EXPECT_EQ(products[0].id, "SKL-EUR");
  EXPECT_EQ(products[0].base_currency, "SKL");
  EXPECT_EQ(products[0].quote_currency, "EUR");
  EXPECT_EQ(products[0].status, "online");
  EXPECT_FALSE(products[0].trading_disabled);

  ASSERT_EQ(
      parser.parse_products(
          R"([{"id":"A-B","base_currency":"A","quote_currency":"B","status":"online","trading_disabled":true}])",
          products),
      ParseError::kNone);
  EXPECT_FALSE(products[0].tradable());
  EXPECT_EQ(parser.parse_products(R"([{"id":"A-B"}])", products), ParseError::kMissingField);
  EXPECT_EQ(parser.parse_products(R"({"message":"rate limited"})", products), ParseError::kMalformedJson);
  EXPECT_EQ(parser.parse_products(R"([{"id":"A-B",)", products), ParseError::kMalformedJson);
}

}  // namespace
}  // namespace tickguard::feeds::coinbase
