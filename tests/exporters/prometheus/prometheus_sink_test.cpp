#include "exporters/prometheus/prometheus_sink.h"

#include <gtest/gtest.h>

namespace tickguard::exporters {
namespace {

const Instrument kBtc{0, "simex", "BTC/USDT"};
const std::vector<std::string> kDetectors{"zscore", "volume_spike"};

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(PrometheusSink, SubscribingCreatesEverySeriesOfTheInstrument) {
  PrometheusSink sink;
  auto instrument = sink.subscribe_instrument(kBtc, kDetectors);
  auto status = sink.subscribe_feed_status(kBtc);
  const std::string text = sink.scrape();
  EXPECT_TRUE(has_line(text, R"(tickguard_price{exchange="simex",symbol="BTC/USDT"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(tickguard_spread_ratio{exchange="simex",symbol="BTC/USDT"} 0)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_trades_total{exchange="simex",symbol="BTC/USDT"} 0)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_trade_volume_total{exchange="simex",symbol="BTC/USDT"} 0)"));
  EXPECT_TRUE(
      has_line(text, R"(tickguard_anomaly_score{detector="zscore",exchange="simex",symbol="BTC/USDT"} 0)"));
  EXPECT_TRUE(has_line(
      text, R"(tickguard_anomaly_active{detector="volume_spike",exchange="simex",symbol="BTC/USDT"} 0)"));
  EXPECT_TRUE(has_line(
      text,
      R"(tickguard_anomalies_total{detector="zscore",exchange="simex",severity="critical",symbol="BTC/USDT"} 0)"));
  EXPECT_TRUE(has_line(
      text,
      R"(tickguard_anomalies_total{detector="zscore",exchange="simex",severity="warning",symbol="BTC/USDT"} 0)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_up{exchange="simex"} 0)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_messages_total{exchange="simex"} 0)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_pipeline_events_dropped_total{exchange="simex"} 0)"));
  EXPECT_TRUE(has_line(
      text, R"(tickguard_feed_last_message_timestamp_seconds{exchange="simex",symbol="BTC/USDT"} 0)"));
  EXPECT_NE(text.find("tickguard_build_info{revision="), std::string::npos);
  EXPECT_NE(text.find("# TYPE tickguard_anomalies_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tickguard_anomaly_score gauge"), std::string::npos);
}

TEST(PrometheusSink, UpdatesSeriesFromPipelineReports) {
  PrometheusSink sink;
  auto instrument = sink.subscribe_instrument(kBtc, kDetectors);
  auto status = sink.subscribe_feed_status(kBtc);
  Trade t;
  t.price = 60000.5;
  t.quantity = 0.25;
  instrument->on_trade(t);
  instrument->on_trade(t);
  instrument->on_score(1, 0.75);
  instrument->on_active(1, true);
  AnomalyEvent event;
  event.severity = Severity::kCritical;
  instrument->on_anomaly(1, event);
  Ticker ticker;
  ticker.bid_price = 99;
  ticker.ask_price = 101;
  instrument->on_ticker(ticker);
  ticker.bid_price = 102;  // crossed quote: ignored
  instrument->on_ticker(ticker);
  status->on_message(Timestamp{} + std::chrono::seconds(1700000000));
  status->on_dropped();
  sink.on_connection_state("simex", true);

  const std::string text = sink.scrape();
  EXPECT_TRUE(has_line(text, R"(tickguard_price{exchange="simex",symbol="BTC/USDT"} 60000.5)")) << text;
  EXPECT_TRUE(has_line(text, R"(tickguard_trades_total{exchange="simex",symbol="BTC/USDT"} 2)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_trade_volume_total{exchange="simex",symbol="BTC/USDT"} 0.5)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_spread_ratio{exchange="simex",symbol="BTC/USDT"} 0.02)"));
  EXPECT_TRUE(has_line(
      text, R"(tickguard_anomaly_score{detector="volume_spike",exchange="simex",symbol="BTC/USDT"} 0.75)"));
  EXPECT_TRUE(has_line(
      text, R"(tickguard_anomaly_active{detector="volume_spike",exchange="simex",symbol="BTC/USDT"} 1)"));
  EXPECT_TRUE(has_line(
      text,
      R"(tickguard_anomalies_total{detector="volume_spike",exchange="simex",severity="critical",symbol="BTC/USDT"} 1)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_messages_total{exchange="simex"} 1)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_pipeline_events_dropped_total{exchange="simex"} 1)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_up{exchange="simex"} 1)"));
  EXPECT_TRUE(has_line(
      text,
      R"(tickguard_feed_last_message_timestamp_seconds{exchange="simex",symbol="BTC/USDT"} 1700000000)"));
}

TEST(PrometheusSink, ResubscribingBeforeReleaseKeepsCounterValues) {
  PrometheusSink sink;
  auto first = sink.subscribe_instrument(kBtc, kDetectors);
  Trade t;
  t.price = 1;
  t.quantity = 1;
  first->on_trade(t);
  auto second = sink.subscribe_instrument(kBtc, kDetectors);  // a reload builds the new pipeline first
  first.reset();
  second->on_trade(t);
  EXPECT_TRUE(has_line(sink.scrape(), R"(tickguard_trades_total{exchange="simex",symbol="BTC/USDT"} 2)"));
}

TEST(PrometheusSink, ReleasingTheLastReferenceRemovesTheSeries) {
  PrometheusSink sink;
  auto keep = sink.subscribe_instrument(Instrument{1, "simex", "ETH/USDT"}, kDetectors);
  auto gone = sink.subscribe_instrument(kBtc, kDetectors);
  auto gone_status = sink.subscribe_feed_status(kBtc);
  gone.reset();
  gone_status.reset();
  const std::string text = sink.scrape();
  EXPECT_EQ(text.find("BTC/USDT"), std::string::npos) << text;
  EXPECT_NE(text.find("ETH/USDT"), std::string::npos);
}

TEST(PrometheusSink, DroppingADetectorRemovesOnlyItsSeries) {
  PrometheusSink sink;
  auto first = sink.subscribe_instrument(kBtc, kDetectors);
  const std::vector<std::string> only_zscore{"zscore"};
  auto second = sink.subscribe_instrument(kBtc, only_zscore);
  first.reset();
  const std::string text = sink.scrape();
  EXPECT_EQ(text.find("volume_spike"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(detector="zscore")"), std::string::npos);
}

TEST(PrometheusSink, CountsFeedHealthEvents) {
  PrometheusSink sink;
  auto status = sink.subscribe_feed_status(kBtc);
  std::string text = sink.scrape();
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_sequence_gaps_total{exchange="simex",symbol="BTC/USDT"} 0)"))
      << text;
  EXPECT_TRUE(
      has_line(text, R"(tickguard_feed_checksum_failures_total{exchange="simex",symbol="BTC/USDT"} 0)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_reconnects_total{exchange="simex"} 0)"));
  status->on_sequence_gap();
  status->on_checksum_failure();
  status->on_checksum_failure();
  sink.on_feed_reconnect("simex");
  sink.on_feed_reconnect("unknown-exchange");  // no series: ignored
  sink.on_feed_error("simex", "parse");
  sink.on_feed_error("simex", "parse");
  sink.on_feed_error("simex", "timeout");
  text = sink.scrape();
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_sequence_gaps_total{exchange="simex",symbol="BTC/USDT"} 1)"));
  EXPECT_TRUE(
      has_line(text, R"(tickguard_feed_checksum_failures_total{exchange="simex",symbol="BTC/USDT"} 2)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_reconnects_total{exchange="simex"} 1)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_errors_total{exchange="simex",kind="parse"} 2)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_errors_total{exchange="simex",kind="timeout"} 1)"));
}

TEST(PrometheusSink, ExportsLatencyDroppedMessagesAndRestUsage) {
  PrometheusSink sink;
  auto status = sink.subscribe_feed_status(kBtc);
  status->on_latency(0.003);
  status->on_latency(0.2);
  sink.on_feed_dropped_message("simex");
  sink.on_feed_dropped_message("simex");
  sink.on_rest_request("simex", "depth", "200");
  sink.on_rest_request("simex", "depth", "429");
  sink.on_rest_request("simex", "depth", "429");
  sink.on_rate_limit_usage("simex", 0.4);
  std::string text = sink.scrape();
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_latency_seconds_count{exchange="simex"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_latency_seconds_bucket{exchange="simex",le="0.005"} 1)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_latency_seconds_bucket{exchange="simex",le="0.25"} 2)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_feed_dropped_messages_total{exchange="simex"} 2)"));
  EXPECT_TRUE(
      has_line(text, R"(tickguard_rest_requests_total{code="429",endpoint="depth",exchange="simex"} 2)"));
  EXPECT_TRUE(
      has_line(text, R"(tickguard_rest_requests_total{code="200",endpoint="depth",exchange="simex"} 1)"));
  EXPECT_TRUE(has_line(text, R"(tickguard_rest_rate_limit_used_ratio{exchange="simex"} 0.4)"));
  // The exchange's series leave with its last instrument.
  status.reset();
  text = sink.scrape();
  EXPECT_EQ(text.find("tickguard_feed_latency_seconds_count{"), std::string::npos) << text;
  EXPECT_EQ(text.find("tickguard_rest_rate_limit_used_ratio{"), std::string::npos);
}

TEST(PrometheusSink, CountsFeedIntegrityAnomalies) {
  PrometheusSink sink;
  AnomalyEvent event;
  event.exchange = "simex";
  event.symbol = "BTC/USDT";
  event.detector = "feed_integrity";
  sink.on_feed_anomaly(event);
  EXPECT_TRUE(has_line(
      sink.scrape(),
      R"(tickguard_anomalies_total{detector="feed_integrity",exchange="simex",severity="warning",symbol="BTC/USDT"} 1)"))
      << sink.scrape();
}

TEST(PrometheusSink, CountsInjectedAnomaliesByKind) {
  PrometheusSink sink;
  sink.on_injected_anomaly({"simex", "BTC/USDT", "price_spike", {}, {}});
  sink.on_injected_anomaly({"simex", "BTC/USDT", "price_spike", {}, {}});
  sink.on_injected_anomaly({"mockex", "BTC/USDT", "stale_feed", {}, {}});
  const std::string text = sink.scrape();
  EXPECT_TRUE(has_line(
      text,
      R"(tickguard_simulator_injected_anomalies_total{exchange="simex",kind="price_spike",symbol="BTC/USDT"} 2)"))
      << text;
  EXPECT_TRUE(has_line(
      text,
      R"(tickguard_simulator_injected_anomalies_total{exchange="mockex",kind="stale_feed",symbol="BTC/USDT"} 1)"));
}

TEST(PrometheusSink, ReportsConfigReloadResult) {
  PrometheusSink sink;
  sink.set_config_reload_result(true, Timestamp{} + std::chrono::seconds(1000));
  EXPECT_TRUE(has_line(sink.scrape(), "tickguard_config_last_reload_successful 1"));
  EXPECT_TRUE(has_line(sink.scrape(), "tickguard_config_last_reload_success_timestamp_seconds 1000"));
  sink.set_config_reload_result(false, Timestamp{} + std::chrono::seconds(2000));
  EXPECT_TRUE(has_line(sink.scrape(), "tickguard_config_last_reload_successful 0"));
  EXPECT_TRUE(has_line(sink.scrape(), "tickguard_config_last_reload_success_timestamp_seconds 1000"));
}

TEST(PrometheusSink, SymbolsReadTheLiveStateOfEachInstrument) {
  PrometheusSink sink;
  const Instrument eth{1, "mockex", "ETH/USDT"};
  auto btc_sink = sink.subscribe_instrument(kBtc, kDetectors);
  auto btc_status = sink.subscribe_feed_status(kBtc);
  auto eth_sink = sink.subscribe_instrument(eth, {});
  Trade trade;
  trade.price = 60000.5;
  btc_sink->on_trade(trade);
  Ticker ticker;
  ticker.bid_price = 99;
  ticker.ask_price = 101;
  btc_sink->on_ticker(ticker);
  btc_sink->on_ensemble(0.6);
  btc_sink->on_score(0, 0.8);
  btc_sink->on_active(0, true);
  btc_status->on_message(Timestamp(std::chrono::seconds(1700000000)));
  sink.on_connection_state("simex", true);

  const auto symbols = sink.symbols();
  ASSERT_EQ(symbols.size(), 2u);
  const auto& eth_state = symbols[0];  // sorted by exchange, then symbol
  EXPECT_EQ(eth_state.exchange, "mockex");
  EXPECT_EQ(eth_state.price, 0);
  EXPECT_FALSE(eth_state.feed_up);  // no feed status subscribed: no exchange series
  EXPECT_TRUE(eth_state.detectors.empty());
  const auto& btc = symbols[1];
  EXPECT_EQ(btc.exchange, "simex");
  EXPECT_EQ(btc.symbol, "BTC/USDT");
  EXPECT_EQ(btc.price, 60000.5);
  EXPECT_DOUBLE_EQ(btc.spread, 0.02);
  EXPECT_EQ(btc.ensemble_score, 0.6);
  EXPECT_TRUE(btc.feed_up);
  EXPECT_EQ(btc.last_message_seconds, 1700000000);
  ASSERT_EQ(btc.detectors.size(), 2u);
  EXPECT_EQ(btc.detectors[0].detector, "volume_spike");  // by name
  EXPECT_EQ(btc.detectors[1].detector, "zscore");
  EXPECT_EQ(btc.detectors[1].score, 0.8);
  EXPECT_TRUE(btc.detectors[1].active);
  EXPECT_FALSE(btc.detectors[0].active);
}

TEST(PrometheusSink, FeedbackAndJournalTotalsAreExported) {
  PrometheusSink sink;
  const std::vector<std::string> detectors = {"pump_dump", "zscore"};
  const std::vector<std::string_view> verdicts = {"true_positive", "false_positive"};
  sink.declare_feedback(detectors, verdicts);
  EXPECT_TRUE(
      has_line(sink.scrape(), R"(tickguard_feedback_total{detector="zscore",verdict="true_positive"} 0)"));
  sink.count_feedback("pump_dump", "true_positive");
  sink.count_feedback("pump_dump", "true_positive");
  sink.count_feedback("zscore", "false_positive");
  sink.set_journal_totals({.written = 10, .dropped = 1, .write_errors = 2, .deleted = 3, .size_bytes = 4096});
  sink.set_journal_totals({.written = 12, .dropped = 1, .write_errors = 2, .deleted = 3, .size_bytes = 8192});
  const std::string text = sink.scrape();
  EXPECT_TRUE(has_line(text, R"(tickguard_feedback_total{detector="pump_dump",verdict="true_positive"} 2)"))
      << text;
  EXPECT_TRUE(has_line(text, R"(tickguard_feedback_total{detector="zscore",verdict="false_positive"} 1)"));
  EXPECT_TRUE(has_line(text, "tickguard_journal_records_written_total 12"));
  EXPECT_TRUE(has_line(text, "tickguard_journal_records_dropped_total 1"));
  EXPECT_TRUE(has_line(text, "tickguard_journal_write_errors_total 2"));
  EXPECT_TRUE(has_line(text, "tickguard_journal_records_deleted_total 3"));
  EXPECT_TRUE(has_line(text, "tickguard_journal_size_bytes 8192"));
  EXPECT_NE(text.find("# TYPE tickguard_journal_records_written_total counter"), std::string::npos);
}

}  // namespace
}  // namespace tickguard::exporters
