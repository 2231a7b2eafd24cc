#include "feeds/binance/binance_parse.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <span>

#include "binance_fixtures.h"

namespace tickguard::feeds::binance {
namespace {

using testing::read_fixture;
using testing::read_frames;

std::int64_t millis_of(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::map<MessageKind, int> count_kinds(BinanceParser& parser, const std::vector<std::string>& frames) {
  std::map<MessageKind, int> counts;
  for (const std::string& frame : frames) ++counts[parser.parse_stream(frame).kind];
  return counts;
}

TEST(BinanceParser, ParsesEveryRecordedAggTradeFrame) {
  BinanceParser parser;
  const auto spot = read_frames("ws_aggTrade.jsonl");
  const auto us = read_frames("us_ws_aggTrade.jsonl");
  ASSERT_EQ(spot.size(), 2u);
  ASSERT_GT(us.size(), 5u);
  EXPECT_EQ(count_kinds(parser, spot)[MessageKind::kTrade], 2);
  EXPECT_EQ(count_kinds(parser, us)[MessageKind::kTrade], static_cast<int>(us.size()));

  const StreamMessage& m = parser.parse_stream(spot[0]);
  ASSERT_EQ(m.kind, MessageKind::kTrade) << m.reason;
  EXPECT_EQ(m.symbol, "NKNUSDT");
  EXPECT_EQ(m.trade.price, 0.3528);
  EXPECT_EQ(m.trade.quantity, 58.0);
  EXPECT_EQ(m.trade.trade_id, 15683430u);
  EXPECT_EQ(millis_of(m.trade.exchange_time), 1633998523963);
  EXPECT_EQ(m.trade.side, Side::kBuy);  // m=false: the buyer was the taker
}

TEST(BinanceParser, TradeStreamUsesTradeIdAndMakerFlagForSide) {
  BinanceParser parser;
  // Shape of the documented <symbol>@trade payload, raw (not combined) form; "b"/"a" are the order ids
  // older API versions sent and must not be taken for the trade id.
  const StreamMessage& m = parser.parse_stream(
      R"({"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","b":88,"a":50,)"
      R"("T":1672515782136,"m":true,"M":true})");
  ASSERT_EQ(m.kind, MessageKind::kTrade) << m.reason;
  EXPECT_EQ(m.symbol, "BNBBTC");
  EXPECT_EQ(m.trade.trade_id, 12345u);
  EXPECT_EQ(m.trade.side, Side::kSell);
  EXPECT_EQ(m.trade.price, 0.001);
}

TEST(BinanceParser, ParsesEveryRecordedBookTickerFrame) {
  BinanceParser parser;
  const auto frames = read_frames("ws_bookTicker.jsonl");
  ASSERT_EQ(frames.size(), 84u);
  EXPECT_EQ(count_kinds(parser, frames)[MessageKind::kTicker], 84);

  const StreamMessage& m = parser.parse_stream(frames[0]);
  ASSERT_EQ(m.kind, MessageKind::kTicker) << m.reason;
  EXPECT_EQ(m.symbol, "NKNUSDT");
  EXPECT_EQ(m.book_update_id, 499869768u);
  EXPECT_EQ(m.ticker.bid_price, 0.3521);
  EXPECT_EQ(m.ticker.bid_size, 672.0);
  EXPECT_EQ(m.ticker.ask_price, 0.3526);
  EXPECT_EQ(m.ticker.ask_size, 3199.0);
}

TEST(BinanceParser, ParsesEveryRecordedDepthUpdateFrame) {
  BinanceParser parser;
  const auto frames = read_frames("ws_depth_100ms.jsonl");
  ASSERT_EQ(frames.size(), 177u);
  EXPECT_EQ(count_kinds(parser, frames)[MessageKind::kDepthUpdate], 177);

  const StreamMessage& m = parser.parse_stream(frames[0]);
  ASSERT_EQ(m.kind, MessageKind::kDepthUpdate) << m.reason;
  EXPECT_EQ(m.symbol, "NKNUSDT");
  EXPECT_EQ(millis_of(m.depth.event_time), 1633998512068);
  EXPECT_EQ(m.depth.first_update_id, 499869750u);
  EXPECT_EQ(m.depth.final_update_id, 499869752u);
  ASSERT_EQ(m.depth.bids.size(), 3u);
  EXPECT_TRUE(m.depth.asks.empty());
  EXPECT_EQ(m.depth.bids[0].price_text, "0.35130000");
  EXPECT_EQ(m.depth.bids[0].size_text, "6195.00000000");
  EXPECT_EQ(m.depth.bids[0].price, 0.3513);
  EXPECT_EQ(m.depth.bids[2].size, 6222.0);
}

TEST(BinanceParser, ParsesRecordedKlinesWithClosedFlag) {
  BinanceParser parser;
  const auto spot = read_frames("ws_kline_1m.jsonl");
  const auto us = read_frames("us_ws_kline_1m.jsonl");
  EXPECT_EQ(count_kinds(parser, spot)[MessageKind::kKline], 2);
  EXPECT_EQ(count_kinds(parser, us)[MessageKind::kKline], static_cast<int>(us.size()));
  int closed = 0;
  for (const auto& frame : us) closed += parser.parse_stream(frame).candle_closed ? 1 : 0;
  EXPECT_EQ(closed, 1);

  const StreamMessage& m = parser.parse_stream(spot[0]);
  ASSERT_EQ(m.kind, MessageKind::kKline) << m.reason;
  EXPECT_EQ(m.symbol, "NKNUSDT");
  EXPECT_EQ(millis_of(m.candle.open_time), 1633998480000);
  EXPECT_EQ(m.candle.interval, std::chrono::minutes(1));
  EXPECT_EQ(m.candle.open, 0.3527);
  EXPECT_EQ(m.candle.high, 0.3528);
  EXPECT_EQ(m.candle.low, 0.3522);
  EXPECT_EQ(m.candle.close, 0.3528);
  EXPECT_EQ(m.candle.volume, 25877.0);
  EXPECT_FALSE(m.candle_closed);
}

TEST(BinanceParser, AcceptsRawStreamPayloadWithoutEnvelope) {
  BinanceParser parser;
  const StreamMessage& m = parser.parse_stream(
      R"({"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"})");
  ASSERT_EQ(m.kind, MessageKind::kTicker) << m.reason;
  EXPECT_EQ(m.symbol, "BNBUSDT");
  EXPECT_EQ(m.ticker.ask_size, 40.66);
}

TEST(BinanceParser, IgnoresSubscriptionRepliesAndUnhandledEvents) {
  BinanceParser parser;
  EXPECT_EQ(parser.parse_stream(R"({"result":null,"id":1})").kind, MessageKind::kIgnored);
  EXPECT_EQ(parser.parse_stream(R"({"result":["btcusdt@aggTrade"],"id":3})").kind, MessageKind::kIgnored);
  EXPECT_EQ(
      parser.parse_stream(R"({"stream":"btcusdt@ticker","data":{"e":"24hrTicker","E":1,"s":"BTCUSDT"}})")
          .kind,
      MessageKind::kIgnored);
}

TEST(BinanceParser, ReportsVenueErrorRepliesWithCodeAndMessage) {
  BinanceParser parser;
  const StreamMessage& nested = parser.parse_stream(R"({"error":{"code":2,"msg":"Invalid request"},"id":1})");
  EXPECT_EQ(nested.kind, MessageKind::kVenueError);
  EXPECT_FALSE(nested.reason.empty());
  EXPECT_EQ(nested.venue_code, 2);
  EXPECT_EQ(nested.venue_message, "Invalid request");

  const StreamMessage& flat =
      parser.parse_stream(R"({"code":3,"msg":"Invalid JSON: expected value at line 1"})");
  EXPECT_EQ(flat.kind, MessageKind::kVenueError);
  EXPECT_EQ(flat.venue_code, 3);
  EXPECT_EQ(flat.venue_message, "Invalid JSON: expected value at line 1");
}

TEST(BinanceParser, RecognisesServerShutdownInBothStreamForms) {
  BinanceParser parser;
  EXPECT_EQ(parser.parse_stream(R"({"e":"serverShutdown","E":1770123456789})").kind,
            MessageKind::kServerShutdown);
  EXPECT_EQ(
      parser.parse_stream(R"({"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}})")
          .kind,
      MessageKind::kServerShutdown);
}

TEST(BinanceParser, EveryTruncationOfARecordedFrameIsAnError) {
  BinanceParser parser;
  for (const auto& name :
       {"ws_depth_100ms.jsonl", "ws_aggTrade.jsonl", "ws_kline_1m.jsonl", "ws_bookTicker.jsonl"}) {
    const std::string frame = read_frames(name)[0];
    for (std::size_t length = 0; length < frame.size(); ++length) {
      const StreamMessage& m = parser.parse_stream(std::string_view(frame).substr(0, length));
      EXPECT_EQ(m.kind, MessageKind::kError) << name << " cut at " << length;
    }
    EXPECT_NE(parser.parse_stream(frame).kind, MessageKind::kError);
  }
}

TEST(BinanceParser, WrongTypesAndMissingFieldsAreErrors) {
  BinanceParser parser;
  const char* bad[] = {
      "",
      "[]",
      "null",
      "not json",
      R"({"e":"aggTrade","E":1,"s":"X","a":1,"p":0.5,"q":"1","T":1,"m":false})",      // number price
      R"({"e":"aggTrade","E":1,"s":"X","a":1,"p":"abc","q":"1","T":1,"m":false})",    // non-decimal
      R"({"e":"aggTrade","E":1,"s":"X","a":1,"p":"0.5","q":"1","T":1,"m":"false"})",  // string bool
      R"({"e":"aggTrade","E":1,"s":"X","a":1,"p":"0.5","q":"1","m":false})",          // no T
      R"({"e":"aggTrade","E":1,"s":"X","a":-1,"p":"0.5","q":"1","T":1,"m":false})",   // negative id
      R"({"e":"depthUpdate","E":1,"s":"X","U":"5","u":6,"b":[],"a":[]})",             // string U
      R"({"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[["0.1"]],"a":[]})",        // short level
      R"({"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[[0.1,1]],"a":[]})",        // number level
      R"({"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":{},"a":[]})",               // object levels
      R"({"e":"depthUpdate","E":1,"s":"X","U":7,"u":6,"b":[],"a":[]})",               // U > u
      R"({"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[]})",                      // no asks
      R"({"e":"kline","E":1,"s":"X","k":{"t":0,"T":59999,"o":"1","h":"1","l":"1","c":"1"}})",  // no v, x
      R"({"e":"kline","E":1,"s":"X","k":[]})",
      R"({"stream":"x@aggTrade","data":"oops"})",
      R"({"u":1,"s":"X","b":"1","a":"2"})",  // bookTicker without sizes
      R"({"e":"aggTrade","E":1,"s":"X","a":1,"p":"0.5","q":"1","T":1,"m":false} trailing)",
      R"({"hello":"world"})",
  };
  for (const char* frame : bad) {
    const StreamMessage& m = parser.parse_stream(frame);
    EXPECT_EQ(m.kind, MessageKind::kError) << frame;
    EXPECT_FALSE(m.reason.empty()) << frame;
  }
}

TEST(BinanceParser, BufferStopsGrowingAfterWarmUp) {
  BinanceParser parser;
  std::vector<std::string> frames;
  for (const auto& name :
       {"ws_depth_100ms.jsonl", "ws_bookTicker.jsonl", "ws_aggTrade.jsonl", "ws_kline_1m.jsonl"}) {
    const auto more = read_frames(name);
    frames.insert(frames.end(), more.begin(), more.end());
  }
  for (const auto& frame : frames) parser.parse_stream(frame);
  const std::size_t warmed = parser.buffer_capacity();
  for (int round = 0; round < 3; ++round) {
    for (const auto& frame : frames) ASSERT_NE(parser.parse_stream(frame).kind, MessageKind::kError);
    EXPECT_EQ(parser.buffer_capacity(), warmed);
  }
}

TEST(BinanceParser, ParsesRecordedDepthSnapshot) {
  BinanceParser parser;
  DepthSnapshotMessage snapshot;
  const ParseStatus status = parser.parse_depth_snapshot(read_fixture("rest_depth_NKNUSDT.json"), snapshot);
  ASSERT_TRUE(status.ok) << status.reason;
  EXPECT_EQ(snapshot.last_update_id, 499869752u);
  ASSERT_FALSE(snapshot.bids.empty());
  ASSERT_FALSE(snapshot.asks.empty());
  EXPECT_LE(snapshot.bids.size(), 1000u);
  EXPECT_EQ(snapshot.bids[0].price_text, "0.35210000");
  EXPECT_EQ(snapshot.bids[0].size, 672.0);
  EXPECT_EQ(snapshot.bids[1].price, 0.352);
  EXPECT_GT(snapshot.asks[0].price, snapshot.bids[0].price);
}

TEST(BinanceParser, DepthSnapshotErrorsAreReported) {
  BinanceParser parser;
  DepthSnapshotMessage snapshot;
  EXPECT_FALSE(parser.parse_depth_snapshot(R"({"code":-1121,"msg":"Invalid symbol."})", snapshot).ok);
  EXPECT_FALSE(parser.parse_depth_snapshot(R"({"lastUpdateId":1,"bids":[]})", snapshot).ok);
  EXPECT_FALSE(parser.parse_depth_snapshot(R"({"lastUpdateId":"1","bids":[],"asks":[]})", snapshot).ok);
  const std::string body = read_fixture("rest_depth_NKNUSDT.json");
  EXPECT_FALSE(parser.parse_depth_snapshot(std::string_view(body).substr(0, body.size() / 2), snapshot).ok);
  EXPECT_TRUE(parser.parse_depth_snapshot(R"({"lastUpdateId":1,"bids":[],"asks":[]})", snapshot).ok);
}

TEST(BinanceParser, ParsesExchangeInfoSymbols) {
  BinanceParser parser;
  std::vector<SymbolInfo> symbols;
  const ParseStatus status =
      parser.parse_exchange_info(read_fixture("rest_exchangeInfo_trimmed.json"), symbols);
  ASSERT_TRUE(status.ok) << status.reason;
  ASSERT_EQ(symbols.size(), 9u);
  EXPECT_EQ(symbols[0].native, "ETHBTC");
  EXPECT_EQ(symbols[0].base_asset, "ETH");
  EXPECT_EQ(symbols[0].quote_asset, "BTC");
  EXPECT_EQ(symbols[0].status, "TRADING");
  EXPECT_EQ(symbols[8].status, "BREAK");
  EXPECT_FALSE(parser.parse_exchange_info(R"({"code":-1000,"msg":"x"})", symbols).ok);
  EXPECT_FALSE(parser.parse_exchange_info(R"({"symbols":[{"symbol":"A"}]})", symbols).ok);
}

// ---- REST fallback bodies (constructed per the REST documentation; see the fixtures README) ----

TEST(BinanceParser, ParsesBookTickerBody) {
  BinanceParser parser;
  BookTickerMessage message;
  const ParseStatus status = parser.parse_book_ticker(read_fixture("rest_bookTicker_NKNUSDT.json"), message);
  ASSERT_TRUE(status.ok) << status.reason;
  EXPECT_EQ(message.symbol, "NKNUSDT");
  EXPECT_EQ(message.ticker.bid_price, 0.353);
  EXPECT_EQ(message.ticker.bid_size, 1250.0);
  EXPECT_EQ(message.ticker.ask_price, 0.3536);
  EXPECT_EQ(message.ticker.ask_size, 310.0);
  EXPECT_EQ(millis_of(message.ticker.exchange_time), 0) << "the REST ticker carries no time";
  EXPECT_EQ(message.ticker.instrument, 0u);

  // The documentation's own example, with its fields in another order.
  ASSERT_TRUE(
      parser
          .parse_book_ticker(R"({"askQty":"9.00000000","askPrice":"4.00000200","bidQty":"431.00000000",)"
                             R"("bidPrice":"4.00000000","symbol":"LTCBTC"})",
                             message)
          .ok);
  EXPECT_EQ(message.symbol, "LTCBTC");
  EXPECT_EQ(message.ticker.bid_price, 4.0);
  EXPECT_EQ(message.ticker.ask_price, 4.000002);
  EXPECT_EQ(message.ticker.ask_size, 9.0);
}

TEST(BinanceParser, BookTickerErrorsAreReported) {
  BinanceParser parser;
  BookTickerMessage message;
  const ParseStatus venue = parser.parse_book_ticker(R"({"code":-1121,"msg":"Invalid symbol."})", message);
  EXPECT_FALSE(venue.ok);
  EXPECT_EQ(venue.reason, "venue error reply");
  const char* bad[] = {
      "", "not json", "null",
      // The all-symbols form (no symbol parameter) is an array: not what a poll asks for.
      R"([{"symbol":"LTCBTC","bidPrice":"4","bidQty":"431","askPrice":"4.000002","askQty":"9"}])",
      R"({"symbol":"LTCBTC","bidPrice":"4","bidQty":"431","askPrice":"4.000002"})",             // no askQty
      R"({"symbol":"LTCBTC","bidPrice":4,"bidQty":"431","askPrice":"4.000002","askQty":"9"})",  // number
      R"({"symbol":"LTCBTC","bidPrice":"four","bidQty":"431","askPrice":"4.000002","askQty":"9"})",
      R"({"symbol":"LTCBTC","bidPrice":"4","bidQty":"431","askPrice":"4.000002","askQty":"9"} x)",
      R"({"bidPrice":"4","bidQty":"431","askPrice":"4.000002","askQty":"9"})",  // no symbol
  };
  for (const char* body : bad) {
    const ParseStatus status = parser.parse_book_ticker(body, message);
    EXPECT_FALSE(status.ok) << body;
    EXPECT_FALSE(status.reason.empty()) << body;
  }
  const std::string body = read_fixture("rest_bookTicker_NKNUSDT.json");
  for (std::size_t length = 0; length + 1 < body.size(); ++length) {  // the last character is "\n"
    EXPECT_FALSE(parser.parse_book_ticker(std::string_view(body).substr(0, length), message).ok)
        << "cut at " << length;
  }
}

TEST(BinanceParser, ParsesAggTradesBodyOldestFirst) {
  BinanceParser parser;
  std::span<const Trade> trades;
  const ParseStatus status = parser.parse_agg_trades(read_fixture("rest_aggTrades_NKNUSDT.json"), trades);
  ASSERT_TRUE(status.ok) << status.reason;
  ASSERT_EQ(trades.size(), 5u);
  EXPECT_EQ(trades[0].trade_id, 15683431u);  // the aggregate id "a", as on the aggTrade stream
  EXPECT_EQ(trades[0].price, 0.3531);
  EXPECT_EQ(trades[0].quantity, 120.0);
  EXPECT_EQ(millis_of(trades[0].exchange_time), 1633998530112);
  EXPECT_EQ(trades[0].side, Side::kBuy);  // m=false: the buyer was the taker
  EXPECT_EQ(millis_of(trades[1].exchange_time), 1633998530112) << "same millisecond, next id";
  EXPECT_EQ(trades[1].trade_id, 15683432u);
  EXPECT_EQ(trades[3].side, Side::kSell);
  EXPECT_EQ(trades[4].trade_id, 15683435u);
  EXPECT_EQ(trades[4].price, 0.3534);
  EXPECT_EQ(trades[4].quantity, 1000.0);
  for (const Trade& trade : trades) {
    EXPECT_EQ(trade.instrument, 0u);
    EXPECT_EQ(millis_of(trade.receive_time), 0);
  }

  // The documentation's example element; a symbol without recent trades answers an empty array.
  ASSERT_TRUE(parser
                  .parse_agg_trades(R"([{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,)"
                                    R"("T":1498793709153,"m":true,"M":true}])",
                                    trades)
                  .ok);
  ASSERT_EQ(trades.size(), 1u);
  EXPECT_EQ(trades[0].trade_id, 26129u);
  EXPECT_EQ(trades[0].price, 0.01633102);
  EXPECT_EQ(trades[0].side, Side::kSell);
  ASSERT_TRUE(parser.parse_agg_trades("[]", trades).ok);
  EXPECT_TRUE(trades.empty());
}

TEST(BinanceParser, AggTradesErrorsAreReportedAndLeaveNoTrades) {
  BinanceParser parser;
  std::span<const Trade> trades;
  const ParseStatus venue = parser.parse_agg_trades(R"({"code":-1121,"msg":"Invalid symbol."})", trades);
  EXPECT_FALSE(venue.ok);
  EXPECT_EQ(venue.reason, "venue error reply");
  const char* bad[] = {
      "",
      "not json",
      "null",
      R"({"a":1})",                                                                      // not an array
      R"([{"p":"0.5","q":"1","T":1,"m":false}])",                                        // no id
      R"([{"a":"1","p":"0.5","q":"1","T":1,"m":false}])",                                // string id
      R"([{"a":-1,"p":"0.5","q":"1","T":1,"m":false}])",                                 // negative id
      R"([{"a":1,"p":0.5,"q":"1","T":1,"m":false}])",                                    // number price
      R"([{"a":1,"p":"0.5","q":"lots","T":1,"m":false}])",                               // non-decimal
      R"([{"a":1,"p":"0.5","q":"1","m":false}])",                                        // no time
      R"([{"a":1,"p":"0.5","q":"1","T":1,"m":"false"}])",                                // string bool
      R"([{"a":1,"p":"0.5","q":"1","T":1,"m":false},7])",                                // not an object
      R"([{"a":1,"p":"0.5","q":"1","T":1,"m":false}] [])",                               // trailing
      R"([{"a":1,"p":"0.5","q":"1","T":1,"m":false},{"a":2,"p":"0.5","q":"1","T":2}])",  // 2nd bad
  };
  for (const char* body : bad) {
    trades = std::span<const Trade>();
    ASSERT_TRUE(parser.parse_agg_trades(read_fixture("rest_aggTrades_NKNUSDT.json"), trades).ok);
    const ParseStatus status = parser.parse_agg_trades(body, trades);
    EXPECT_FALSE(status.ok) << body;
    EXPECT_FALSE(status.reason.empty()) << body;
    EXPECT_TRUE(trades.empty()) << body;
  }
  const std::string body = read_fixture("rest_aggTrades_NKNUSDT.json");
  for (std::size_t length = 0; length + 1 < body.size(); ++length) {  // the last character is "\n"
    EXPECT_FALSE(parser.parse_agg_trades(std::string_view(body).substr(0, length), trades).ok)
        << "cut at " << length;
  }
}

}  // namespace
}  // namespace tickguard::feeds::binance
