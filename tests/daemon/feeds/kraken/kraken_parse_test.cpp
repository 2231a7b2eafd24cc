// The v2 frames below are constructed by hand from the shapes in Kraken's WebSocket v2 documentation
// (trade, ticker, book, status, heartbeat, method responses): the recording predates v2. The REST
// AssetPairs body is an excerpt of the real recorded response.
#include "feeds/kraken/kraken_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feeds/common/time_parse.h"
#include "kraken_test_util.h"

namespace tickguard::feeds::kraken {
namespace {

constexpr std::string_view kTradeFrame =
    R"({"channel":"trade","type":"update","data":[)"
    R"({"symbol":"BTC/USD","side":"buy","price":64231.5,"qty":0.00150000,"ord_type":"market",)"
    R"("trade_id":91231827,"timestamp":"2024-05-01T12:00:00.123456Z"},)"
    R"({"symbol":"BTC/USD","side":"sell","price":64231.4,"qty":2,"ord_type":"limit",)"
    R"("trade_id":91231828,"timestamp":"2024-05-01T12:00:00.223456Z"}]})";

constexpr std::string_view kTickerFrame =
    R"({"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":64231.4,"bid_qty":1.25,)"
    R"("ask":64231.5,"ask_qty":0.5,"last":64231.5,"volume":1234.5,"vwap":64000.1,"low":63000.0,)"
    R"("high":65000.0,"change":100.5,"change_pct":0.16}]})";

// Checksum 1219263978 computed independently: CRC32("642315100000" "642314125000000" "64230050000000").
constexpr std::string_view kBookSnapshotFrame =
    R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",)"
    R"("bids":[{"price":64231.4,"qty":1.25000000},{"price":64230.0,"qty":0.5}],)"
    R"("asks":[{"price":64231.5,"qty":0.00100000}],"checksum":1219263978,)"
    R"("timestamp":"2024-05-01T12:00:00.000001Z"}]})";

constexpr std::string_view kBookUpdateFrame =
    R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":64230.0,"qty":0}],)"
    R"("asks":[],"checksum":1936045355,"timestamp":"2024-05-01T12:00:01.5Z"}]})";

TEST(KrakenParser, ParsesV2TradesWithSideIdAndTime) {
  KrakenParser parser;
  ASSERT_EQ(parser.parse(kTradeFrame), KrakenMessageKind::kTrade);
  ASSERT_EQ(parser.trades().size(), 2u);
  const KrakenTrade& first = parser.trades()[0];
  EXPECT_EQ(first.symbol, "BTC/USD");
  EXPECT_EQ(first.side, Side::kBuy);
  EXPECT_EQ(first.price, 64231.5);
  EXPECT_EQ(first.qty, 0.0015);
  EXPECT_EQ(first.trade_id, 91231827u);
  EXPECT_EQ(first.exchange_time, parse_rfc3339("2024-05-01T12:00:00.123456Z"));
  EXPECT_EQ(parser.trades()[1].side, Side::kSell);
  EXPECT_EQ(parser.trades()[1].qty, 2.0);
}

TEST(KrakenParser, ParsesV2TickerBestBidAskAndLast) {
  KrakenParser parser;
  ASSERT_EQ(parser.parse(kTickerFrame), KrakenMessageKind::kTicker);
  ASSERT_EQ(parser.tickers().size(), 1u);
  const KrakenTicker& t = parser.tickers()[0];
  EXPECT_EQ(t.symbol, "BTC/USD");
  EXPECT_EQ(t.bid, 64231.4);
  EXPECT_EQ(t.bid_qty, 1.25);
  EXPECT_EQ(t.ask, 64231.5);
  EXPECT_EQ(t.ask_qty, 0.5);
  EXPECT_EQ(t.last, 64231.5);
  EXPECT_FALSE(t.exchange_time);
}

TEST(KrakenParser, ParsesV2BookSnapshotKeepingRawNumberText) {
  KrakenParser parser;
  ASSERT_EQ(parser.parse(kBookSnapshotFrame), KrakenMessageKind::kBookSnapshot);
  ASSERT_EQ(parser.books().size(), 1u);
  const KrakenBook& book = parser.books()[0];
  EXPECT_EQ(book.symbol, "BTC/USD");
  EXPECT_TRUE(book.snapshot);
  ASSERT_EQ(book.bids.size(), 2u);
  ASSERT_EQ(book.asks.size(), 1u);
  EXPECT_EQ(book.bids[0].price, 64231.4);
  EXPECT_EQ(book.bids[0].qty_text, "1.25000000");
  EXPECT_EQ(book.bids[1].price_text, "64230.0");
  EXPECT_EQ(book.asks[0].qty_text, "0.00100000");
  EXPECT_EQ(book.asks[0].qty, 0.001);
  EXPECT_EQ(book.checksum, 1219263978u);
  EXPECT_EQ(book.exchange_time, parse_rfc3339("2024-05-01T12:00:00.000001Z"));
}

TEST(KrakenParser, ParsesV2BookUpdateWithRemoval) {
  KrakenParser parser;
  ASSERT_EQ(parser.parse(kBookUpdateFrame), KrakenMessageKind::kBookUpdate);
  const KrakenBook& book = parser.books()[0];
  EXPECT_FALSE(book.snapshot);
  ASSERT_EQ(book.bids.size(), 1u);
  EXPECT_EQ(book.bids[0].qty, 0.0);
  EXPECT_TRUE(book.asks.empty());
  EXPECT_EQ(book.checksum, 1936045355u);
}

TEST(KrakenParser, ClassifiesControlMessages) {
  KrakenParser parser;
  EXPECT_EQ(parser.parse(R"({"channel":"heartbeat"})"), KrakenMessageKind::kHeartbeat);
  EXPECT_EQ(parser.parse(R"({"channel":"status","type":"update","data":[{"api_version":"v2",)"
                         R"("connection_id":12393906104898154338,"system":"online","version":"2.0.0"}]})"),
            KrakenMessageKind::kStatus);
  EXPECT_EQ(parser.status_text(), "online");
  EXPECT_EQ(parser.parse(R"({"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,)"
                         R"("symbol":"BTC/USD"},"success":true,"time_in":"2024-05-01T12:00:00.1Z",)"
                         R"("time_out":"2024-05-01T12:00:00.2Z"})"),
            KrakenMessageKind::kAck);
  EXPECT_EQ(
      parser.parse(
          R"({"method":"pong","time_in":"2024-05-01T12:00:00.1Z","time_out":"2024-05-01T12:00:00.2Z"})"),
      KrakenMessageKind::kAck);
  EXPECT_EQ(parser.parse(R"({"error":"Currency pair not supported","method":"subscribe","success":false,)"
                         R"("symbol":"BTC/ABC"})"),
            KrakenMessageKind::kError);
  EXPECT_EQ(parser.error_text(), "Currency pair not supported");
  EXPECT_EQ(parser.parse(R"({"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[]}})"),
            KrakenMessageKind::kOther);
}

TEST(KrakenParser, ReportsSnapshotTypeAndEchoedRequestIds) {
  KrakenParser parser;
  ASSERT_EQ(parser.parse(kTickerFrame), KrakenMessageKind::kTicker);
  EXPECT_TRUE(parser.snapshot());
  ASSERT_EQ(parser.parse(kTradeFrame), KrakenMessageKind::kTrade);
  EXPECT_FALSE(parser.snapshot());
  EXPECT_FALSE(parser.req_id());
  ASSERT_EQ(parser.parse(R"({"error":"Exceeded msg rate","method":"subscribe","req_id":42,"success":false,)"
                         R"("time_in":"2024-05-01T12:00:00.1Z","time_out":"2024-05-01T12:00:00.2Z"})"),
            KrakenMessageKind::kError);
  EXPECT_EQ(parser.error_text(), "Exceeded msg rate");
  EXPECT_EQ(parser.req_id(), 42u);
  ASSERT_EQ(parser.parse(R"({"method":"pong","req_id":7,"time_in":"2024-05-01T12:00:00.1Z"})"),
            KrakenMessageKind::kAck);
  EXPECT_EQ(parser.req_id(), 7u);
  ASSERT_EQ(parser.parse(R"({"channel":"heartbeat"})"), KrakenMessageKind::kHeartbeat);
  EXPECT_FALSE(parser.req_id());
  EXPECT_STREQ(parse_error_name(KrakenParseError::kBadNumber), "bad_number");
}

TEST(KrakenParser, RejectsMalformedFramesWithoutCrashing) {
  KrakenParser parser;
  EXPECT_EQ(parser.parse(""), KrakenMessageKind::kInvalid);
  EXPECT_EQ(parser.parse("not json"), KrakenMessageKind::kInvalid);
  EXPECT_EQ(parser.parse("[1,2,3]"), KrakenMessageKind::kInvalid);
  EXPECT_EQ(parser.parse(R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD"}]})"),
            KrakenMessageKind::kInvalid);
  EXPECT_EQ(parser.error(), KrakenParseError::kUnexpectedShape);
  EXPECT_EQ(parser.parse(R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD",)"
                         R"("bids":[{"price":"abc","qty":1}]}]})"),
            KrakenMessageKind::kInvalid);
  EXPECT_EQ(parser.error(), KrakenParseError::kBadNumber);
  EXPECT_EQ(parser.parse(R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],)"
                         R"("checksum":99999999999}]})"),
            KrakenMessageKind::kInvalid);
  EXPECT_TRUE(parser.books().empty());
}

TEST(KrakenParser, RejectsEveryTruncationOfADataFrame) {
  KrakenParser parser;
  for (const std::string_view frame : {kTradeFrame, kTickerFrame, kBookSnapshotFrame, kBookUpdateFrame}) {
    for (std::size_t length = 0; length + 1 < frame.size(); ++length) {
      const KrakenMessageKind kind = parser.parse(frame.substr(0, length));
      EXPECT_EQ(kind, KrakenMessageKind::kInvalid) << frame.substr(0, length);
    }
    EXPECT_NE(parser.parse(frame), KrakenMessageKind::kInvalid);
  }
}

TEST(KrakenParser, IsReusableAcrossFramesOfDifferentSizes) {
  KrakenParser parser;
  std::string big(R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[)");
  for (int i = 0; i < 5000; ++i) {
    if (i > 0) big += ',';
    big += R"({"price":)" + std::to_string(60000 - i) + R"(.5,"qty":1.0})";
  }
  big += R"(],"asks":[],"checksum":1}]})";
  ASSERT_EQ(parser.parse(big), KrakenMessageKind::kBookSnapshot);
  EXPECT_EQ(parser.books()[0].bids.size(), 5000u);
  EXPECT_EQ(parser.books()[0].bids[4999].price_text, "55001.5");
  ASSERT_EQ(parser.parse(kTradeFrame), KrakenMessageKind::kTrade);
  EXPECT_TRUE(parser.books().empty());
  ASSERT_EQ(parser.parse(kBookUpdateFrame), KrakenMessageKind::kBookUpdate);
  EXPECT_EQ(parser.books()[0].bids[0].price_text, "64230.0");
}

TEST(KrakenParser, ParsesRecordedV1BookFrames) {
  KrakenParser parser;
  const auto lines = testing::read_fixture_lines("ws_v1_book-1000_KSM-XBT_XMR-USD.jsonl");
  ASSERT_FALSE(lines.empty());
  ASSERT_EQ(parser.parse_v1_book(lines[0]), KrakenMessageKind::kBookSnapshot);
  const KrakenBook& book = parser.books()[0];
  EXPECT_FALSE(book.checksum);
  EXPECT_FALSE(book.bids.empty());
  EXPECT_FALSE(book.asks.empty());
  EXPECT_EQ(parser.parse_v1_book(R"({"event":"heartbeat"})"), KrakenMessageKind::kHeartbeat);
  EXPECT_EQ(parser.parse_v1_book(R"([464,{"a":[["1.0","2.0"]]},{"b":[["0.5","1.0","1618678117.1"]],)"
                                 R"("c":"12345"},"book-10","XBT/CHF"])"),
            KrakenMessageKind::kBookUpdate);
  EXPECT_EQ(parser.books()[0].symbol, "XBT/CHF");
  EXPECT_EQ(parser.books()[0].checksum, 12345u);
  EXPECT_EQ(parser.books()[0].asks[0].price_text, "1.0");
  EXPECT_EQ(parser.parse_v1_book(R"([464,{"a":[["1.0"]]},"book-10","XBT/CHF"])"),
            KrakenMessageKind::kInvalid);
  EXPECT_EQ(parser.parse_v1_book(lines[0].substr(0, lines[0].size() / 2)), KrakenMessageKind::kInvalid);
}

TEST(KrakenAssetPairs, ParsesRecordedRestBody) {
  const KrakenAssetPairs pairs = parse_asset_pairs(testing::read_fixture("rest_AssetPairs_excerpt.json"));
  ASSERT_EQ(pairs.error, KrakenParseError::kNone);
  EXPECT_TRUE(pairs.venue_errors.empty());
  ASSERT_EQ(pairs.pairs.size(), 10u);
  const KrakenAssetPair* btc = pairs.find_unified("BTC/USD");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->key, "XXBTZUSD");
  EXPECT_EQ(btc->altname, "XBTUSD");
  EXPECT_EQ(btc->wsname, "XBT/USD");  // "XBT\/USD" in the body: escapes are decoded
  EXPECT_EQ(btc->base, "XXBT");
  EXPECT_EQ(btc->quote, "ZUSD");
  EXPECT_EQ(btc->pair_decimals, 1);
  EXPECT_EQ(btc->lot_decimals, 8);
  EXPECT_EQ(btc->status, "");  // the 2021 body predates the status field
  const KrakenAssetPair* doge = pairs.find_unified("DOGE/USD");
  ASSERT_NE(doge, nullptr);
  EXPECT_EQ(doge->altname, "XDGUSD");
  EXPECT_EQ(doge->pair_decimals, 7);
  ASSERT_NE(pairs.find_unified("DOGE/BTC"), nullptr);
  ASSERT_NE(pairs.find_unified("KSM/BTC"), nullptr);
  EXPECT_EQ(pairs.find_unified("KSM/BTC")->unified_symbol(), "KSM/BTC");
  EXPECT_EQ(pairs.find_unified("FOO/BAR"), nullptr);
}

TEST(KrakenAssetPairs, ReportsVenueErrorsAndMalformedBodies) {
  const KrakenAssetPairs failed = parse_asset_pairs(R"({"error":["EGeneral:Too many requests"]})");
  EXPECT_EQ(failed.error, KrakenParseError::kNone);
  ASSERT_EQ(failed.venue_errors.size(), 1u);
  EXPECT_EQ(failed.venue_errors[0], "EGeneral:Too many requests");
  EXPECT_EQ(parse_asset_pairs(R"({"error":[],"result":{"XXBTZUSD":{"altname":"XBTUSD")").error,
            KrakenParseError::kMalformedJson);
  EXPECT_EQ(
      parse_asset_pairs(R"({"error":[],"result":{"X":{"base":"A","quote":"B","pair_decimals":"x"}}})").error,
      KrakenParseError::kBadNumber);
  EXPECT_NE(parse_asset_pairs("").error, KrakenParseError::kNone);
}

TEST(KrakenInstruments, ParsesPairPrecisionsFromV2InstrumentSnapshot) {
  // Constructed from the v2 instrument channel documentation's example shape.
  constexpr std::string_view frame =
      R"({"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled",)"
      R"("precision":10,"precision_display":5,"borrowable":true,"collateral_value":1.0,"margin_rate":0.01}],)"
      R"("pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,)"
      R"("qty_increment":1e-08,"price_precision":1,"cost_precision":5,"marginable":true,"has_index":true,)"
      R"("cost_min":0.5,"tick_size":0.1,"price_increment":0.1,"qty_min":0.0001},)"
      R"({"symbol":"DOGE/USD","base":"DOGE","quote":"USD","status":"online","qty_precision":8,)"
      R"("price_precision":7}]}})";
  KrakenParser parser;
  EXPECT_EQ(parser.parse(frame), KrakenMessageKind::kOther);
  const KrakenInstruments instruments = parse_instruments(frame);
  ASSERT_EQ(instruments.error, KrakenParseError::kNone);
  EXPECT_TRUE(instruments.snapshot);
  ASSERT_EQ(instruments.pairs.size(), 2u);
  EXPECT_EQ(instruments.pairs[0].symbol, "BTC/USD");
  EXPECT_EQ(instruments.pairs[0].status, "online");
  EXPECT_EQ(instruments.pairs[0].price_precision, 1);
  EXPECT_EQ(instruments.pairs[0].qty_precision, 8);
  EXPECT_EQ(instruments.pairs[1].price_precision, 7);
  EXPECT_NE(parse_instruments(frame.substr(0, frame.size() / 2)).error, KrakenParseError::kNone);
  EXPECT_NE(parse_instruments(kTradeFrame).error, KrakenParseError::kNone);
}

TEST(KrakenEvents, ConvertsParsedTradesAndTickers) {
  KrakenParser parser;
  const Timestamp received = *parse_rfc3339("2024-05-01T12:00:00.5Z");
  ASSERT_EQ(parser.parse(kTradeFrame), KrakenMessageKind::kTrade);
  const Trade trade = to_trade(parser.trades()[0], 7, received);
  EXPECT_EQ(trade.instrument, 7u);
  EXPECT_EQ(trade.price, 64231.5);
  EXPECT_EQ(trade.quantity, 0.0015);
  EXPECT_EQ(trade.side, Side::kBuy);
  EXPECT_EQ(trade.trade_id, 91231827u);
  EXPECT_EQ(trade.receive_time, received);
  ASSERT_EQ(parser.parse(kTickerFrame), KrakenMessageKind::kTicker);
  const Ticker ticker = to_ticker(parser.tickers()[0], 7, received);
  EXPECT_EQ(ticker.bid_price, 64231.4);
  EXPECT_EQ(ticker.ask_size, 0.5);
  EXPECT_EQ(ticker.exchange_time, received);  // no venue time on this ticker
}

TEST(KrakenSymbols, NormalizesXbtAndXdgAndLegacyPrefixes) {
  EXPECT_EQ(unified_asset("XBT"), "BTC");
  EXPECT_EQ(unified_asset("XXBT"), "BTC");
  EXPECT_EQ(unified_asset("XDG"), "DOGE");
  EXPECT_EQ(unified_asset("XXDG"), "DOGE");
  EXPECT_EQ(unified_asset("ZUSD"), "USD");
  EXPECT_EQ(unified_asset("XETH"), "ETH");
  EXPECT_EQ(unified_asset("XTZ"), "XTZ");  // a real asset, not a prefixed one
  EXPECT_EQ(unified_asset("ZRX"), "ZRX");
  EXPECT_EQ(unified_asset("USDT"), "USDT");
  EXPECT_EQ(unified_symbol("XBT/USD"), "BTC/USD");
  EXPECT_EQ(unified_symbol("XDG/XBT"), "DOGE/BTC");
  EXPECT_EQ(unified_symbol("BTC/USD"), "BTC/USD");
  EXPECT_EQ(unified_symbol("XBTUSD"), "");
}

TEST(KrakenRequests, BuildsV2SubscribeRequests) {
  const std::vector<std::string> symbols{v2_symbol("BTC/USD"), v2_symbol("DOGE/USD")};
  EXPECT_EQ(v2_subscribe_request("book", symbols, 10, 7),
            R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","DOGE/USD"],"depth":10},)"
            R"("req_id":7})");
  EXPECT_EQ(v2_subscribe_request("trade", symbols),
            R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","DOGE/USD"]}})");
  EXPECT_EQ(v2_subscribe_request("instrument", {}),
            R"({"method":"subscribe","params":{"channel":"instrument"}})");
}

TEST(KrakenSymbols, MapsUnifiedSymbolsToVenueNames) {
  EXPECT_EQ(v2_symbol("BTC/USD"), "BTC/USD");
  EXPECT_EQ(v1_wsname("BTC/USD"), "XBT/USD");
  EXPECT_EQ(v1_wsname("DOGE/BTC"), "XDG/XBT");
  EXPECT_EQ(v1_wsname("ETH/EUR"), "ETH/EUR");
  EXPECT_EQ(unified_symbol(v1_wsname("DOGE/USD")), "DOGE/USD");
}

}  // namespace
}  // namespace tickguard::feeds::kraken
