// `tickguard replay` of recorded normalized events (JSONL), of raw venue messages (the recorded
// fixtures), and of what `tickguard simulate` writes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "detectors/statistical/zscore_detector.h"
#include "feeds/simulator/market_simulator.h"
#include "replay/event_jsonl.h"
#include "replay/replay.h"
#include "replay/simulate.h"

namespace tickguard::replay {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<DetectorSpec> zscore_only() {
  return {DetectorSpec{"zscore", AlertOptions{}, [] {
                         ZScoreDetector::Options options;
                         options.window = 50;
                         options.min_samples = 20;
                         return std::make_unique<ZScoreDetector>(options);
                       }}};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  return out;
}

struct Result {
  Status status;
  std::string output;
  ReplayStats stats;
  ReportData report;
};

Result events(const std::string& jsonl) {
  std::istringstream input(jsonl);
  std::ostringstream output;
  Result r;
  r.status = replay_events(input, "in.jsonl", zscore_only(), output, r.stats, &r.report);
  r.output = output.str();
  return r;
}

Result venue(const std::string& text, std::string_view name, std::vector<std::string> known = {}) {
  std::istringstream input(text);
  std::ostringstream output;
  Result r;
  r.status =
      replay_venue(input, "in.jsonl", name, std::move(known), zscore_only(), output, r.stats, &r.report);
  r.output = output.str();
  return r;
}

std::string fixture(const std::string& path) {
  std::ifstream in(std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/" + path);
  EXPECT_TRUE(in) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Output rows per "exchange,symbol".
std::map<std::string, std::size_t> rows_by_instrument(const std::string& output) {
  std::map<std::string, std::size_t> counts;
  const auto all = lines(output);
  for (std::size_t i = 1; i < all.size(); ++i) {
    const auto c = cells(all[i]);
    ++counts[c.at(1) + "," + c.at(2)];
  }
  return counts;
}

// `n` one-second trades of one instrument as event lines, a 5% jump at `jump` (labelled "jump").
std::vector<std::string> trade_lines(const Instrument& instrument, int n, int jump, double start_price) {
  std::vector<std::string> out;
  double price = start_price;
  for (int i = 0; i < n; ++i) {
    price *= 1 + 0.0005 * std::sin(i * 1.7 + start_price) + 0.0003 * std::cos(i * 0.31);
    if (i == jump) price *= 1.05;
    Trade trade;
    trade.exchange_time = trade.receive_time = Timestamp(std::chrono::seconds(1700000000 + i));
    trade.price = price;
    trade.quantity = 1;
    std::ostringstream line;
    write_event_line(line, instrument, trade, i == jump ? "jump" : "");
    out.push_back(line.str());
  }
  return out;
}

TEST(ReplayEvents, SeveralInstrumentsScoreExactlyAsEachReplayedAlone) {
  const Instrument btc{0, "simex", "BTC/USDT"};
  const Instrument eth{0, "mockex", "ETH/USDT"};
  const auto a = trade_lines(btc, 200, 150, 100);
  const auto b = trade_lines(eth, 200, 80, 20);
  std::string both, only_a, only_b;
  for (std::size_t i = 0; i < a.size(); ++i) {
    both += a[i] + b[i];
    only_a += a[i];
    only_b += b[i];
  }
  const Result r = events(both);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const auto out = lines(r.output);
  ASSERT_EQ(out.size(), 401U);
  EXPECT_EQ(out[0], "timestamp,exchange,symbol,score,score_zscore,label");
  EXPECT_EQ(out[1], "1700000000000000000,simex,BTC/USDT,0.000000,0.000000,");
  EXPECT_EQ(r.stats.instruments, 2U);
  EXPECT_EQ(r.stats.trades, 400U);
  EXPECT_EQ(r.stats.anomalies, 2U) << "one jump each";

  const Result alone_a = events(only_a);
  const Result alone_b = events(only_b);
  ASSERT_TRUE(alone_a.status.ok() && alone_b.status.ok());
  const auto rows_a = lines(alone_a.output);
  const auto rows_b = lines(alone_b.output);
  ASSERT_EQ(rows_a.size(), 201U);
  ASSERT_EQ(rows_b.size(), 201U);
  for (std::size_t i = 0; i < 200; ++i) {
    EXPECT_EQ(out[1 + 2 * i], rows_a[1 + i]) << "row " << i;
    EXPECT_EQ(out[2 + 2 * i], rows_b[1 + i]) << "row " << i;
  }
  // The jumps are scored, and their labels come through.
  EXPECT_EQ(out[1 + 2 * 150], "1700000150000000000,simex,BTC/USDT,1.000000,1.000000,jump");
  EXPECT_EQ(out[2 + 2 * 80], "1700000080000000000,mockex,ETH/USDT,1.000000,1.000000,jump");
}

TEST(ReplayEvents, ReportDrawsOneChartPerInstrument) {
  const auto a = trade_lines(Instrument{0, "simex", "BTC/USDT"}, 100, 60, 100);
  const auto b = trade_lines(Instrument{0, "simex", "ETH/USDT"}, 100, -1, 20);
  std::string both;
  for (std::size_t i = 0; i < a.size(); ++i) both += a[i] + b[i];
  const Result r = events(both);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.report.series.size(), 2U);
  EXPECT_EQ(r.report.series[1].symbol, "ETH/USDT");
  EXPECT_EQ(r.report.series[0].times.size(), 100U);
  ASSERT_EQ(r.report.events.size(), 1U);
  EXPECT_EQ(r.report.events[0].series, 0U);
  EXPECT_EQ(r.report.events[0].point, 60U);
  EXPECT_EQ(r.report.events[0].row, 120U);
  std::ostringstream html;
  write_html_report(html, "in.jsonl", r.report);
  const std::string page = html.str();
  EXPECT_THAT(page,
              HasSubstr("200 rows from 2023-11-14 22:13:20 to 2023-11-14 22:14:59 UTC on 2 instruments"));
  EXPECT_THAT(page, HasSubstr("<h2>simex ETH/USDT</h2>"));
  std::size_t charts = 0;
  for (std::size_t at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1)) ++charts;
  EXPECT_EQ(charts, 2U);
  EXPECT_THAT(page, HasSubstr("<td>121</td><td>simex BTC/USDT</td><td>zscore</td>"));
}

TEST(EventJsonl, WrittenEventsReadBackUnchanged) {
  const Instrument instrument{3, "simex", "BTC/USDT"};
  Trade trade;
  trade.exchange_time = Timestamp(std::chrono::nanoseconds(1700000000123456789));
  trade.receive_time = trade.exchange_time + std::chrono::milliseconds(5);
  trade.price = 60001.1;
  trade.quantity = 0.012;
  trade.side = Side::kSell;
  trade.trade_id = 42;
  Ticker ticker;
  ticker.exchange_time = ticker.receive_time = trade.exchange_time;
  ticker.bid_price = 60000.5;
  ticker.bid_size = 1.5;
  ticker.ask_price = 60001.5;
  ticker.ask_size = 0.25;
  BookSnapshot book;
  book.exchange_time = book.receive_time = trade.exchange_time;
  book.sequence = 9;
  book.bid_count = 2;
  book.ask_count = 1;
  book.bids[0] = {60000.5, 1.5};
  book.bids[1] = {60000, 3};
  book.asks[0] = {60001.5, 0.25};
  std::ostringstream text;
  write_event_line(text, instrument, trade, "price_spike");
  write_event_line(text, instrument, ticker, "");
  write_event_line(text, instrument, book, "say \"hi\"");
  const auto written = lines(text.str());
  ASSERT_EQ(written.size(), 3U);
  EXPECT_EQ(
      written[0],
      R"({"type":"trade","exchange":"simex","symbol":"BTC/USDT","time":1700000000123456789,)"
      R"("receive_time":1700000000128456789,"price":60001.1,"quantity":0.012,"side":"sell","trade_id":42,)"
      R"("label":"price_spike"})");

  EventLineParser parser;
  RecordedEvent event;
  std::string error;
  ASSERT_TRUE(parser.parse(written[0], event, error)) << error;
  EXPECT_EQ(event.exchange, "simex");
  EXPECT_EQ(event.symbol, "BTC/USDT");
  EXPECT_EQ(event.label, "price_spike");
  EXPECT_EQ(event.time_text, "1700000000123456789");
  const Trade& t = std::get<Trade>(event.event);
  EXPECT_EQ(t.exchange_time, trade.exchange_time);
  EXPECT_EQ(t.receive_time, trade.receive_time);
  EXPECT_EQ(t.price, trade.price);
  EXPECT_EQ(t.quantity, trade.quantity);
  EXPECT_EQ(t.side, Side::kSell);
  EXPECT_EQ(t.trade_id, 42U);
  ASSERT_TRUE(parser.parse(written[1], event, error)) << error;
  const Ticker& k = std::get<Ticker>(event.event);
  EXPECT_EQ(k.bid_price, 60000.5);
  EXPECT_EQ(k.ask_size, 0.25);
  EXPECT_TRUE(event.has_label);
  EXPECT_EQ(event.label, "");
  ASSERT_TRUE(parser.parse(written[2], event, error)) << error;
  EXPECT_EQ(event.label, "say \"hi\"");
  const BookSnapshot& b = std::get<BookSnapshot>(event.event);
  EXPECT_EQ(b.sequence, 9U);
  ASSERT_EQ(b.bid_count, 2);
  ASSERT_EQ(b.ask_count, 1);
  EXPECT_EQ(b.bids[1].price, 60000);
  EXPECT_EQ(b.bids[1].size, 3);
  EXPECT_EQ(b.asks[0].price, 60001.5);
}

TEST(EventJsonl, AcceptsMillisecondsNanosecondsAndRfc3339) {
  EventLineParser parser;
  RecordedEvent event;
  std::string error;
  const Timestamp expected(std::chrono::milliseconds(1700000000123));
  for (const char* time : {"1700000000123", "1700000000123000000", "\"2023-11-14T22:13:20.123Z\"",
                           "\"2023-11-14T23:13:20.123+01:00\""}) {
    const std::string line =
        std::string(R"({"type":"ticker","exchange":"x","symbol":"A/B","bid":1,"ask":2,"time":)") + time + "}";
    ASSERT_TRUE(parser.parse(line, event, error)) << time << ": " << error;
    EXPECT_EQ(std::get<Ticker>(event.event).exchange_time, expected) << time;
    EXPECT_EQ(std::get<Ticker>(event.event).receive_time, expected) << time;
    EXPECT_FALSE(event.has_label);
  }
}

TEST(ReplayEvents, MalformedLinesNameFileAndLine) {
  const std::string good = R"({"type":"trade","exchange":"x","symbol":"A/B","time":1700000000000,"price":1})";
  const auto message = [&](const std::string& bad) {
    return events(good + "\n\n" + bad + "\n").status.message();
  };
  EXPECT_EQ(message("not json"), "in.jsonl:3: not a JSON object");
  EXPECT_EQ(message(R"({"type":"trade","exchange":"x","symbol":"A/B","time":1})"),
            "in.jsonl:3: missing \"price\"");
  EXPECT_EQ(message(R"({"type":"trade","exchange":"x","symbol":"A/B","price":1})"),
            "in.jsonl:3: missing \"time\"");
  EXPECT_EQ(message(R"({"type":"trade","exchange":"x","symbol":"A/B","time":1,"price":"ten"})"),
            "in.jsonl:3: invalid \"price\"");
  EXPECT_EQ(message(R"({"type":"trade","exchange":"x","symbol":"A/B","time":"noon","price":1})"),
            "in.jsonl:3: invalid \"time\"");
  EXPECT_EQ(message(R"({"type":"candle","exchange":"x","symbol":"A/B","time":1})"),
            "in.jsonl:3: unknown \"type\" \"candle\": expected trade, ticker or book");
  EXPECT_EQ(message(R"({"type":"book","exchange":"x","symbol":"A/B","time":1,"bids":[[1]],"asks":[]})"),
            "in.jsonl:3: invalid \"bids\"");
  EXPECT_EQ(message(R"({"type":"trade","symbol":"A/B","time":1,"price":1})"),
            "in.jsonl:3: missing \"exchange\"");
  EXPECT_EQ(message(good + " {}"), "in.jsonl:3: trailing content after the JSON object");
}

TEST(ReplayInputFormat, NamesAndExtensions) {
  EXPECT_EQ(parse_input_format("csv"), InputFormat::kCsv);
  EXPECT_EQ(parse_input_format("events"), InputFormat::kEvents);
  EXPECT_EQ(parse_input_format("kraken"), InputFormat::kKraken);
  EXPECT_EQ(parse_input_format("bitstamp"), std::nullopt);
  EXPECT_EQ(input_format_for_path("data/prices.CSV"), InputFormat::kCsv);
  EXPECT_EQ(input_format_for_path("recorded.jsonl"), InputFormat::kEvents);
  EXPECT_EQ(input_format_for_path("recorded.json"), InputFormat::kEvents);
  EXPECT_EQ(input_format_for_path("recorded.txt"), std::nullopt);
  EXPECT_EQ(input_format_for_path("dir.d/recorded"), std::nullopt);
}

TEST(ReplayVenue, BinanceTradesAndTickersWithUnifiedSymbols) {
  const Result trades =
      venue(fixture("binance/ws_aggTrade.jsonl") + fixture("binance/us_ws_aggTrade.jsonl"), "binance");
  ASSERT_TRUE(trades.status.ok()) << trades.status.message();
  EXPECT_EQ(trades.stats.trades, 13U);
  EXPECT_EQ(trades.stats.skipped, 0U);
  EXPECT_EQ(rows_by_instrument(trades.output),
            (std::map<std::string, std::size_t>{
                {"binance,LRC/BTC", 1}, {"binance,NKN/USDT", 1}, {"binance,OMG/BUSD", 11}}));
  // The first recorded aggTrade: T = 1633998523963 ms.
  EXPECT_THAT(lines(trades.output)[1], StartsWith("2021-10-12T00:28:43.963Z,binance,NKN/USDT,"));

  const Result tickers = venue(fixture("binance/ws_bookTicker.jsonl"), "binance");
  ASSERT_TRUE(tickers.status.ok()) << tickers.status.message();
  EXPECT_EQ(tickers.stats.tickers, 84U);
  EXPECT_EQ(rows_by_instrument(tickers.output),
            (std::map<std::string, std::size_t>{
                {"binance,BLZ/ETH", 1}, {"binance,LRC/BTC", 9}, {"binance,NKN/USDT", 74}}));
  // Depth diffs need a REST snapshot, which a stream recording lacks; klines are not replayed.
  const Result depth =
      venue(fixture("binance/ws_depth_100ms.jsonl") + fixture("binance/ws_kline_1m.jsonl"), "binance");
  ASSERT_TRUE(depth.status.ok()) << depth.status.message();
  EXPECT_EQ(depth.stats.rows, 0U);
  EXPECT_EQ(depth.stats.skipped, 177U + 2U);
}

TEST(ReplayVenue, CoinbaseMatchesTickersAndRebuiltBooks) {
  const Result matches =
      venue(fixture("coinbase/ws_subscriptions.jsonl") + fixture("coinbase/ws_last_match.jsonl") +
                fixture("coinbase/ws_match.jsonl") + fixture("coinbase/ws_ticker.jsonl"),
            "coinbase");
  ASSERT_TRUE(matches.status.ok()) << matches.status.message();
  EXPECT_EQ(matches.stats.trades, 97U);
  EXPECT_EQ(matches.stats.tickers, 107U);
  EXPECT_EQ(matches.stats.skipped, 3U + 10U) << "subscription acks and last_match repeats";
  // One row per match and per ticker of each product (as counted in the recording).
  EXPECT_EQ(rows_by_instrument(matches.output),
            (std::map<std::string, std::size_t>{{"coinbase,BAND/BTC", 17},
                                                {"coinbase,BAND/GBP", 9},
                                                {"coinbase,CRV/EUR", 1},
                                                {"coinbase,DASH/BTC", 31},
                                                {"coinbase,NMR/EUR", 17},
                                                {"coinbase,NU/GBP", 3},
                                                {"coinbase,SKL/BTC", 17},
                                                {"coinbase,SKL/GBP", 3},
                                                {"coinbase,SKL/USD", 105},
                                                {"coinbase,YFI/BTC", 1}}));

  const Result books =
      venue(fixture("coinbase/ws_snapshot.jsonl") + fixture("coinbase/ws_l2update.jsonl"), "coinbase");
  ASSERT_TRUE(books.status.ok()) << books.status.message();
  EXPECT_EQ(books.stats.books, 310U) << "10 snapshots, then every l2update applies";
  EXPECT_EQ(books.stats.instruments, 10U);
}

TEST(ReplayVenue, KrakenV1TradesTickersAndChecksummedBooks) {
  const Result trades = venue(fixture("kraken/ws_v1_trade_ticker_KSM-XBT_XMR-USD.jsonl"), "kraken");
  ASSERT_TRUE(trades.status.ok()) << trades.status.message();
  EXPECT_EQ(trades.stats.trades, 4U);
  EXPECT_EQ(trades.stats.tickers, 5U);
  EXPECT_EQ(rows_by_instrument(trades.output),
            (std::map<std::string, std::size_t>{{"kraken,KSM/BTC", 1}, {"kraken,XMR/USD", 8}}));
  // Tickers carry no time: the first ones take the first trade's.
  EXPECT_THAT(lines(trades.output)[1], StartsWith("2021-04-17T16:49:02.557535Z,kraken,XMR/USD,"));

  const Result books = venue(fixture("kraken/ws_v1_book-1000_KSM-XBT_XMR-USD.jsonl"), "kraken");
  ASSERT_TRUE(books.status.ok()) << books.status.message();
  EXPECT_EQ(books.stats.books, 122U) << "every update's CRC32 matches";
  EXPECT_EQ(books.stats.instruments, 2U);
}

TEST(ReplayVenue, OkxSpotTradesTickersAndBooks) {
  const Result r = venue(fixture("okx/ws_subscribe_acks.jsonl") + fixture("okx/ws_trades.jsonl") +
                             fixture("okx/ws_tickers.jsonl") + fixture("okx/ws_books.jsonl"),
                         "okx");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.stats.trades, 69U);
  EXPECT_EQ(r.stats.tickers, 25U);
  EXPECT_EQ(r.stats.books, 27U);
  EXPECT_EQ(rows_by_instrument(r.output),
            (std::map<std::string, std::size_t>{{"okx,BTC/USDT", 69 + 25 + 27}}))
      << "futures and swaps are not spot markets";
}

TEST(ReplayVenue, BybitTradesAndBooks) {
  const Result r = venue(fixture("bybit/v5_ws_spot_replay.jsonl"), "bybit");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.stats.trades, 58U);
  EXPECT_EQ(r.stats.books, 122U);
  EXPECT_EQ(r.stats.skipped, 33U) << "spot tickers frames carry no best bid/offer";
  const auto rows = rows_by_instrument(r.output);
  EXPECT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows.count("bybit,LTC/USDT"), 1U);
  EXPECT_EQ(rows.count("bybit,XTZ/USDT"), 1U);
  EXPECT_THAT(lines(r.output)[1], StartsWith("2021-04-17T16:43:04.983Z,bybit,XTZ/USDT,"));
}

TEST(ReplayVenue, MalformedMessageAndUnknownSymbolNameFileAndLine) {
  const std::string trade =
      R"({"stream":"abcxyz@aggTrade","data":{"e":"aggTrade","E":1,"s":"ABCXYZ","a":1,"p":"1.5","q":"2",)"
      R"("f":1,"l":1,"T":1633998523963,"m":false,"M":true}})";
  const std::string ok = fixture("binance/ws_aggTrade.jsonl");
  EXPECT_THAT(venue(ok + trade.substr(0, 40) + "\n", "binance").status.message(),
              StartsWith("in.jsonl:3: malformed message: "));
  EXPECT_EQ(
      venue(ok + trade + "\n", "binance").status.message(),
      "in.jsonl:3: cannot map binance symbol \"ABCXYZ\" to BASE/QUOTE: list it in a [[feed]] of exchange "
      "\"binance\" in --config");
  const Result known = venue(trade + "\n", "binance", {"ABC/XYZ"});
  ASSERT_TRUE(known.status.ok()) << known.status.message();
  EXPECT_EQ(rows_by_instrument(known.output), (std::map<std::string, std::size_t>{{"binance,ABC/XYZ", 1}}));
  EXPECT_THAT(venue("{\"type\":\"match\"\n", "coinbase").status.message(),
              StartsWith("in.jsonl:1: malformed message: "));
  EXPECT_THAT(venue("[1,2\n", "kraken").status.message(), StartsWith("in.jsonl:1: malformed message: "));
  EXPECT_THAT(venue("{\"arg\":\n", "okx").status.message(), StartsWith("in.jsonl:1: malformed message: "));
  EXPECT_THAT(venue("{\"topic\":\n", "bybit").status.message(),
              StartsWith("in.jsonl:1: malformed message: "));
}

TEST(Simulate, RecordedEventsReplayWithTheirLabels) {
  config::Config config;
  config.source = "test.toml";
  config::FeedOptions feed;
  feed.exchange = "simulator";
  feed.symbols = {"BTC/USDT", "ETH/USDT"};
  feed.simulator.venues = {"simex", "mockex"};
  feed.simulator.seed = 7;
  feed.simulator.anomaly_interval = std::chrono::minutes(1);
  config.feeds.push_back(feed);
  std::ostringstream recorded;
  SimulateStats simulated;
  ASSERT_TRUE(
      simulate_events(config, std::chrono::minutes(10), kDefaultSimulationStart, recorded, simulated).ok());
  ASSERT_GT(simulated.injected, 0U);
  ASSERT_GT(simulated.labelled, 0U);

  const Result r = events(recorded.str());
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.stats.rows, simulated.events);
  EXPECT_EQ(r.stats.instruments, 4U);
  EXPECT_GT(r.stats.trades, 0U);
  EXPECT_GT(r.stats.tickers, 0U);
  EXPECT_GT(r.stats.books, 0U);
  std::set<std::string> kinds;
  for (const auto kind : simulator::all_anomaly_kinds()) kinds.emplace(simulator::anomaly_kind_name(kind));
  std::size_t labelled = 0;
  const auto out = lines(r.output);
  for (std::size_t i = 1; i < out.size(); ++i) {
    const std::string label = out[i].substr(out[i].rfind(',') + 1);
    if (label.empty()) continue;
    ++labelled;
    EXPECT_EQ(kinds.count(label), 1U) << label;
  }
  EXPECT_EQ(labelled, simulated.labelled);

  config.feeds.clear();
  EXPECT_EQ(simulate_events(config, std::chrono::minutes(1), kDefaultSimulationStart, recorded, simulated)
                .message(),
            "test.toml: no [[feed]] with exchange = \"simulator\" to simulate");
}

}  // namespace
}  // namespace tickguard::replay
