#include "exporters/prometheus/prometheus_sink.h"

#include <prometheus/text_serializer.h>

#include <functional>
#include <sstream>

#include "exporters/prometheus/metric_catalogue.h"
#include "exporters/prometheus/process_metrics.h"

namespace tickguard::exporters {
namespace {

using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Labels;

template <typename Builder>
auto& build(Builder builder, const metrics::MetricName& metric, prometheus::Registry& registry) {
  return builder.Name(metric.name).Help(metric.help).Register(registry);
}

// Feed latency buckets, in seconds: from sub-millisecond colocated feeds to multi-second stalls.
const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

std::string instrument_key(const Instrument& instrument) {
  return instrument.exchange + '\0' + instrument.symbol;
}

}  // namespace

struct PrometheusSink::InstrumentSeries {
  Gauge* price;
  Gauge* ensemble;
  Gauge* spread;
  Counter* trades;
  Counter* volume;
  Gauge* last_message;
  Counter* sequence_gaps;
  Counter* checksum_failures;
  std::function<void()> remove;
};

struct PrometheusSink::DetectorSeries {
  Gauge* score;
  Gauge* active;
  Counter* warnings;
  Counter* criticals;
  std::function<void()> remove;
};

struct PrometheusSink::ExchangeSeries {
  Gauge* up;
  Counter* messages;
  Counter* dropped;
  Counter* reconnects;
  Counter* dropped_messages;
  prometheus::Histogram* latency;
  std::function<void()> remove;
};

namespace {

// Handles of one instrument for the shard thread that owns it.
class PrometheusInstrumentSink final : public InstrumentSink {
 public:
  using Release = std::function<void()>;
  PrometheusInstrumentSink(PrometheusSink::InstrumentSeries& series,
                           std::vector<PrometheusSink::DetectorSeries*> detectors, Release release)
      : series_(series), detectors_(std::move(detectors)), release_(std::move(release)) {}
  ~PrometheusInstrumentSink() override { release_(); }

  void on_trade(const Trade& trade) override {
    series_.price->Set(trade.price);
    series_.trades->Increment();
    series_.volume->Increment(trade.quantity);
  }
  void on_ticker(const Ticker& ticker) override {
    const double mid = (ticker.ask_price + ticker.bid_price) / 2;
    if (ticker.bid_price > 0 && ticker.ask_price >= ticker.bid_price) {
      series_.spread->Set((ticker.ask_price - ticker.bid_price) / mid);
    }
  }
  void on_score(std::size_t detector, double score) override { detectors_[detector]->score->Set(score); }
  void on_ensemble(double score) override { series_.ensemble->Set(score); }
  void on_active(std::size_t detector, bool active) override {
    detectors_[detector]->active->Set(active ? 1 : 0);
  }
  void on_anomaly(std::size_t detector, const AnomalyEvent& event) override {
    auto* d = detectors_[detector];
    (event.severity == Severity::kCritical ? d->criticals : d->warnings)->Increment();
  }

 private:
  PrometheusSink::InstrumentSeries& series_;
  std::vector<PrometheusSink::DetectorSeries*> detectors_;
  Release release_;
};

class PrometheusFeedStatusSink final : public FeedStatusSink {
 public:
  PrometheusFeedStatusSink(PrometheusSink::InstrumentSeries& series, PrometheusSink::ExchangeSeries& exchange,
                           std::function<void()> release)
      : last_message_(*series.last_message),
        messages_(*exchange.messages),
        dropped_(*exchange.dropped),
        latency_(*exchange.latency),
        sequence_gaps_(*series.sequence_gaps),
        checksum_failures_(*series.checksum_failures),
        release_(std::move(release)) {}
  ~PrometheusFeedStatusSink() override { release_(); }

  void on_message(Timestamp receive_time) override {
    messages_.Increment();
    last_message_.Set(to_unix_seconds(receive_time));
  }
  void on_dropped() override { dropped_.Increment(); }
  void on_sequence_gap() override { sequence_gaps_.Increment(); }
  void on_checksum_failure() override { checksum_failures_.Increment(); }
  void on_latency(double seconds) override { latency_.Observe(seconds); }

 private:
  Gauge& last_message_;
  Counter& messages_;
  Counter& dropped_;
  prometheus::Histogram& latency_;
  Counter& sequence_gaps_;
  Counter& checksum_failures_;
  std::function<void()> release_;
};

}  // namespace

PrometheusSink::PrometheusSink()
    : registry_(std::make_shared<prometheus::Registry>()),
      price_(build(prometheus::BuildGauge(), metrics::kPrice, *registry_)),
      spread_(build(prometheus::BuildGauge(), metrics::kSpreadRatio, *registry_)),
      trades_(build(prometheus::BuildCounter(), metrics::kTrades, *registry_)),
      trade_volume_(build(prometheus::BuildCounter(), metrics::kTradeVolume, *registry_)),
      anomaly_score_(build(prometheus::BuildGauge(), metrics::kAnomalyScore, *registry_)),
      anomaly_active_(build(prometheus::BuildGauge(), metrics::kAnomalyActive, *registry_)),
      ensemble_score_(build(prometheus::BuildGauge(), metrics::kEnsembleScore, *registry_)),
      anomalies_(build(prometheus::BuildCounter(), metrics::kAnomalies, *registry_)),
      feed_up_(build(prometheus::BuildGauge(), metrics::kFeedUp, *registry_)),
      feed_messages_(build(prometheus::BuildCounter(), metrics::kFeedMessages, *registry_)),
      feed_last_message_(build(prometheus::BuildGauge(), metrics::kFeedLastMessage, *registry_)),
      events_dropped_(build(prometheus::BuildCounter(), metrics::kEventsDropped, *registry_)),
      feed_reconnects_(build(prometheus::BuildCounter(), metrics::kFeedReconnects, *registry_)),
      feed_errors_(build(prometheus::BuildCounter(), metrics::kFeedErrors, *registry_)),
      sequence_gaps_(build(prometheus::BuildCounter(), metrics::kFeedSequenceGaps, *registry_)),
      checksum_failures_(build(prometheus::BuildCounter(), metrics::kFeedChecksumFailures, *registry_)),
      feed_latency_(build(prometheus::BuildHistogram(), metrics::kFeedLatency, *registry_)),
      feed_dropped_messages_(build(prometheus::BuildCounter(), metrics::kFeedDroppedMessages, *registry_)),
      rest_requests_(build(prometheus::BuildCounter(), metrics::kRestRequests, *registry_)),
      rest_rate_limit_used_(build(prometheus::BuildGauge(), metrics::kRestRateLimitUsed, *registry_)),
      injected_(build(prometheus::BuildCounter(), metrics::kInjected, *registry_)),
      build_info_(build(prometheus::BuildGauge(), metrics::kBuildInfo, *registry_)),
      config_reload_ok_(build(prometheus::BuildGauge(), metrics::kConfigReloadOk, *registry_)),
      config_reload_time_(build(prometheus::BuildGauge(), metrics::kConfigReloadTime, *registry_)),
      config_reload_ok_gauge_(config_reload_ok_.Add({})),
      config_reload_time_gauge_(config_reload_time_.Add({})),
      shard_info_(build(prometheus::BuildGauge(), metrics::kShardInfo, *registry_)),
      feedback_(build(prometheus::BuildCounter(), metrics::kFeedback, *registry_)),
      journal_written_(build(prometheus::BuildCounter(), metrics::kJournalWritten, *registry_).Add({})),
      journal_dropped_(build(prometheus::BuildCounter(), metrics::kJournalDropped, *registry_).Add({})),
      journal_write_errors_(
          build(prometheus::BuildCounter(), metrics::kJournalWriteErrors, *registry_).Add({})),
      journal_deleted_(build(prometheus::BuildCounter(), metrics::kJournalDeleted, *registry_).Add({})),
      journal_size_(build(prometheus::BuildGauge(), metrics::kJournalSize, *registry_).Add({})) {
  build_info_.Add({{"version", TICKGUARD_VERSION}, {"revision", TICKGUARD_REVISION}}).Set(1);
}

PrometheusSink::~PrometheusSink() = default;

PrometheusSink::InstrumentSeries& PrometheusSink::acquire_instrument(const Instrument& instrument) {
  auto& slot = instruments_[instrument_key(instrument)];
  if (slot.refs++ == 0) {
    const Labels labels{{"exchange", instrument.exchange}, {"symbol", instrument.symbol}};
    auto* price = &price_.Add(labels);
    auto* ensemble = &ensemble_score_.Add(labels);
    auto* spread = &spread_.Add(labels);
    auto* trades = &trades_.Add(labels);
    auto* volume = &trade_volume_.Add(labels);
    auto* last = &feed_last_message_.Add(labels);
    auto* gaps = &sequence_gaps_.Add(labels);
    auto* checksums = &checksum_failures_.Add(labels);
    slot.series = std::make_unique<InstrumentSeries>(
        InstrumentSeries{price, ensemble, spread, trades, volume, last, gaps, checksums, [=, this] {
                           ensemble_score_.Remove(ensemble);
                           sequence_gaps_.Remove(gaps);
                           checksum_failures_.Remove(checksums);
                           price_.Remove(price);
                           spread_.Remove(spread);
                           trades_.Remove(trades);
                           trade_volume_.Remove(volume);
                           feed_last_message_.Remove(last);
                         }});
  }
  return *slot.series;
}

void PrometheusSink::release_instrument(const std::string& key) {
  auto it = instruments_.find(key);
  if (it == instruments_.end() || --it->second.refs > 0) return;
  it->second.series->remove();
  instruments_.erase(it);
}

PrometheusSink::DetectorSeries& PrometheusSink::acquire_detector(const Instrument& instrument,
                                                                 const std::string& detector) {
  auto& slot = detectors_[instrument_key(instrument) + '\0' + detector];
  if (slot.refs++ == 0) {
    const Labels labels{
        {"exchange", instrument.exchange}, {"symbol", instrument.symbol}, {"detector", detector}};
    Labels warning = labels, critical = labels;
    warning["severity"] = "warning";
    critical["severity"] = "critical";
    auto* score = &anomaly_score_.Add(labels);
    auto* active = &anomaly_active_.Add(labels);
    auto* warnings = &anomalies_.Add(warning);
    auto* criticals = &anomalies_.Add(critical);
    slot.series =
        std::make_unique<DetectorSeries>(DetectorSeries{score, active, warnings, criticals, [=, this] {
                                                          anomaly_score_.Remove(score);
                                                          anomaly_active_.Remove(active);
                                                          anomalies_.Remove(warnings);
                                                          anomalies_.Remove(criticals);
                                                        }});
  }
  return *slot.series;
}

void PrometheusSink::release_detector(const std::string& key) {
  auto it = detectors_.find(key);
  if (it == detectors_.end() || --it->second.refs > 0) return;
  it->second.series->remove();
  detectors_.erase(it);
}

PrometheusSink::ExchangeSeries& PrometheusSink::acquire_exchange(const std::string& exchange) {
  auto& slot = exchanges_[exchange];
  if (slot.refs++ == 0) {
    const Labels labels{{"exchange", exchange}};
    auto* up = &feed_up_.Add(labels);
    auto* messages = &feed_messages_.Add(labels);
    auto* dropped = &events_dropped_.Add(labels);
    auto* reconnects = &feed_reconnects_.Add(labels);
    auto* dropped_messages = &feed_dropped_messages_.Add(labels);
    auto* latency = &feed_latency_.Add(labels, latency_buckets());
    slot.series = std::make_unique<ExchangeSeries>(
        ExchangeSeries{up, messages, dropped, reconnects, dropped_messages, latency, [=, this] {
                         feed_reconnects_.Remove(reconnects);
                         feed_up_.Remove(up);
                         feed_messages_.Remove(messages);
                         events_dropped_.Remove(dropped);
                         feed_dropped_messages_.Remove(dropped_messages);
                         feed_latency_.Remove(latency);
                         // Series created on demand for the exchange go with it.
                         rest_rate_limit_used_.Remove(&rest_rate_limit_used_.Add({{"exchange", exchange}}));
                       }});
  }
  return *slot.series;
}

void PrometheusSink::release_exchange(const std::string& exchange) {
  auto it = exchanges_.find(exchange);
  if (it == exchanges_.end() || --it->second.refs > 0) return;
  it->second.series->remove();
  exchanges_.erase(it);
}

std::unique_ptr<InstrumentSink> PrometheusSink::subscribe_instrument(const Instrument& instrument,
                                                                     std::span<const std::string> detectors) {
  std::lock_guard lock(mutex_);
  auto& series = acquire_instrument(instrument);
  std::vector<DetectorSeries*> detector_series;
  std::vector<std::string> detector_keys;
  for (const auto& name : detectors) {
    detector_series.push_back(&acquire_detector(instrument, name));
    detector_keys.push_back(instrument_key(instrument) + '\0' + name);
  }
  return std::make_unique<PrometheusInstrumentSink>(
      series, std::move(detector_series),
      [this, key = instrument_key(instrument), detector_keys = std::move(detector_keys)] {
        std::lock_guard lock(mutex_);
        for (const auto& k : detector_keys) release_detector(k);
        release_instrument(key);
      });
}

std::unique_ptr<FeedStatusSink> PrometheusSink::subscribe_feed_status(const Instrument& instrument) {
  std::lock_guard lock(mutex_);
  auto& series = acquire_instrument(instrument);
  auto& exchange = acquire_exchange(instrument.exchange);
  return std::make_unique<PrometheusFeedStatusSink>(
      series, exchange, [this, key = instrument_key(instrument), name = instrument.exchange] {
        std::lock_guard lock(mutex_);
        release_exchange(name);
        release_instrument(key);
      });
}

void PrometheusSink::on_connection_state(std::string_view exchange, bool up) {
  std::lock_guard lock(mutex_);
  auto it = exchanges_.find(std::string(exchange));
  if (it != exchanges_.end()) it->second.series->up->Set(up ? 1 : 0);
}

void PrometheusSink::on_feed_reconnect(std::string_view exchange) {
  std::lock_guard lock(mutex_);
  auto it = exchanges_.find(std::string(exchange));
  if (it != exchanges_.end()) it->second.series->reconnects->Increment();
}

void PrometheusSink::on_feed_error(std::string_view exchange, std::string_view kind) {
  // Errors are rare; the series of a kind appears with its first occurrence.
  feed_errors_.Add({{"exchange", std::string(exchange)}, {"kind", std::string(kind)}}).Increment();
}

void PrometheusSink::on_feed_dropped_message(std::string_view exchange) {
  std::lock_guard lock(mutex_);
  auto it = exchanges_.find(std::string(exchange));
  if (it != exchanges_.end()) it->second.series->dropped_messages->Increment();
}

void PrometheusSink::on_rest_request(std::string_view exchange, std::string_view endpoint,
                                     std::string_view code) {
  // REST requests are rare (start-up, snapshots); a labelled lookup is fine here.
  rest_requests_
      .Add({{"exchange", std::string(exchange)},
            {"endpoint", std::string(endpoint)},
            {"code", std::string(code)}})
      .Increment();
}

void PrometheusSink::on_rate_limit_usage(std::string_view exchange, double ratio) {
  rest_rate_limit_used_.Add({{"exchange", std::string(exchange)}}).Set(ratio);
}

void PrometheusSink::on_feed_anomaly(const AnomalyEvent& event) {
  const Labels labels{{"exchange", event.exchange},
                      {"symbol", event.symbol},
                      {"detector", event.detector},
                      {"severity", std::string(severity_name(event.severity))}};
  anomalies_.Add(labels).Increment();
}

void PrometheusSink::on_injected_anomaly(const InjectedAnomaly& anomaly) {
  // Injections are rare (minutes apart), so a lookup here is fine.
  injected_.Add({{"exchange", anomaly.exchange}, {"symbol", anomaly.symbol}, {"kind", anomaly.kind}})
      .Increment();
}

void PrometheusSink::set_config_reload_result(bool ok, Timestamp when) {
  config_reload_ok_gauge_.Set(ok ? 1 : 0);
  if (ok) config_reload_time_gauge_.Set(to_unix_seconds(when));
}

void PrometheusSink::set_shard(int shard, int shards) {
  std::lock_guard lock(mutex_);
  if (shard_info_gauge_ != nullptr) shard_info_.Remove(shard_info_gauge_);
  shard_info_gauge_ =
      &shard_info_.Add({{"shard", std::to_string(shard)}, {"shards", std::to_string(shards)}});
  shard_info_gauge_->Set(1);
}

void PrometheusSink::count_feedback(std::string_view detector, std::string_view verdict) {
  feedback_.Add({{"detector", std::string(detector)}, {"verdict", std::string(verdict)}}).Increment();
}

void PrometheusSink::declare_feedback(std::span<const std::string> detectors,
                                      std::span<const std::string_view> verdicts) {
  for (const auto& detector : detectors) {
    for (const auto verdict : verdicts)
      feedback_.Add({{"detector", detector}, {"verdict", std::string(verdict)}});
  }
}

void PrometheusSink::set_journal_totals(const JournalTotals& totals) {
  // Counters only go up: add what the journal counted since the last call.
  auto catch_up = [](Counter& counter, std::uint64_t total) {
    const double now = static_cast<double>(total);
    if (now > counter.Value()) counter.Increment(now - counter.Value());
  };
  std::lock_guard lock(mutex_);
  catch_up(journal_written_, totals.written);
  catch_up(journal_dropped_, totals.dropped);
  catch_up(journal_write_errors_, totals.write_errors);
  catch_up(journal_deleted_, totals.deleted);
  journal_size_.Set(static_cast<double>(totals.size_bytes));
}

std::vector<PrometheusSink::SymbolState> PrometheusSink::symbols() const {
  std::lock_guard lock(mutex_);
  std::vector<SymbolState> out;
  out.reserve(instruments_.size());
  for (const auto& [key, slot] : instruments_) {
    const std::size_t split = key.find('\0');
    SymbolState state;
    state.exchange = key.substr(0, split);
    state.symbol = key.substr(split + 1);
    const InstrumentSeries& series = *slot.series;
    state.price = series.price->Value();
    state.spread = series.spread->Value();
    state.ensemble_score = series.ensemble->Value();
    state.last_message_seconds = series.last_message->Value();
    if (auto it = exchanges_.find(state.exchange); it != exchanges_.end()) {
      state.feed_up = it->second.series->up->Value() > 0;
    }
    // Detector keys are the instrument key, NUL, the detector name: a contiguous, sorted range.
    const std::string prefix = key + '\0';
    for (auto it = detectors_.lower_bound(prefix); it != detectors_.end() && it->first.starts_with(prefix);
         ++it) {
      state.detectors.push_back({it->first.substr(prefix.size()), it->second.series->score->Value(),
                                 it->second.series->active->Value() > 0});
    }
    out.push_back(std::move(state));
  }
  return out;
}

std::string PrometheusSink::scrape() const {
  std::ostringstream out;
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& family : collect_process_metrics()) families.push_back(std::move(family));
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace tickguard::exporters
