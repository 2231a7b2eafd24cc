// Parser tests on Bybit v5 spot payloads constructed from the v5 documentation's field lists
// (publicTrade / tickers / orderbook topics, op replies, REST market endpoints). No recorded v5
// traffic exists in the repo: the recorded BYBIT fixtures are the retired v2 API.
#include "feeds/bybit/bybit_parse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/common/time_parse.h"

namespace tickguard::feeds::bybit {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/bybit/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Non-empty lines of a fixture (the REST fallback fixtures hold one reply per line).
std::vector<std::string> fixture_lines(const std::string& name) {
  std::istringstream in(read_fixture(name));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST(BybitParser, ParsesPublicTradeFrameStraightIntoTrades) {
  BybitParser parser;
  BybitMessage message;
  const std::string frame =
      R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1718236800512,"data":[)"
      R"({"i":"2290000000061666327","T":1718236800510,"p":"66012.50","v":"0.001234","S":"Buy","s":"BTCUSDT","BT":false},)"
      R"({"i":"2290000000061666328","T":1718236800511,"p":"66012.40","v":"0.500000","S":"Sell","s":"BTCUSDT","BT":true}]})";
  ASSERT_EQ(parser.parse_ws(frame, message), ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kTrades);
  EXPECT_EQ(message.symbol, "BTCUSDT");
  ASSERT_EQ(message.trades.size(), 2u);
  EXPECT_EQ(message.trades[0].exchange_time, from_unix_millis(1718236800510));
  EXPECT_EQ(message.trades[0].price, 66012.50);
  EXPECT_EQ(message.trades[0].quantity, 0.001234);
  EXPECT_EQ(message.trades[0].side, Side::kBuy);
  EXPECT_EQ(message.trades[0].trade_id, 2290000000061666327ull);
  EXPECT_EQ(message.trades[1].side, Side::kSell);
  EXPECT_EQ(message.trades[1].quantity, 0.5);
  EXPECT_EQ(message.trades[1].exchange_time, from_unix_millis(1718236800511));
  EXPECT_EQ(message.trades[1].price, 66012.40);
  EXPECT_EQ(message.trades[1].trade_id, 2290000000061666328ull);
  // The feed's fields are left for the feed to fill in.
  EXPECT_EQ(message.trades[1].instrument, 0u);
  EXPECT_EQ(message.trades[1].receive_time, Timestamp{});
}

TEST(BybitParser, RejectsNonBooleanBlockTradeFlag) {
  BybitParser parser;
  BybitMessage message;
  const std::string frame = R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[)"
                            R"({"i":"1","T":1,"p":"1","v":"1","S":"Buy","s":"BTCUSDT","BT":"no"}]})";
  EXPECT_EQ(parser.parse_ws(frame, message), ParseStatus::kMalformedJson);
}

TEST(BybitTradeId, UsesNumericIdsDirectlyAndHashesOthersStably) {
  EXPECT_EQ(trade_id_from_text("2290000000061666327"), 2290000000061666327ull);
  // 64-bit FNV-1a reference values: the hash must never change between builds or releases.
  EXPECT_EQ(trade_id_from_text("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(trade_id_from_text("foobar"), 0x85944171f73967e8ull);
  const std::string uuid = "d9cd8295-40dc-5dce-8deb-42882580a7ab";
  EXPECT_EQ(trade_id_from_text(uuid), trade_id_from_text(std::string(uuid)));
  EXPECT_NE(trade_id_from_text(uuid), trade_id_from_text("20f43950-d8dd-5b31-9112-a178eb6023af"));
  // Too large for 64 bits: hashed, not truncated.
  EXPECT_EQ(trade_id_from_text("99999999999999999999"), trade_id_from_text("99999999999999999999"));
  EXPECT_NE(trade_id_from_text("99999999999999999999"), 0u);
}

TEST(BybitParser, HashesUuidTradeIdInFrame) {
  BybitParser parser;
  BybitMessage message;
  const std::string frame =
      R"({"topic":"publicTrade.ETHUSDT","type":"snapshot","ts":1718236800512,"data":[)"
      R"({"T":1718236800510,"s":"ETHUSDT","S":"Sell","v":"0.25","p":"3480.15","i":"d9cd8295-40dc-5dce-8deb-42882580a7ab","BT":false}]})";
  ASSERT_EQ(parser.parse_ws(frame, message), ParseStatus::kOk);
  ASSERT_EQ(message.trades.size(), 1u);
  EXPECT_EQ(message.trades[0].trade_id, trade_id_from_text("d9cd8295-40dc-5dce-8deb-42882580a7ab"));
}

TEST(BybitParser, SpotTickerCarriesLastPriceButNoBestBidOffer) {
  BybitParser parser;
  BybitMessage message;
  const std::string frame =
      R"({"topic":"tickers.BTCUSDT","ts":1718236800250,"type":"snapshot","cs":41785902911,"data":)"
      R"({"symbol":"BTCUSDT","lastPrice":"66012.55","highPrice24h":"67120.00","lowPrice24h":"65001.10",)"
      R"("prevPrice24h":"65550.00","volume24h":"12345.678901","turnover24h":"812345678.12",)"
      R"("price24hPcnt":"0.0070","usdIndexPrice":"66010.123456"}})";
  ASSERT_EQ(parser.parse_ws(frame, message), ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kTicker);
  EXPECT_EQ(message.symbol, "BTCUSDT");
  EXPECT_TRUE(message.ticker.has_last_price);
  EXPECT_EQ(message.ticker.last_price, 66012.55);
  EXPECT_FALSE(message.ticker.has_best_bid_offer);
  EXPECT_EQ(message.ticker.exchange_time, from_unix_millis(1718236800250));
  Ticker ticker;
  EXPECT_FALSE(to_ticker(message.ticker, 1, {}, ticker));
}

TEST(BybitParser, TickerWithBidAskFieldsBecomesTicker) {
  BybitParser parser;
  BybitMessage message;
  const std::string frame =
      R"({"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","lastPrice":"66012.55",)"
      R"("bid1Price":"66012.50","bid1Size":"0.512","ask1Price":"66012.60","ask1Size":"0.25"},)"
      R"("cs":41785902911,"ts":1718236800250})";
  ASSERT_EQ(parser.parse_ws(frame, message), ParseStatus::kOk);
  ASSERT_TRUE(message.ticker.has_best_bid_offer);
  Ticker ticker;
  ASSERT_TRUE(to_ticker(message.ticker, 3, from_unix_millis(1718236800300), ticker));
  EXPECT_EQ(ticker.instrument, 3u);
  EXPECT_EQ(ticker.bid_price, 66012.50);
  EXPECT_EQ(ticker.bid_size, 0.512);
  EXPECT_EQ(ticker.ask_price, 66012.60);
  EXPECT_EQ(ticker.ask_size, 0.25);
  EXPECT_EQ(ticker.exchange_time, from_unix_millis(1718236800250));
}

TEST(BybitParser, ParsesOrderbookSnapshotAndDelta) {
  BybitParser parser;
  BybitMessage message;
  const std::string snapshot =
      R"({"topic":"orderbook.50.BTCUSDT","ts":1718236800100,"type":"snapshot","data":{"s":"BTCUSDT",)"
      R"("b":[["66012.50","0.512340"],["66012.00","1.200000"]],"a":[["66012.60","0.250000"]],)"
      R"("u":3184201,"seq":41785902911},"cts":1718236800095})";
  ASSERT_EQ(parser.parse_ws(snapshot, message), ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kBookSnapshot);
  EXPECT_EQ(message.symbol, "BTCUSDT");
  EXPECT_TRUE(message.book.snapshot);
  EXPECT_EQ(message.book.update_id, 3184201u);
  EXPECT_EQ(message.book.sequence, 41785902911u);
  EXPECT_EQ(message.book.exchange_time, from_unix_millis(1718236800100));
  ASSERT_EQ(message.book.bids.size(), 2u);
  EXPECT_EQ(message.book.bids[0].price, 66012.50);
  EXPECT_EQ(message.book.bids[0].size, 0.51234);
  EXPECT_EQ(message.book.bids[1].price, 66012.00);
  ASSERT_EQ(message.book.asks.size(), 1u);
  EXPECT_EQ(message.book.asks[0].size, 0.25);

  const std::string delta =
      R"({"topic":"orderbook.1.BTCUSDT","ts":1718236800120,"type":"delta","data":{"s":"BTCUSDT",)"
      R"("b":[],"a":[["66012.60","0"]],"u":3184202,"seq":41785902950},"cts":1718236800117})";
  ASSERT_EQ(parser.parse_ws(delta, message), ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kBookDelta);
  EXPECT_FALSE(message.book.snapshot);
  EXPECT_TRUE(message.book.bids.empty());
  ASSERT_EQ(message.book.asks.size(), 1u);
  EXPECT_EQ(message.book.asks[0].size, 0.0);
  EXPECT_EQ(message.book.update_id, 3184202u);
}

TEST(BybitParser, ClassifiesOpReplies) {
  BybitParser parser;
  BybitMessage message;
  ASSERT_EQ(
      parser.parse_ws(R"({"success":true,"ret_msg":"pong","conn_id":"c1","req_id":"","op":"ping"})", message),
      ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kPong);
  ASSERT_EQ(parser.parse_ws(R"({"req_id":"7","op":"pong","args":["1718236800000"],"conn_id":"c1"})", message),
            ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kPong);
  ASSERT_EQ(parser.parse_ws(
                R"({"success":true,"ret_msg":"subscribe","conn_id":"c1","req_id":"ob-1","op":"subscribe"})",
                message),
            ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kSubscribed);
  ASSERT_EQ(parser.parse_ws(R"({"success":false,"ret_msg":"Invalid symbol :[orderbook.50.NOPEUSDT]",)"
                            R"("conn_id":"c1","req_id":"ob-2","op":"subscribe"})",
                            message),
            ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kOpError);
  EXPECT_EQ(message.op_message, "Invalid symbol :[orderbook.50.NOPEUSDT]");
  ASSERT_EQ(parser.parse_ws(R"({"success":true,"ret_msg":"","op":"auth","conn_id":"c1"})", message),
            ParseStatus::kOk);
  EXPECT_EQ(message.kind, MessageKind::kIgnored);
}

TEST(BybitParser, ReportsUnsupportedTopic) {
  BybitParser parser;
  BybitMessage message;
  EXPECT_EQ(parser.parse_ws(R"({"topic":"kline.1.BTCUSDT","type":"snapshot","ts":1,"data":[]})", message),
            ParseStatus::kUnsupportedTopic);
}

TEST(BybitParser, RejectsMalformedAndTruncatedFramesWithoutCrashing) {
  const std::string good =
      R"({"topic":"orderbook.50.BTCUSDT","ts":1718236800100,"type":"snapshot","data":{"s":"BTCUSDT",)"
      R"("b":[["66012.50","0.5"]],"a":[["66012.60","0.25"]],"u":3184201,"seq":41785902911}})";
  BybitParser parser;
  BybitMessage message;
  // Every proper prefix of a valid frame is an error, never a crash or a false success.
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_NE(parser.parse_ws(good.substr(0, n), message), ParseStatus::kOk) << "prefix " << n;
  }
  const struct {
    const char* frame;
    ParseStatus expected;
  } cases[] = {
      {"not json", ParseStatus::kMalformedJson},
      {"[1,2,3]", ParseStatus::kMalformedJson},
      {R"({"foo":1})", ParseStatus::kMissingField},
      {R"({"topic":42})", ParseStatus::kMalformedJson},
      {R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"S":"Hold","v":"1","p":"1","i":"1"}]})",
       ParseStatus::kBadValue},
      {R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"S":"Buy","v":"1","p":"abc","i":"1"}]})",
       ParseStatus::kBadValue},
      {R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"S":"Buy","v":"1","i":"1"}]})",
       ParseStatus::kMissingField},
      {R"({"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"S":"Buy","v":1,"p":"1","i":"1"}]})",
       ParseStatus::kMalformedJson},
      {R"({"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1,"data":{"b":[["1"]],"a":[],"u":1}})",
       ParseStatus::kBadValue},
      {R"({"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1,"data":{"b":[],"a":[]}})",
       ParseStatus::kMissingField},
      {R"({"topic":"orderbook.50.BTCUSDT","type":"weird","ts":1,"data":{"b":[],"a":[],"u":2}})",
       ParseStatus::kBadValue},
      {R"({"topic":"orderbook.50.BTCUSDT","type":"delta","data":{"b":[],"a":[],"u":2}})",
       ParseStatus::kMissingField},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parser.parse_ws(c.frame, message), c.expected) << c.frame;
  }
  // The parser is still usable after errors.
  ASSERT_EQ(parser.parse_ws(good, message), ParseStatus::kOk);
  EXPECT_EQ(message.book.update_id, 3184201u);
}

TEST(BybitParser, ReusesMessageStorageInSteadyState) {
  BybitParser parser;
  BybitMessage message;
  const std::string frame =
      R"({"topic":"orderbook.50.BTCUSDT","ts":1718236800100,"type":"delta","data":{"s":"BTCUSDT",)"
      R"("b":[["66012.50","0.5"],["66012.00","1.2"]],"a":[["66012.60","0.25"]],"u":3184202,"seq":41785902950}})";
  ASSERT_EQ(parser.parse_ws(frame, message), ParseStatus::kOk);
  const BookLevel* bids = message.book.bids.data();
  const char* symbol = message.symbol.data();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(parser.parse_ws(frame, message), ParseStatus::kOk);
    EXPECT_EQ(message.book.bids.data(), bids);
    EXPECT_EQ(message.symbol.data(), symbol);
  }
}

TEST(BybitParser, ParsesInstrumentsInfoPage) {
  BybitParser parser;
  InstrumentsPage page;
  ASSERT_EQ(parser.parse_instruments(read_fixture("v5_instruments_info_spot.json"), page), ParseStatus::kOk);
  ASSERT_EQ(page.instruments.size(), 3u);
  EXPECT_EQ(page.instruments[0].symbol, "BTCUSDT");
  EXPECT_EQ(page.instruments[0].base_coin, "BTC");
  EXPECT_EQ(page.instruments[0].quote_coin, "USDT");
  EXPECT_EQ(page.instruments[0].status, "Trading");
  EXPECT_EQ(page.instruments[1].symbol, "ETHUSDC");
  EXPECT_EQ(page.instruments[2].status, "Closed");
  EXPECT_TRUE(page.next_page_cursor.empty());
}

TEST(BybitParser, ReportsVenueErrorFromRestEnvelope) {
  BybitParser parser;
  InstrumentsPage page;
  EXPECT_EQ(
      parser.parse_instruments(
          R"({"retCode":10001,"retMsg":"params error: category is invalid","result":{},"retExtInfo":{},"time":1718236800123})",
          page),
      ParseStatus::kVenueError);
  EXPECT_EQ(
      parser.parse_instruments(R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[)", page),
      ParseStatus::kMalformedJson);
}

TEST(BybitParser, ParsesRestOrderbookSnapshot) {
  BybitParser parser;
  RestOrderBook book;
  const std::string body =
      R"({"retCode":0,"retMsg":"OK","result":{"s":"BTCUSDT","a":[["66012.60","0.250000"],["66013.00","0.7301"]],)"
      R"("b":[["66012.50","0.51234"]],"ts":1718236800100,"u":3184201,"seq":41785902911,"cts":1718236800095},)"
      R"("retExtInfo":{},"time":1718236800123})";
  ASSERT_EQ(parser.parse_rest_orderbook(body, book), ParseStatus::kOk);
  EXPECT_EQ(book.symbol, "BTCUSDT");
  EXPECT_TRUE(book.book.snapshot);
  EXPECT_EQ(book.book.update_id, 3184201u);
  EXPECT_EQ(book.book.sequence, 41785902911u);
  EXPECT_EQ(book.book.exchange_time, from_unix_millis(1718236800100));
  ASSERT_EQ(book.book.asks.size(), 2u);
  EXPECT_EQ(book.book.asks[1].price, 66013.00);
  ASSERT_EQ(book.book.bids.size(), 1u);
  EXPECT_EQ(book.book.bids[0].size, 0.51234);
}

TEST(BybitParser, ParsesRestSpotTickersWithBestBidOffer) {
  BybitParser parser;
  std::vector<RestTicker> tickers;
  const std::string body =
      R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"BTCUSDT","bid1Price":"66012.50",)"
      R"("bid1Size":"0.512","ask1Price":"66012.60","ask1Size":"0.25","lastPrice":"66012.55","prevPrice24h":"65550.00",)"
      R"("price24hPcnt":"0.0070","highPrice24h":"67120.00","lowPrice24h":"65001.10","turnover24h":"812345678.12",)"
      R"("volume24h":"12345.678901","usdIndexPrice":"66010.123456"}]},"retExtInfo":{},"time":1718236800123})";
  ASSERT_EQ(parser.parse_rest_tickers(body, tickers), ParseStatus::kOk);
  ASSERT_EQ(tickers.size(), 1u);
  EXPECT_EQ(tickers[0].symbol, "BTCUSDT");
  EXPECT_TRUE(tickers[0].ticker.has_best_bid_offer);
  EXPECT_EQ(tickers[0].ticker.bid_price, 66012.50);
  EXPECT_EQ(tickers[0].ticker.ask_size, 0.25);
  EXPECT_EQ(tickers[0].ticker.last_price, 66012.55);
  EXPECT_EQ(tickers[0].ticker.exchange_time, from_unix_millis(1718236800123));
}

TEST(BybitParser, ParsesRestRecentTrades) {
  BybitParser parser;
  RestTrades trades;
  const std::string body =
      R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"execId":"2290000000061666327",)"
      R"("symbol":"BTCUSDT","price":"66012.50","size":"0.001234","side":"Buy","time":"1718236800510",)"
      R"("isBlockTrade":false}]},"retExtInfo":{},"time":1718236800600})";
  ASSERT_EQ(parser.parse_rest_trades(body, trades), ParseStatus::kOk);
  EXPECT_EQ(trades.symbol, "BTCUSDT");
  ASSERT_EQ(trades.trades.size(), 1u);
  EXPECT_EQ(trades.trades[0].trade_id, 2290000000061666327ull);
  EXPECT_EQ(trades.trades[0].exchange_time, from_unix_millis(1718236800510));
  EXPECT_EQ(trades.trades[0].side, Side::kBuy);
  EXPECT_EQ(trades.trades[0].price, 66012.50);
}

// ---- REST fallback: /v5/market/tickers and /v5/market/recent-trade for one symbol ----

TEST(BybitRestFallbackParse, TickersFixtureGivesTheBestBidOfferOfEachSymbol) {
  BybitParser parser;
  std::vector<RestTicker> tickers;
  const auto replies = fixture_lines("v5_market_tickers_spot.jsonl");
  ASSERT_EQ(replies.size(), 2u);
  ASSERT_EQ(parser.parse_rest_tickers(replies[0], tickers), ParseStatus::kOk);
  ASSERT_EQ(tickers.size(), 1u);
  EXPECT_EQ(tickers[0].symbol, "LTCUSDT");
  EXPECT_TRUE(tickers[0].ticker.has_best_bid_offer);
  EXPECT_EQ(tickers[0].ticker.bid_price, 315.43);
  EXPECT_EQ(tickers[0].ticker.bid_size, 3.2);
  EXPECT_EQ(tickers[0].ticker.ask_price, 315.49);
  EXPECT_EQ(tickers[0].ticker.ask_size, 1.75);
  EXPECT_EQ(tickers[0].ticker.last_price, 315.46);
  EXPECT_EQ(tickers[0].ticker.exchange_time, from_unix_millis(1618678012400));  // the reply's `time`

  Ticker ticker;
  ASSERT_TRUE(to_ticker(tickers[0].ticker, 7, from_unix_millis(1618678012500), ticker));
  EXPECT_EQ(ticker.instrument, 7u);
  EXPECT_EQ(ticker.exchange_time, from_unix_millis(1618678012400));
  EXPECT_EQ(ticker.receive_time, from_unix_millis(1618678012500));
  EXPECT_EQ(ticker.bid_price, 315.43);
  EXPECT_EQ(ticker.ask_price, 315.49);

  ASSERT_EQ(parser.parse_rest_tickers(replies[1], tickers), ParseStatus::kOk);
  ASSERT_EQ(tickers.size(), 1u);
  EXPECT_EQ(tickers[0].symbol, "XTZUSDT");
  EXPECT_EQ(tickers[0].ticker.bid_price, 7.308);
  EXPECT_EQ(tickers[0].ticker.ask_size, 88.1);
}

TEST(BybitRestFallbackParse, TickerWithoutBidOrAskGivesNoTicker) {
  // A spot pair with an empty side: Bybit sends "" for the missing best price and size.
  BybitParser parser;
  std::vector<RestTicker> tickers;
  const std::string body =
      R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"LTCUSDT","bid1Price":"",)"
      R"("bid1Size":"","ask1Price":"315.49","ask1Size":"1.75","lastPrice":"315.46"}]},"retExtInfo":{},)"
      R"("time":1618678012400})";
  ASSERT_EQ(parser.parse_rest_tickers(body, tickers), ParseStatus::kOk);
  ASSERT_EQ(tickers.size(), 1u);
  EXPECT_FALSE(tickers[0].ticker.has_best_bid_offer);
  EXPECT_TRUE(tickers[0].ticker.has_last_price);
  Ticker ticker;
  EXPECT_FALSE(to_ticker(tickers[0].ticker, 1, Timestamp{}, ticker));
}

TEST(BybitRestFallbackParse, RecentTradeFixtureParsesEveryTradeOldestFirstOnceSorted) {
  BybitParser parser;
  RestTrades trades;
  const auto replies = fixture_lines("v5_market_recent_trade_spot.jsonl");
  ASSERT_EQ(replies.size(), 2u);
  ASSERT_EQ(parser.parse_rest_trades(replies[0], trades), ParseStatus::kOk);
  EXPECT_EQ(trades.symbol, "LTCUSDT");
  ASSERT_EQ(trades.trades.size(), 5u);
  // As listed: newest first.
  EXPECT_EQ(trades.trades[0].trade_id, 2290000000061670006ull);
  EXPECT_EQ(trades.trades[0].price, 315.46);
  EXPECT_EQ(trades.trades[0].quantity, 0.25);
  EXPECT_EQ(trades.trades[0].side, Side::kBuy);
  EXPECT_EQ(trades.trades[0].exchange_time, from_unix_millis(1618678012345));  // "time" is a string
  EXPECT_EQ(trades.trades[4].quantity, 2.0);  // a block trade is still a trade
  EXPECT_EQ(trades.trades[4].side, Side::kSell);

  sort_oldest_first(trades.trades);
  const std::uint64_t oldest_first[] = {2290000000061670002ull, 2290000000061670003ull,
                                        2290000000061670004ull, 2290000000061670005ull,
                                        2290000000061670006ull};
  for (std::size_t i = 0; i < trades.trades.size(); ++i) {
    EXPECT_EQ(trades.trades[i].trade_id, oldest_first[i]) << i;
  }
  EXPECT_EQ(trades.trades.back().price, 315.46);  // the last emitted is the latest price

  ASSERT_EQ(parser.parse_rest_trades(replies[1], trades), ParseStatus::kOk);
  EXPECT_EQ(trades.symbol, "XTZUSDT");
  ASSERT_EQ(trades.trades.size(), 3u);
  EXPECT_EQ(trades.trades[0].price, 7.312);
}

TEST(BybitRestFallbackParse, SortOldestFirstKeepsExecutionOrderWithinAMillisecond) {
  const auto trade = [](std::int64_t ms, std::uint64_t id) {
    Trade t;
    t.exchange_time = from_unix_millis(ms);
    t.trade_id = id;
    return t;
  };
  const auto ids = [](const std::vector<Trade>& trades) {
    std::vector<std::uint64_t> out;
    for (const Trade& t : trades) out.push_back(t.trade_id);
    return out;
  };
  std::vector<Trade> newest_first = {trade(30, 5), trade(20, 4), trade(20, 3), trade(10, 2)};
  sort_oldest_first(newest_first);
  EXPECT_EQ(ids(newest_first), (std::vector<std::uint64_t>{2, 3, 4, 5}));
  std::vector<Trade> oldest_first = {trade(10, 2), trade(20, 3), trade(20, 4), trade(30, 5)};
  sort_oldest_first(oldest_first);
  EXPECT_EQ(ids(oldest_first), (std::vector<std::uint64_t>{2, 3, 4, 5}));
  std::vector<Trade> same_time = {trade(10, 1), trade(10, 2)};
  sort_oldest_first(same_time);
  EXPECT_EQ(ids(same_time), (std::vector<std::uint64_t>{1, 2}));
  std::vector<Trade> none;
  sort_oldest_first(none);
  EXPECT_TRUE(none.empty());
}

TEST(BybitRestFallbackParse, VenueErrorsAreReportedAsSuch) {
  // What Bybit answers (HTTP 200) for a symbol it does not list.
  const std::string body =
      R"({"retCode":10001,"retMsg":"Not supported symbols","result":{},"retExtInfo":{},"time":1618678012400})";
  BybitParser parser;
  std::vector<RestTicker> tickers;
  RestTrades trades;
  EXPECT_EQ(parser.parse_rest_tickers(body, tickers), ParseStatus::kVenueError);
  EXPECT_EQ(parser.parse_rest_trades(body, trades), ParseStatus::kVenueError);
}

TEST(BybitRestFallbackParse, MalformedBodiesAreErrorValues) {
  BybitParser parser;
  std::vector<RestTicker> tickers;
  RestTrades trades;
  const auto ticker_line = fixture_lines("v5_market_tickers_spot.jsonl").at(0);
  const auto trades_line = fixture_lines("v5_market_recent_trade_spot.jsonl").at(0);
  for (const std::string& body : {std::string(), std::string("<html>502 Bad Gateway</html>"),
                                  ticker_line.substr(0, ticker_line.size() / 2), std::string("[]")}) {
    EXPECT_EQ(parser.parse_rest_tickers(body, tickers), ParseStatus::kMalformedJson) << body;
  }
  EXPECT_EQ(parser.parse_rest_trades(trades_line.substr(0, trades_line.size() / 2), trades),
            ParseStatus::kMalformedJson);
  EXPECT_EQ(parser.parse_rest_trades("not json", trades), ParseStatus::kMalformedJson);

  // No result.list.
  EXPECT_EQ(parser.parse_rest_tickers(R"({"retCode":0,"retMsg":"OK","result":{"category":"spot"},"time":1})",
                                      tickers),
            ParseStatus::kMissingField);
  EXPECT_EQ(parser.parse_rest_trades(R"({"retCode":0,"retMsg":"OK","result":{"category":"spot"},"time":1})",
                                     trades),
            ParseStatus::kMissingField);
  // No server time to stamp the ticker with.
  EXPECT_EQ(parser.parse_rest_tickers(
                R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"LTCUSDT",)"
                R"("bid1Price":"1","bid1Size":"1","ask1Price":"2","ask1Size":"1"}]}})",
                tickers),
            ParseStatus::kMissingField);
  // A price that is not a decimal, a number where Bybit documents a string.
  EXPECT_EQ(parser.parse_rest_tickers(
                R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"LTCUSDT",)"
                R"("bid1Price":"1e9x","bid1Size":"1","ask1Price":"2","ask1Size":"1"}]},"time":1})",
                tickers),
            ParseStatus::kBadValue);
  EXPECT_EQ(parser.parse_rest_tickers(
                R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"LTCUSDT",)"
                R"("bid1Price":315.43,"bid1Size":"1","ask1Price":"2","ask1Size":"1"}]},"time":1})",
                tickers),
            ParseStatus::kMalformedJson);
  // A trade without its execId, with an unknown side, with a bad time.
  EXPECT_EQ(
      parser.parse_rest_trades(
          R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"LTCUSDT",)"
          R"("price":"315.46","size":"0.25","side":"Buy","time":"1618678012345","isBlockTrade":false}]},"time":1})",
          trades),
      ParseStatus::kMissingField);
  EXPECT_EQ(
      parser.parse_rest_trades(
          R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"execId":"1","symbol":"LTCUSDT",)"
          R"("price":"315.46","size":"0.25","side":"buy","time":"1618678012345","isBlockTrade":false}]},"time":1})",
          trades),
      ParseStatus::kBadValue);
  EXPECT_EQ(
      parser.parse_rest_trades(
          R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"execId":"1","symbol":"LTCUSDT",)"
          R"("price":"315.46","size":"0.25","side":"Buy","time":"soon","isBlockTrade":false}]},"time":1})",
          trades),
      ParseStatus::kBadValue);
  // The parser stays usable after every failure.
  ASSERT_EQ(parser.parse_rest_trades(trades_line, trades), ParseStatus::kOk);
  EXPECT_EQ(trades.trades.size(), 5u);
}

}  // namespace
}  // namespace tickguard::feeds::bybit
