// REST fallback bodies: /0/public/Ticker and /0/public/Trades. The fixtures are constructed from
// Kraken's REST documentation with recorded XMR/USD values (tests/fixtures/kraken/README.md); the
// inline bodies follow the documented examples.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "feeds/kraken/kraken_parse.h"
#include "kraken_test_util.h"

namespace tickguard::feeds::kraken {
namespace {

using namespace std::chrono_literals;

Timestamp at(std::int64_t seconds, std::int64_t nanos) {
  return Timestamp(std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos));
}

// ---- Ticker ----

TEST(KrakenRestTicker, ParsesBestBidAskAndLastFromTheFixture) {
  const KrakenRestTicker parsed =
      parse_rest_ticker(testing::read_fixture("rest_Ticker_XXMRZUSD.json"), "XXMRZUSD");
  ASSERT_EQ(parsed.error, KrakenParseError::kNone) << parse_error_name(parsed.error);
  EXPECT_TRUE(parsed.venue_errors.empty());
  EXPECT_EQ(parsed.ticker.ask, 354.38);
  EXPECT_EQ(parsed.ticker.ask_qty, 4.956);  // the lot volume, not the whole-lot volume "4"
  EXPECT_EQ(parsed.ticker.bid, 353.81);
  EXPECT_EQ(parsed.ticker.bid_qty, 5.14412712);
  EXPECT_EQ(parsed.ticker.last, 353.81);
  EXPECT_FALSE(parsed.ticker.exchange_time.has_value()) << "the REST ticker carries no time";
  EXPECT_TRUE(parsed.ticker.symbol.empty());
}

TEST(KrakenRestTicker, BecomesATickerStampedWithTheReceiveTime) {
  const KrakenRestTicker parsed =
      parse_rest_ticker(testing::read_fixture("rest_Ticker_XXMRZUSD.json"), "XXMRZUSD");
  const Timestamp now = at(1700000000, 5);
  const Ticker ticker = to_ticker(parsed.ticker, 7, now);
  EXPECT_EQ(ticker.instrument, 7u);
  EXPECT_EQ(ticker.exchange_time, now);
  EXPECT_EQ(ticker.receive_time, now);
  EXPECT_EQ(ticker.bid_price, 353.81);
  EXPECT_EQ(ticker.ask_price, 354.38);
  EXPECT_EQ(ticker.ask_size, 4.956);
}

TEST(KrakenRestTicker, AcceptsTheDocumentedExampleAndNumbersWrittenAsNumbers) {
  // The documentation's example entry (XXBTZUSD), whole-lot volumes as strings.
  const KrakenRestTicker doc = parse_rest_ticker(
      R"({"error":[],"result":{"XXBTZUSD":{"a":["30300.10000","1","1.000"],"b":["30300.00000","1","1.000"],)"
      R"("c":["30303.20000","0.00067643"],"v":["4083.67001100","4412.73601799"],)"
      R"("p":["30706.77771","30689.13205"],"t":[34619,38907],"l":["29868.30000","29868.30000"],)"
      R"("h":["31631.00000","31631.00000"],"o":"30502.80000"}}})",
      "XXBTZUSD");
  ASSERT_EQ(doc.error, KrakenParseError::kNone);
  EXPECT_EQ(doc.ticker.ask, 30300.1);
  EXPECT_EQ(doc.ticker.bid, 30300.0);
  EXPECT_EQ(doc.ticker.bid_qty, 1.0);
  EXPECT_EQ(doc.ticker.last, 30303.2);
  // The v1 WebSocket writes the whole-lot volume as a JSON number; accepted too.
  const KrakenRestTicker numbers = parse_rest_ticker(
      R"({"error":[],"result":{"XXMRZUSD":{"a":["354.74",6,"6.85516463"],"b":["354.11",28,"28.68415596"],)"
      R"("c":["354.11","0.89594024"]}}})",
      "XXMRZUSD");
  ASSERT_EQ(numbers.error, KrakenParseError::kNone);
  EXPECT_EQ(numbers.ticker.bid_qty, 28.68415596);
}

TEST(KrakenRestTicker, ReadsTheNamedEntryOrASoleEntryUnderAnotherName) {
  const std::string two =
      R"({"error":[],"result":{)"
      R"("XETHZUSD":{"a":["1.0","1","1.0"],"b":["0.5","1","1.0"],"c":["0.7","1.0"]},)"
      R"("XXMRZUSD":{"a":["354.0","1","2.0"],"b":["353.0","1","3.0"],"c":["353.5","1.0"]}}})";
  const KrakenRestTicker named = parse_rest_ticker(two, "XXMRZUSD");
  ASSERT_EQ(named.error, KrakenParseError::kNone);
  EXPECT_EQ(named.ticker.ask, 354.0);
  EXPECT_EQ(named.ticker.bid_qty, 3.0);
  EXPECT_EQ(parse_rest_ticker(two, "XETHZUSD").ticker.ask, 1.0) << "named first, another after it";
  // Two entries, neither the one asked for: nothing to trust.
  EXPECT_EQ(parse_rest_ticker(two, "XXBTZUSD").error, KrakenParseError::kUnexpectedShape);
  // Asked by altname, answered under the canonical key: the only entry is the pair asked for.
  const KrakenRestTicker sole = parse_rest_ticker(
      R"({"error":[],"result":{"XXMRZUSD":{"a":["354.0","1","2.0"],"b":["353.0","1","3.0"],"c":["353.5","1.0"]}}})",
      "XMRUSD");
  ASSERT_EQ(sole.error, KrakenParseError::kNone);
  EXPECT_EQ(sole.ticker.bid, 353.0);
}

TEST(KrakenRestTicker, ReportsVenueErrorsInA200Body) {
  const KrakenRestTicker unknown =
      parse_rest_ticker(R"({"error":["EQuery:Unknown asset pair"]})", "XXMRZUSD");
  EXPECT_EQ(unknown.error, KrakenParseError::kNone);
  ASSERT_EQ(unknown.venue_errors.size(), 1u);
  EXPECT_EQ(unknown.venue_errors[0], "EQuery:Unknown asset pair");
  const KrakenRestTicker limited =
      parse_rest_ticker(R"({"error":["EAPI:Rate limit exceeded"],"result":{}})", "XXMRZUSD");
  EXPECT_EQ(limited.error, KrakenParseError::kNone);
  ASSERT_EQ(limited.venue_errors.size(), 1u);
  EXPECT_EQ(limited.ticker.bid, 0.0);
}

TEST(KrakenRestTicker, RejectsMalformedBodiesWithoutThrowing) {
  const auto error_of = [](std::string_view body) { return parse_rest_ticker(body, "XXMRZUSD").error; };
  EXPECT_EQ(error_of(""), KrakenParseError::kMalformedJson);
  EXPECT_EQ(error_of("<html>502 Bad Gateway</html>"), KrakenParseError::kMalformedJson);
  EXPECT_EQ(error_of(R"({"error":[],"result":{"XXMRZUSD":{"a":["354.0","1","2.0"],"b":)"),
            KrakenParseError::kMalformedJson);
  EXPECT_EQ(
      error_of(
          R"({"error":[],"result":{"XXMRZUSD":{"a":["1","1","1"],"b":["1","1","1"],"c":["1","1"]}}} trailing)"),
      KrakenParseError::kMalformedJson);
  EXPECT_EQ(error_of(R"({"error":[],"result":{}})"), KrakenParseError::kUnexpectedShape) << "no entry";
  EXPECT_EQ(error_of(R"({"error":[],"result":{"XXMRZUSD":{"a":["1","1","1"],"c":["1","1"]}}})"),
            KrakenParseError::kUnexpectedShape)
      << "no bid";
  EXPECT_EQ(error_of(R"({"error":[],"result":{"XXMRZUSD":{"a":["1","1"],"b":["1","1","1"],"c":["1","1"]}}})"),
            KrakenParseError::kUnexpectedShape)
      << "ask without its lot volume";
  EXPECT_EQ(error_of(R"({"error":[],"result":{"XXMRZUSD":{"a":"1","b":["1","1","1"],"c":["1","1"]}}})"),
            KrakenParseError::kUnexpectedShape);
  EXPECT_EQ(
      error_of(R"({"error":[],"result":{"XXMRZUSD":{"a":["x","1","1"],"b":["1","1","1"],"c":["1","1"]}}})"),
      KrakenParseError::kBadNumber);
  EXPECT_EQ(
      error_of(R"({"error":[],"result":{"XXMRZUSD":{"a":["1","1","1"],"b":["1","1","1"],"c":["NaN","1"]}}})"),
      KrakenParseError::kBadNumber);
  EXPECT_EQ(error_of(R"({"error":"EQuery:Unknown asset pair"})"), KrakenParseError::kUnexpectedShape);
  EXPECT_EQ(error_of(R"([1,2,3])"), KrakenParseError::kMalformedJson);
}

// ---- Trades ----

TEST(KrakenRestTrades, ParsesTheFixtureOldestFirstWithExactTimes) {
  const KrakenRestTrades parsed =
      parse_rest_trades(testing::read_fixture("rest_Trades_XXMRZUSD.json"), "XXMRZUSD");
  ASSERT_EQ(parsed.error, KrakenParseError::kNone) << parse_error_name(parsed.error);
  EXPECT_TRUE(parsed.venue_errors.empty());
  ASSERT_EQ(parsed.trades.size(), 4u);
  const KrakenTrade& first = parsed.trades[0];
  EXPECT_EQ(first.price, 354.11);
  EXPECT_EQ(first.qty, 0.89594024);
  EXPECT_EQ(first.side, Side::kSell);
  EXPECT_EQ(first.trade_id, 4665901u);
  EXPECT_EQ(first.exchange_time, at(1618678142, 557535000));
  EXPECT_TRUE(first.symbol.empty());
  EXPECT_EQ(parsed.trades[1].side, Side::kBuy);
  EXPECT_EQ(parsed.trades[1].exchange_time, at(1618678145, 715785000));
  const KrakenTrade& last = parsed.trades[3];
  EXPECT_EQ(last.price, 353.81);
  EXPECT_EQ(last.qty, 1.71754604);
  EXPECT_EQ(last.trade_id, 4665904u);
  EXPECT_EQ(last.exchange_time, at(1618678150, 827816000));
  EXPECT_EQ(parsed.last, "1618678150827816000");

  const Trade trade = to_trade(last, 3, at(1700000000, 0));
  EXPECT_EQ(trade.instrument, 3u);
  EXPECT_EQ(trade.exchange_time, at(1618678150, 827816000));
  EXPECT_EQ(trade.receive_time, at(1700000000, 0));
  EXPECT_EQ(trade.price, 353.81);
  EXPECT_EQ(trade.quantity, 1.71754604);
  EXPECT_EQ(trade.side, Side::kSell);
  EXPECT_EQ(trade.trade_id, 4665904u);
}

TEST(KrakenRestTrades, ParsesTheDocumentedExampleTimesWithoutRounding) {
  // The documentation's example: seven decimals, which a double would not keep exactly.
  const KrakenRestTrades parsed = parse_rest_trades(
      R"({"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,"b","m","",61044952],)"
      R"(["30243.30000","0.00376960",1688669598.2804112,"s","l","",61044953],)"
      R"(["30243.30000","0.01235716",1688669602.698379,"s","m","",61044956]],"last":"1688671969993150842"}})",
      "XXBTZUSD");
  ASSERT_EQ(parsed.error, KrakenParseError::kNone) << parse_error_name(parsed.error);
  ASSERT_EQ(parsed.trades.size(), 3u);
  EXPECT_EQ(parsed.trades[0].exchange_time, at(1688669597, 827736900));
  EXPECT_EQ(parsed.trades[1].exchange_time, at(1688669598, 280411200));
  EXPECT_EQ(parsed.trades[2].exchange_time, at(1688669602, 698379000));
  EXPECT_EQ(parsed.trades[0].side, Side::kBuy);
  EXPECT_EQ(parsed.trades[2].trade_id, 61044956u);
  EXPECT_EQ(parsed.last, "1688671969993150842");
}

TEST(KrakenRestTrades, AcceptsOlderAnswersAndTimeForms) {
  // Before trade ids were added an entry had six elements; times without a fraction, with more
  // than nine decimals (cut, not rounded), or quoted are read too.
  const KrakenRestTrades parsed = parse_rest_trades(
      R"({"error":[],"result":{"XMRUSD":[["354.1","0.5",1618678142,"b","l",""],)"
      R"(["354.2","0.5",1618678143.1234567899,"s","m",""],["354.3","0.5","1618678144.5","s","m",""]],)"
      R"("last":1618678144500000000}})",
      "XXMRZUSD");
  ASSERT_EQ(parsed.error, KrakenParseError::kNone) << parse_error_name(parsed.error);
  ASSERT_EQ(parsed.trades.size(), 3u);
  EXPECT_EQ(parsed.trades[0].exchange_time, at(1618678142, 0));
  EXPECT_EQ(parsed.trades[0].trade_id, 0u);
  EXPECT_EQ(parsed.trades[1].exchange_time, at(1618678143, 123456789));
  EXPECT_EQ(parsed.trades[2].exchange_time, at(1618678144, 500000000));
  EXPECT_EQ(parsed.last, "1618678144500000000");
}

TEST(KrakenRestTrades, AnEmptyListIsNoTradesAndTheNamedEntryWins) {
  const KrakenRestTrades none =
      parse_rest_trades(R"({"error":[],"result":{"XXMRZUSD":[],"last":"0"}})", "XXMRZUSD");
  ASSERT_EQ(none.error, KrakenParseError::kNone);
  EXPECT_TRUE(none.trades.empty());
  const KrakenRestTrades two =
      parse_rest_trades(R"({"error":[],"result":{"XETHZUSD":[["1.0","1",1.5,"b","l","",1]],)"
                        R"("XXMRZUSD":[["354.0","2",2.5,"s","l","",2]],"last":"2500000000"}})",
                        "XXMRZUSD");
  ASSERT_EQ(two.error, KrakenParseError::kNone);
  ASSERT_EQ(two.trades.size(), 1u);
  EXPECT_EQ(two.trades[0].trade_id, 2u);
}

TEST(KrakenRestTrades, ReportsVenueErrorsInA200Body) {
  const KrakenRestTrades parsed = parse_rest_trades(R"({"error":["EService:Unavailable"]})", "XXMRZUSD");
  EXPECT_EQ(parsed.error, KrakenParseError::kNone);
  ASSERT_EQ(parsed.venue_errors.size(), 1u);
  EXPECT_EQ(parsed.venue_errors[0], "EService:Unavailable");
  EXPECT_TRUE(parsed.trades.empty());
}

TEST(KrakenRestTrades, RejectsMalformedBodiesWithoutThrowing) {
  const auto error_of = [](std::string_view body) { return parse_rest_trades(body, "XXMRZUSD").error; };
  const auto one = [](const std::string& trade) {
    return R"({"error":[],"result":{"XXMRZUSD":[)" + trade + R"(],"last":"1"}})";
  };
  EXPECT_EQ(error_of("not json"), KrakenParseError::kMalformedJson);
  EXPECT_EQ(error_of(R"({"error":[],"result":{"XXMRZUSD":[["354.0","1",1.5,"b")"),
            KrakenParseError::kMalformedJson);
  EXPECT_EQ(error_of(R"({"error":[],"result":{"last":"1"}})"), KrakenParseError::kUnexpectedShape);
  EXPECT_EQ(error_of(R"({"error":[],"result":{"XXMRZUSD":{"price":"1"},"last":"1"}})"),
            KrakenParseError::kUnexpectedShape);
  EXPECT_EQ(error_of(one(R"(["354.0","1",1.5])")), KrakenParseError::kUnexpectedShape) << "no side";
  EXPECT_EQ(error_of(one(R"({"price":"354.0"})")), KrakenParseError::kUnexpectedShape);
  EXPECT_EQ(error_of(one(R"(["354.0","1",1.5,1,"l",""])")), KrakenParseError::kUnexpectedShape);
  EXPECT_EQ(error_of(one(R"(["abc","1",1.5,"b","l",""])")), KrakenParseError::kBadNumber);
  EXPECT_EQ(error_of(one(R"(["354.0","1e",1.5,"b","l",""])")), KrakenParseError::kBadNumber);
  EXPECT_EQ(error_of(one(R"(["354.0","1",-1.5,"b","l",""])")), KrakenParseError::kBadTimestamp);
  EXPECT_EQ(error_of(one(R"(["354.0","1",1.5e9,"b","l",""])")), KrakenParseError::kBadTimestamp);
  EXPECT_EQ(error_of(one(R"(["354.0","1","soon","b","l",""])")), KrakenParseError::kBadTimestamp);
  EXPECT_EQ(error_of(one(R"(["354.0","1",1.,"b","l",""])")), KrakenParseError::kBadTimestamp);
  EXPECT_EQ(error_of(one(R"(["354.0","1",99999999999.5,"b","l",""])")), KrakenParseError::kBadTimestamp);
  EXPECT_EQ(error_of(one(R"(["354.0","1",1.5,"b","l","",-3])")), KrakenParseError::kBadNumber);
  EXPECT_EQ(error_of(R"({"error":[],"result":{"XXMRZUSD":[],"last":""}})"),
            KrakenParseError::kUnexpectedShape);
}

}  // namespace
}  // namespace tickguard::feeds::kraken
