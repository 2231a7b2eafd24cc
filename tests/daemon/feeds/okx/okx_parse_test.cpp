#include "feeds/okx/okx_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "feeds/common/time_parse.h"
#include "okx_fixtures.h"

namespace tickguard::feeds::okx {
namespace {

using testing::fixture_lines;

TEST(OkxParser, ParsesEveryRecordedTradesFrame) {
  const auto lines = fixture_lines("ws_trades.jsonl");
  ASSERT_EQ(lines.size(), 74u);
  OkxParser parser;
  std::size_t trades = 0, buys = 0, sells = 0;
  for (const auto& line : lines) {
    const OkxFrame& frame = parser.parse(line);
    ASSERT_EQ(frame.kind, FrameKind::kTrades) << frame.error << " in " << line;
    EXPECT_EQ(frame.channel, "trades");
    for (const Trade& trade : frame.trades) {
      ++trades;
      buys += trade.side == Side::kBuy;
      sells += trade.side == Side::kSell;
      EXPECT_GT(trade.price, 0);
      EXPECT_GT(trade.quantity, 0);
    }
  }
  EXPECT_EQ(trades, 74u);
  EXPECT_EQ(buys, 48u);
  EXPECT_EQ(sells, 26u);
}

TEST(OkxParser, ReadsExactTradeValues) {
  OkxParser parser;
  const OkxFrame& frame = parser.parse(fixture_lines("ws_trades.jsonl").front());
  ASSERT_EQ(frame.kind, FrameKind::kTrades);
  EXPECT_EQ(frame.inst_id, "BTC-USD-220527");
  ASSERT_EQ(frame.trades.size(), 1u);
  const Trade& trade = frame.trades[0];
  EXPECT_EQ(trade.trade_id, 7849u);
  EXPECT_DOUBLE_EQ(trade.price, 30218.8);
  EXPECT_DOUBLE_EQ(trade.quantity, 1);
  EXPECT_EQ(trade.side, Side::kBuy);
  EXPECT_EQ(trade.exchange_time, from_unix_millis(1652459199958));
}

TEST(OkxParser, ReadsEveryTradeOfAMultiTradeFrameAndReusesTheVector) {
  OkxParser parser;
  const std::string two =
      R"({"arg":{"channel":"trades","instId":"ETH-USDT"},"data":[)"
      R"({"instId":"ETH-USDT","tradeId":"11","px":"2000.5","sz":"0.1","side":"sell","ts":"1700000000000"},)"
      R"({"instId":"ETH-USDT","tradeId":"12","px":"2000.6","sz":"0.2","side":"buy","ts":"1700000000001"}]})";
  const OkxFrame& frame = parser.parse(two);
  ASSERT_EQ(frame.kind, FrameKind::kTrades);
  ASSERT_EQ(frame.trades.size(), 2u);
  EXPECT_EQ(frame.trades[0].side, Side::kSell);
  EXPECT_EQ(frame.trades[1].trade_id, 12u);
  EXPECT_DOUBLE_EQ(frame.trades[1].quantity, 0.2);
  const Trade* storage = frame.trades.data();
  parser.parse(two);
  EXPECT_EQ(frame.trades.data(), storage);  // steady state: no reallocation
}

TEST(OkxParser, ParsesEveryRecordedTickersFrame) {
  const auto lines = fixture_lines("ws_tickers.jsonl");
  ASSERT_EQ(lines.size(), 28u);
  OkxParser parser;
  std::size_t btc_usdt = 0;
  for (const auto& line : lines) {
    const OkxFrame& frame = parser.parse(line);
    ASSERT_EQ(frame.kind, FrameKind::kTickers) << frame.error << " in " << line;
    ASSERT_EQ(frame.tickers.size(), 1u);
    EXPECT_LT(frame.tickers[0].ticker.bid_price, frame.tickers[0].ticker.ask_price);
    btc_usdt += frame.inst_id == "BTC-USDT";
  }
  EXPECT_EQ(btc_usdt, 25u);
}

TEST(OkxParser, ReadsExactTickerValues) {
  OkxParser parser;
  const OkxFrame& frame = parser.parse(fixture_lines("ws_tickers.jsonl")[2]);
  ASSERT_EQ(frame.kind, FrameKind::kTickers);
  EXPECT_EQ(frame.inst_id, "BTC-USDT");
  const OkxTicker& ticker = frame.tickers.at(0);
  EXPECT_DOUBLE_EQ(ticker.ticker.bid_price, 30228.6);
  EXPECT_DOUBLE_EQ(ticker.ticker.bid_size, 0.23393);
  EXPECT_DOUBLE_EQ(ticker.ticker.ask_price, 30228.7);
  EXPECT_DOUBLE_EQ(ticker.ticker.ask_size, 1.55896972);
  EXPECT_DOUBLE_EQ(ticker.last_price, 30236);
  EXPECT_EQ(ticker.ticker.exchange_time, from_unix_millis(1652459224956));
}

TEST(OkxParser, ParsesEveryRecordedBooksFrame) {
  OkxParser parser;
  std::size_t snapshots = 0, updates = 0;
  for (const auto& line : fixture_lines("ws_books.jsonl")) {
    const OkxFrame& frame = parser.parse(line);
    ASSERT_EQ(frame.kind, FrameKind::kBook) << frame.error;
    EXPECT_TRUE(frame.book.has_checksum);
    (frame.book.snapshot ? snapshots : updates)++;
  }
  EXPECT_EQ(snapshots, 3u);
  EXPECT_EQ(updates, 77u);
}

TEST(OkxParser, ReadsExactBookSnapshotAndUpdateValues) {
  const auto lines = fixture_lines("ws_books.jsonl");
  OkxParser parser;
  const OkxFrame& snapshot = parser.parse(lines[2]);
  ASSERT_EQ(snapshot.kind, FrameKind::kBook);
  EXPECT_EQ(snapshot.inst_id, "BTC-USDT");
  EXPECT_TRUE(snapshot.book.snapshot);
  EXPECT_EQ(snapshot.book.asks.size(), 400u);
  EXPECT_EQ(snapshot.book.bids.size(), 400u);
  EXPECT_EQ(snapshot.book.asks[0].price_text, "30243.5");
  EXPECT_EQ(snapshot.book.asks[0].size_text, "1.44679");
  EXPECT_DOUBLE_EQ(snapshot.book.asks[0].size, 1.44679);
  EXPECT_EQ(snapshot.book.checksum, 47640993);

  const OkxFrame& update = parser.parse(lines[3]);
  ASSERT_EQ(update.kind, FrameKind::kBook);
  EXPECT_EQ(update.inst_id, "BTC-USD-220527");
  EXPECT_FALSE(update.book.snapshot);
  ASSERT_EQ(update.book.asks.size(), 3u);
  EXPECT_EQ(update.book.asks[0].price_text, "30249.4");
  EXPECT_EQ(update.book.asks[0].size, 0);
  ASSERT_EQ(update.book.bids.size(), 1u);
  EXPECT_DOUBLE_EQ(update.book.bids[0].price, 30182.6);
  EXPECT_DOUBLE_EQ(update.book.bids[0].size, 452);
  EXPECT_EQ(update.book.exchange_time, from_unix_millis(1652459225464));
  EXPECT_EQ(update.book.checksum, -914047754);
  EXPECT_EQ(update.book.seq_id, OkxBookMessage::kNoSequence);  // the 2022 recording predates seqId
}

TEST(OkxParser, ReadsSeqIdAndPrevSeqId) {
  OkxParser parser;
  const OkxFrame& frame = parser.parse(
      R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],)"
      R"("bids":[["8476.98","415","0","13"]],"ts":"1597026383085","checksum":0,"prevSeqId":123455,"seqId":123456}]})");
  ASSERT_EQ(frame.kind, FrameKind::kBook) << frame.error;
  EXPECT_EQ(frame.book.prev_seq_id, 123455);
  EXPECT_EQ(frame.book.seq_id, 123456);
  EXPECT_TRUE(frame.book.has_checksum);
  EXPECT_EQ(frame.book.checksum, 0);
}

TEST(OkxParser, ReportsBookWithoutChecksumAsAbsent) {
  OkxParser parser;
  const OkxFrame& frame =
      parser.parse(R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot",)"
                   R"("data":[{"asks":[["2","1","0","1"]],"bids":[["1","1","0","1"]],"ts":"1"}]})");
  ASSERT_EQ(frame.kind, FrameKind::kBook) << frame.error;
  EXPECT_FALSE(frame.book.has_checksum);
}

TEST(OkxParser, ParsesSubscribeAcksAsEvents) {
  const auto lines = fixture_lines("ws_subscribe_acks.jsonl");
  ASSERT_EQ(lines.size(), 18u);
  OkxParser parser;
  for (const auto& line : lines) {
    const OkxFrame& frame = parser.parse(line);
    ASSERT_EQ(frame.kind, FrameKind::kEvent) << frame.error;
    EXPECT_EQ(frame.event, "subscribe");
    EXPECT_FALSE(frame.inst_id.empty());
  }
}

TEST(OkxParser, ParsesVenueErrorEvent) {
  OkxParser parser;
  const OkxFrame& frame = parser.parse(
      R"({"event":"error","code":"60018","msg":"Wrong URL or channel:books, instId:NOPE-USDT"})");
  ASSERT_EQ(frame.kind, FrameKind::kVenueError);
  EXPECT_EQ(frame.venue_code, "60018");
  EXPECT_EQ(frame.venue_message, "Wrong URL or channel:books, instId:NOPE-USDT");
}

TEST(OkxParser, AcceptsNumericVenueErrorCode) {
  OkxParser parser;
  const OkxFrame& frame = parser.parse(R"({"event":"error","code":60012,"msg":"Invalid request"})");
  ASSERT_EQ(frame.kind, FrameKind::kVenueError) << frame.error;
  EXPECT_EQ(frame.venue_code, "60012");
}

TEST(OkxParser, RecognisesPong) {
  OkxParser parser;
  EXPECT_EQ(parser.parse("pong").kind, FrameKind::kPong);
}

TEST(OkxParser, IgnoresUnhandledChannels) {
  OkxParser parser;
  const OkxFrame& frame = parser.parse(
      R"({"arg":{"channel":"candle1m","instId":"BTC-USD"},"data":[["1685221620000","26800","26801","26790","26795","1.2","3","3","0"]]})");
  EXPECT_EQ(frame.kind, FrameKind::kIgnored);
  EXPECT_EQ(frame.channel, "candle1m");
}

TEST(OkxParser, AcceptsDataBeforeArg) {
  OkxParser parser;
  const OkxFrame& frame = parser.parse(
      R"({"data":[{"instId":"BTC-USDT","tradeId":"5","px":"1.5","sz":"2","side":"buy","ts":"10"}],)"
      R"("arg":{"channel":"trades","instId":"BTC-USDT"}})");
  ASSERT_EQ(frame.kind, FrameKind::kTrades) << frame.error;
  ASSERT_EQ(frame.trades.size(), 1u);
  EXPECT_EQ(frame.trades[0].trade_id, 5u);
}

TEST(OkxParser, RejectsEveryTruncationOfARecordedFrame) {
  OkxParser parser;
  for (const auto& line : {fixture_lines("ws_books.jsonl")[3], fixture_lines("ws_trades.jsonl")[0],
                           fixture_lines("ws_tickers.jsonl")[0]}) {
    for (std::size_t length = 0; length < line.size(); ++length) {
      const OkxFrame& frame = parser.parse(std::string_view(line).substr(0, length));
      EXPECT_EQ(frame.kind, FrameKind::kMalformed) << "prefix of length " << length;
      EXPECT_FALSE(frame.error.empty());
    }
    EXPECT_NE(parser.parse(line).kind, FrameKind::kMalformed);
  }
}

TEST(OkxParser, RejectsMalformedFrames) {
  OkxParser parser;
  const char* cases[] = {
      "",
      "ping",
      "[1,2,3]",
      "{}",
      R"({"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"abc","sz":"1","ts":"1"}]})",
      R"({"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"-1","px":"1","sz":"1","ts":"1"}]})",
      R"({"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"1","sz":"1"}]})",
      R"({"arg":{"channel":"trades","instId":"BTC-USDT"},"data":{}})",
      R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[[1,2]],"ts":"1"}]})",
      R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["1"]],"ts":"1"}]})",
      R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"checksum":"x","ts":"1"}]})",
      R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"bogus","data":[{"ts":"1"}]})",
      R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[]})",
      R"({"arg":{"channel":"tickers"},"data":[{"ts":"1"}]})",
      R"({"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[]} trailing)",
      "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-\xff\"},\"data\":[]}",
  };
  for (const char* text : cases) {
    const OkxFrame& frame = parser.parse(text);
    EXPECT_EQ(frame.kind, FrameKind::kMalformed) << text;
    EXPECT_TRUE(frame.trades.empty());
  }
}

TEST(OkxParser, ParsesRecordedInstruments) {
  const auto lines = fixture_lines("rest_instruments.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  OkxParser parser;
  std::vector<OkxInstrument> instruments;
  ASSERT_TRUE(parser.parse_instruments(lines[0], instruments).ok);
  ASSERT_TRUE(parser.parse_instruments(lines[1], instruments).ok);
  ASSERT_EQ(instruments.size(), 10u);
  EXPECT_EQ(instruments[0].inst_id, "BTC-USDT");
  EXPECT_EQ(instruments[0].inst_type, "SPOT");
  EXPECT_EQ(instruments[0].base_ccy, "BTC");
  EXPECT_EQ(instruments[0].quote_ccy, "USDT");
  EXPECT_EQ(instruments[0].state, "live");
  EXPECT_EQ(instruments[8].inst_id, "BTC-USD-SWAP");
  EXPECT_EQ(instruments[8].base_ccy, "");
}

TEST(OkxParser, ReportsInstrumentsVenueErrorAndMalformedBody) {
  OkxParser parser;
  std::vector<OkxInstrument> instruments(1);
  const auto venue_error = parser.parse_instruments(
      R"({"code":"51001","msg":"Instrument ID does not exist","data":[]})", instruments);
  EXPECT_FALSE(venue_error.ok);
  EXPECT_NE(venue_error.error.find("51001"), std::string::npos);
  const std::string good = fixture_lines("rest_instruments.jsonl")[0];
  EXPECT_FALSE(parser.parse_instruments(good.substr(0, good.size() / 2), instruments).ok);
  EXPECT_EQ(instruments.size(), 1u);  // unchanged on failure
}

// REST market bodies, in the shape of OKX's v5 documentation (GET /api/v5/market/ticker and
// GET /api/v5/market/trades).
constexpr std::string_view kRestTicker =
    R"({"code":"0","msg":"","data":[{"instType":"SPOT","instId":"BTC-USDT","last":"29963.2","lastSz":"0.1",)"
    R"("askPx":"29963.3","askSz":"1.5","bidPx":"29963.1","bidSz":"0.25","open24h":"29000","high24h":"30000",)"
    R"("low24h":"28888.8","volCcy24h":"2222","vol24h":"2222","sodUtc0":"29000","sodUtc8":"29100",)"
    R"("ts":"1654161646974"}]})";
constexpr std::string_view kRestTrades =
    R"({"code":"0","msg":"","data":[)"
    R"({"instId":"BTC-USDT","side":"sell","sz":"0.00001","px":"29963.2","tradeId":"242720720","ts":"1654161646974"},)"
    R"({"instId":"BTC-USDT","side":"buy","sz":"0.5","px":"29963.1","tradeId":"242720719","ts":"1654161646000"}]})";

TEST(OkxParser, ReadsRestTickerAndTrades) {
  OkxParser parser;
  const OkxFrame& ticker = parser.parse_rest(kRestTicker, FrameKind::kTickers);
  ASSERT_EQ(ticker.kind, FrameKind::kTickers) << ticker.error;
  ASSERT_EQ(ticker.tickers.size(), 1u);
  EXPECT_DOUBLE_EQ(ticker.tickers[0].ticker.bid_price, 29963.1);
  EXPECT_DOUBLE_EQ(ticker.tickers[0].ticker.ask_price, 29963.3);
  EXPECT_DOUBLE_EQ(ticker.tickers[0].ticker.bid_size, 0.25);
  EXPECT_DOUBLE_EQ(ticker.tickers[0].last_price, 29963.2);
  EXPECT_EQ(ticker.tickers[0].ticker.exchange_time, Timestamp{std::chrono::milliseconds(1654161646974)});

  const OkxFrame& trades = parser.parse_rest(kRestTrades, FrameKind::kTrades);
  ASSERT_EQ(trades.kind, FrameKind::kTrades) << trades.error;
  ASSERT_EQ(trades.trades.size(), 2u);
  EXPECT_DOUBLE_EQ(trades.trades[0].price, 29963.2);
  EXPECT_DOUBLE_EQ(trades.trades[0].quantity, 0.00001);
  EXPECT_EQ(trades.trades[0].side, Side::kSell);
  EXPECT_EQ(trades.trades[0].trade_id, 242720720u);
  EXPECT_EQ(trades.trades[1].side, Side::kBuy);
}

TEST(OkxParser, RestVenueErrorsAndMalformedBodiesAreReported) {
  OkxParser parser;
  const OkxFrame& error = parser.parse_rest(
      R"({"code":"51001","msg":"Instrument ID does not exist","data":[]})", FrameKind::kTrades);
  EXPECT_EQ(error.kind, FrameKind::kVenueError);
  EXPECT_EQ(error.venue_code, "51001");
  EXPECT_EQ(parser.parse_rest(R"({"code":"0","data":[{"px":)", FrameKind::kTrades).kind,
            FrameKind::kMalformed);
  EXPECT_EQ(parser.parse_rest(R"({"code":"0","msg":""})", FrameKind::kTickers).kind, FrameKind::kMalformed);
  EXPECT_EQ(parser.parse_rest(kRestTicker, FrameKind::kBook).kind, FrameKind::kMalformed);
}

}  // namespace
}  // namespace tickguard::feeds::okx
