#include "quality_run.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "core/alert_gate.h"
#include "core/instrument_state.h"

namespace tickguard::quality {
namespace {

using namespace std::chrono_literals;
using simulator::AnomalyKind;

// A weekday at 08:00 UTC: the warm-up and the evaluated hours fall in the busier half of the day.
const Timestamp kStart = std::chrono::sys_days{std::chrono::year{2024} / 6 / 3} + 8h;
const std::vector<std::string> kVenues = {"simex", "mockex", "testex"};
const std::vector<std::string> kSymbols = {"BTC/USDT", "ETH/USDT", "SOL/USDT"};

// The inverse of score_from_threshold_ratio, so the ensemble score can drive an AlertGate.
double ratio_from_score(double score) {
  if (score <= 0) return 0;
  if (score >= 1) return std::numeric_limits<double>::infinity();
  return std::sqrt(-std::log2(1.0 - score));
}

// Open and closed episodes of one instrument: one list per detector, then the ensemble.
class EpisodeRecorder final : public InstrumentSink {
 public:
  EpisodeRecorder(InstrumentId instrument, std::size_t detectors, const Timestamp& now,
                  std::vector<std::vector<Episode>>& episodes)
      : instrument_(instrument), now_(now), episodes_(episodes), open_(detectors + 1), ensemble_gate_({}) {}

  void on_trade(const Trade&) override {}
  void on_ticker(const Ticker&) override {}
  void on_score(std::size_t, double) override {}
  void on_ensemble(double score) override {
    const Observation observation{now_, score, ratio_from_score(score), 0, 0, 0, "ensemble score"};
    switch (ensemble_gate_.update(observation)) {
      case AlertGate::Change::kRaised:
        open(open_.size() - 1, now_);
        break;
      case AlertGate::Change::kCleared:
        close(open_.size() - 1, now_);
        break;
      case AlertGate::Change::kNone:
        break;
    }
  }
  void on_active(std::size_t detector, bool active) override {
    if (active) {
      open(detector, now_);
    } else {
      close(detector, now_);
    }
  }
  void on_anomaly(std::size_t, const AnomalyEvent&) override {}

  // Closes the episodes still active at the end of the run.
  void finish(Timestamp end) {
    for (std::size_t i = 0; i < open_.size(); ++i) close(i, end);
  }

 private:
  void open(std::size_t index, Timestamp t) { open_[index] = t; }
  void close(std::size_t index, Timestamp t) {
    if (!open_[index]) return;
    episodes_[index].push_back(Episode{instrument_, *open_[index], t});
    open_[index].reset();
  }

  InstrumentId instrument_;
  const Timestamp& now_;
  std::vector<std::vector<Episode>>& episodes_;
  std::vector<std::optional<Timestamp>> open_;
  AlertGate ensemble_gate_;
};

// Collects one simulator step, to be delivered in time order.
class StepBuffer final : public simulator::SimulationListener {
 public:
  void on_event(const MarketEvent& event) override { events.emplace_back(exchange_time_of(event), event); }
  void on_injected(const InjectedAnomaly& anomaly) override { labels.push_back(anomaly); }

  std::vector<std::pair<Timestamp, MarketEvent>> events;
  std::vector<InjectedAnomaly> labels;
};

// The simulator labels all-venue kinds once per venue: one anomaly per (symbol, kind, start).
std::vector<LabelledAnomaly> merge_labels(const std::vector<InjectedAnomaly>& labels,
                                          const std::vector<Instrument>& instruments) {
  std::vector<LabelledAnomaly> merged;
  for (const auto& label : labels) {
    const auto symbol = static_cast<std::size_t>(std::find(kSymbols.begin(), kSymbols.end(), label.symbol) -
                                                 kSymbols.begin());
    const auto instrument = std::find_if(instruments.begin(), instruments.end(), [&](const Instrument& i) {
      return i.exchange == label.exchange && i.symbol == label.symbol;
    });
    auto same = std::find_if(merged.begin(), merged.end(), [&](const LabelledAnomaly& a) {
      return a.symbol == symbol && a.kind == label.kind && a.start == label.start;
    });
    if (same == merged.end()) {
      const auto kind = simulator::anomaly_kind_from_name(label.kind);
      same = merged.insert(
          merged.end(),
          LabelledAnomaly{
              label.kind, symbol, {}, label.start, label.end, kind ? grace_period(*kind) : Duration(30s)});
    }
    same->scope.push_back(instrument->id);
  }
  return merged;
}

}  // namespace

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
      {"contextual", {AnomalyKind::kCorrelationBreak}, 0.95, 0.79},
      {"pattern",
       {AnomalyKind::kPriceSpike, AnomalyKind::kPriceDip, AnomalyKind::kLevelShift,
        AnomalyKind::kTrendChange},
       0.95,
       0.42},
      {"collective", {AnomalyKind::kFlashCrash, AnomalyKind::kMultiFeatureBurst}, 0.95, 0.55},
      {"subtle", {AnomalyKind::kSmallLevelShift, AnomalyKind::kVolatilityChange}, 0.7, 0.09},
      {"mixed",
       {AnomalyKind::kCorrelationBreak, AnomalyKind::kPriceSpike, AnomalyKind::kPriceDip,
        AnomalyKind::kLevelShift, AnomalyKind::kTrendChange, AnomalyKind::kFlashCrash,
        AnomalyKind::kMultiFeatureBurst, AnomalyKind::kSmallLevelShift, AnomalyKind::kVolatilityChange},
       0.9,
       0.36},
      {"pump_dump", {AnomalyKind::kPumpAndDump}, 0.9, -1, true},
      {"wash_trading", {AnomalyKind::kWashTrading}, 0, -1},
      {"whale", {AnomalyKind::kWhaleTrade}, 0, -1},
      {"venue_divergence", {AnomalyKind::kVenueDivergence}, 0, -1},
      {"stale_feed", {AnomalyKind::kStaleFeed}, 0, -1},
  };
  return all;
}

Duration grace_period(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::kLevelShift:
    case AnomalyKind::kTrendChange:
    case AnomalyKind::kVolatilityChange:
      return 60s;  // detectors of a changed regime need a few baseline windows to notice
    case AnomalyKind::kSmallLevelShift:
      return 120s;  // a 0.15-0.4 % step is found by accumulating evidence (CUSUM-like)
    default:
      return 30s;  // one alert gate clear_after: flags raised as the anomaly fades
  }
}

RunResult run_scenario(const Scenario& scenario, const std::vector<DetectorSpec>& detectors,
                       const RunOptions& options) {
  std::vector<Instrument> instruments;
  for (const auto& symbol : kSymbols) {
    for (const auto& venue : kVenues) {
      instruments.push_back({static_cast<InstrumentId>(instruments.size()), venue, symbol});
    }
  }
  simulator::MarketSimulatorOptions sim;
  sim.seed = options.seed;
  sim.anomaly_interval = options.anomaly_interval;
  sim.anomaly_gap = options.anomaly_gap;
  sim.start_time = kStart;
  sim.quiet_period = options.warmup;
  sim.kinds = scenario.kinds;
  simulator::MarketSimulator market(sim, instruments);

  RunResult result;
  std::vector<std::vector<Episode>> all_episodes(detectors.size() + 1);
  Timestamp now = kStart;
  DetectorContext context;  // one per run, shared by every instrument, as on a pipeline shard
  std::vector<EpisodeRecorder*> recorders;
  std::vector<std::unique_ptr<InstrumentState>> states;
  for (const auto& instrument : instruments) {
    auto recorder = std::make_unique<EpisodeRecorder>(instrument.id, detectors.size(), now, all_episodes);
    recorders.push_back(recorder.get());
    states.push_back(std::make_unique<InstrumentState>(instrument, detectors, std::move(recorder), &context));
  }

  const Timestamp end = kStart + options.warmup + options.evaluated;
  const Duration step = sim.step;
  StepBuffer buffer;
  while (market.now() < end) {
    buffer.events.clear();
    market.advance_to(market.now() + step, buffer);
    std::stable_sort(buffer.events.begin(), buffer.events.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [time, event] : buffer.events) {
      now = time;
      states[instrument_of(event)]->handle(event);
    }
    result.events += buffer.events.size();
  }
  for (auto* recorder : recorders) recorder->finish(end);
  // An anomaly cut off by the end of the run is not scored, but episodes it explains are no false
  // positives. Episodes still active when the warm-up ends count from then.
  const Timestamp evaluated_from = kStart + options.warmup;
  result.anomalies = merge_labels(buffer.labels, instruments);
  for (auto& anomaly : result.anomalies) anomaly.scored = anomaly.end + anomaly.grace <= end;
  result.episodes.resize(all_episodes.size());
  for (std::size_t i = 0; i < all_episodes.size(); ++i) {
    for (Episode episode : all_episodes[i]) {
      if (episode.end < evaluated_from) continue;
      episode.start = std::max(episode.start, evaluated_from);
      result.episodes[i].push_back(episode);
    }
  }
  result.instrument_seconds =
      static_cast<double>(instruments.size()) * std::chrono::duration<double>(end - evaluated_from).count();
  return result;
}

}  // namespace tickguard::quality
