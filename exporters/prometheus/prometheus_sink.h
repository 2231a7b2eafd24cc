// PrometheusSink: the Sink that turns pipeline reports into prometheus-cpp series.
//
// Every series of an instrument is resolved when it is subscribed and kept as a reference, so the
// per-event path is a few atomic operations. Series are reference-counted: a config reload that
// builds a new pipeline before destroying the old one keeps the series (and counter values) of the
// instruments it still has, and removes those of instruments and detectors that went away.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tickguard/sink.h"

namespace tickguard::exporters {

class PrometheusSink final : public Sink {
 public:
  PrometheusSink();
  ~PrometheusSink() override;

  std::unique_ptr<InstrumentSink> subscribe_instrument(const Instrument& instrument,
                                                       std::span<const std::string> detectors) override;
  std::unique_ptr<FeedStatusSink> subscribe_feed_status(const Instrument& instrument) override;
  void on_connection_state(std::string_view exchange, bool up) override;
  void on_feed_reconnect(std::string_view exchange) override;
  void on_feed_error(std::string_view exchange, std::string_view kind) override;
  void on_feed_dropped_message(std::string_view exchange) override;
  void on_rest_request(std::string_view exchange, std::string_view endpoint, std::string_view code) override;
  void on_rate_limit_usage(std::string_view exchange, double ratio) override;
  void on_feed_anomaly(const AnomalyEvent& event) override;
  void on_injected_anomaly(const InjectedAnomaly& anomaly) override;

  // tickguard_config_last_reload_successful (and the success timestamp when ok). Any thread.
  void set_config_reload_result(bool ok, Timestamp when);

  // tickguard_shard_info{shard, shards}: replaces the previous series. Any thread.
  void set_shard(int shard, int shards);
  // Counts an operator's verdict on a recorded anomaly of `detector`. Any thread.
  void count_feedback(std::string_view detector, std::string_view verdict);
  // Creates the feedback series of each detector and verdict at 0, so that increase() sees the
  // first verdict. Any thread.
  void declare_feedback(std::span<const std::string> detectors, std::span<const std::string_view> verdicts);
  // Journal totals, as read from the journal just before a scrape. Any thread.
  struct JournalTotals {
    std::uint64_t written = 0;
    std::uint64_t dropped = 0;
    std::uint64_t write_errors = 0;
    std::uint64_t deleted = 0;
    std::uint64_t size_bytes = 0;
  };
  void set_journal_totals(const JournalTotals& totals);

  // The live state of each instrument, from the current values of its series. Any thread.
  struct DetectorState {
    std::string detector;
    double score = 0;
    bool active = false;
  };
  struct SymbolState {
    std::string exchange;
    std::string symbol;
    double price = 0;   // 0 until a trade was seen
    double spread = 0;  // 0 until a quote was seen
    double ensemble_score = 0;
    bool feed_up = false;
    double last_message_seconds = 0;       // Unix time; 0 before the first message
    std::vector<DetectorState> detectors;  // sorted by name
  };
  std::vector<SymbolState> symbols() const;

  // The whole registry, plus the standard process_* metrics, in the Prometheus text exposition
  // format (version 0.0.4). Any thread.
  std::string scrape() const;

  // Shared bookkeeping of reference-counted series; public only for the nested sink classes.
  struct InstrumentSeries;
  struct DetectorSeries;
  struct ExchangeSeries;

 private:
  template <typename T>
  struct Shared {
    int refs = 0;
    T series;
  };

  InstrumentSeries& acquire_instrument(const Instrument& instrument);
  void release_instrument(const std::string& key);
  DetectorSeries& acquire_detector(const Instrument& instrument, const std::string& detector);
  void release_detector(const std::string& key);
  ExchangeSeries& acquire_exchange(const std::string& exchange);
  void release_exchange(const std::string& exchange);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& price_;
  prometheus::Family<prometheus::Gauge>& spread_;
  prometheus::Family<prometheus::Counter>& trades_;
  prometheus::Family<prometheus::Counter>& trade_volume_;
  prometheus::Family<prometheus::Gauge>& anomaly_score_;
  prometheus::Family<prometheus::Gauge>& anomaly_active_;
  prometheus::Family<prometheus::Gauge>& ensemble_score_;
  prometheus::Family<prometheus::Counter>& anomalies_;
  prometheus::Family<prometheus::Gauge>& feed_up_;
  prometheus::Family<prometheus::Counter>& feed_messages_;
  prometheus::Family<prometheus::Gauge>& feed_last_message_;
  prometheus::Family<prometheus::Counter>& events_dropped_;
  prometheus::Family<prometheus::Counter>& feed_reconnects_;
  prometheus::Family<prometheus::Counter>& feed_errors_;
  prometheus::Family<prometheus::Counter>& sequence_gaps_;
  prometheus::Family<prometheus::Counter>& checksum_failures_;
  prometheus::Family<prometheus::Histogram>& feed_latency_;
  prometheus::Family<prometheus::Counter>& feed_dropped_messages_;
  prometheus::Family<prometheus::Counter>& rest_requests_;
  prometheus::Family<prometheus::Gauge>& rest_rate_limit_used_;
  prometheus::Family<prometheus::Counter>& injected_;
  prometheus::Family<prometheus::Gauge>& build_info_;
  prometheus::Family<prometheus::Gauge>& config_reload_ok_;
  prometheus::Family<prometheus::Gauge>& config_reload_time_;
  prometheus::Gauge& config_reload_ok_gauge_;
  prometheus::Gauge& config_reload_time_gauge_;
  prometheus::Family<prometheus::Gauge>& shard_info_;
  prometheus::Gauge* shard_info_gauge_ = nullptr;  // guarded by mutex_
  prometheus::Family<prometheus::Counter>& feedback_;
  prometheus::Counter& journal_written_;
  prometheus::Counter& journal_dropped_;
  prometheus::Counter& journal_write_errors_;
  prometheus::Counter& journal_deleted_;
  prometheus::Gauge& journal_size_;

  mutable std::mutex mutex_;  // guards the maps below; taken on subscribe/unsubscribe and injections only
  std::map<std::string, Shared<std::unique_ptr<InstrumentSeries>>> instruments_;
  std::map<std::string, Shared<std::unique_ptr<DetectorSeries>>> detectors_;
  std::map<std::string, Shared<std::unique_ptr<ExchangeSeries>>> exchanges_;
};

}  // namespace tickguard::exporters
