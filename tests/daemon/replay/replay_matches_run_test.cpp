// `tickguard replay` must score exactly as the running daemon: the same events through the
// pipeline (shard threads, queues, one DetectorContext per shard) and through replay (one thread,
// one DetectorContext, instruments created as they first appear) give, for every registered
// detector and every instrument, the same scores, the same raised anomalies and the same ensemble.
//
// The events come from the market simulator, with anomalies of several kinds scheduled on
// instruments of asset groups of three, two and one venues, so that the cross-venue detectors
// (which compare the venues of one asset through the shared DetectorContext) score and raise too.
// Three paths see the same events in the same order:
//   run:       a real Pipeline (several shards, asset groups spread over them), fed from one feed port;
//   replay:    replay_events on the events written as event JSON Lines, what `tickguard replay` runs;
//   reference: the instruments' InstrumentStates driven on this thread, sharing one DetectorContext
//              as replay does, observed through the same recording sink as the run.
// run == reference is checked exactly, observation by observation (every score of every detector,
// every ensemble value, every anomaly); reference == replay on the ensemble after every event (as
// replay's report holds it, exactly); run == replay directly on the raised anomalies (exactly), the
// final scores (as replay prints them) and the final ensemble (exactly).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "app/application.h"
#include "config/config_loader.h"
#include "config/default_config.h"
#include "core/asset_group.h"
#include "core/instrument_state.h"
#include "core/log.h"
#include "core/pipeline.h"
#include "detectors/registry.h"
#include "feeds/registry.h"
#include "feeds/simulator/market_simulator.h"
#include "replay/event_jsonl.h"
#include "replay/replay.h"
#include "replay/simulate.h"

namespace tickguard::replay {
namespace {

using namespace std::chrono_literals;
using simulator::AnomalyKind;

// Detectors that compare the venues of one asset; checked to score when they are registered.
constexpr std::string_view kCrossVenueDetectors[] = {"cross_exchange_divergence", "stale_feed"};

// ---- The detectors: every registered one, as the embedded default config enables them. ----

std::vector<DetectorSpec> default_detector_specs() {
  const auto loaded =
      config::load_config_string(config::default_config_toml(), std::string(config::kEmbeddedConfigName),
                                 config::ConfigSchema{detector_registry(), feeds::supported_exchanges()});
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.front().to_string();
  if (!loaded.config) return {};
  return app::detector_specs(*loaded.config);
}

// ---- The events ----

// Instruments as a config lists them (venue by venue): BTC on three venues, ETH on two, SOL on one.
std::vector<Instrument> test_instruments() {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"simex", "BTC/USDT"},  {"simex", "ETH/USDT"},  {"simex", "SOL/USDT"},
      {"mockex", "BTC/USDT"}, {"mockex", "ETH/USDT"}, {"fakex", "BTC/USDT"}};
  std::vector<Instrument> instruments;
  for (const auto& [venue, symbol] : pairs) {
    instruments.push_back(Instrument{static_cast<InstrumentId>(instruments.size()), venue, symbol});
  }
  return instruments;
}

constexpr Timestamp kStart = kDefaultSimulationStart;
constexpr Duration kQuiet = 10min;     // clean history before the first anomaly
constexpr Duration kDuration = 25min;  // simulated time
constexpr Duration kChunk = 1s;        // simulated time per advance_to, as the simulator feed does

struct Scenario {
  std::vector<Instrument> instruments;
  std::vector<MarketEvent> events;  // in the order the feed delivers them
  std::vector<InjectedAnomaly> injected;
};

// Collects the simulator's output, stamping each event's receive time with the end of its chunk
// (the simulator feed stamps the wall-clock time the chunk was produced at).
class Collector final : public simulator::SimulationListener {
 public:
  explicit Collector(Scenario& scenario) : scenario_(scenario) {}
  void set_receive_time(Timestamp time) { receive_time_ = time; }
  void on_event(const MarketEvent& event) override {
    MarketEvent stamped = event;
    std::visit([this](auto& e) { e.receive_time = receive_time_; }, stamped);
    scenario_.events.push_back(stamped);
  }
  void on_injected(const InjectedAnomaly& anomaly) override { scenario_.injected.push_back(anomaly); }

 private:
  Scenario& scenario_;
  Timestamp receive_time_{};
};

Scenario simulate() {
  Scenario scenario;
  scenario.instruments = test_instruments();
  simulator::MarketSimulatorOptions options;
  options.seed = 2024;
  options.start_time = kStart;
  options.anomaly_interval = Duration::zero();  // only the scheduled anomalies below
  options.step = 250ms;  // four tickers a second instead of ten: the same market, a faster test
  // The simulator lists the instruments in another order than the pipeline: replay numbers them
  // as they first appear, so its instrument ids differ from the run's.
  std::vector<Instrument> simulated = scenario.instruments;
  std::reverse(simulated.begin(), simulated.end());
  simulator::MarketSimulator engine(options, simulated);
  const auto at = [](Duration offset) { return kStart + offset; };
  // Eight kinds over the three groups, stale feeds and divergences on the multi-venue ones; all over
  // well before the end.
  // BTC (three venues)
  engine.schedule_anomaly(AnomalyKind::kStaleFeed, "BTC/USDT", "mockex", at(kQuiet + 1min));
  engine.schedule_anomaly(AnomalyKind::kVenueDivergence, "BTC/USDT", "fakex", at(kQuiet + 3min + 30s));
  engine.schedule_anomaly(AnomalyKind::kFlashCrash, "BTC/USDT", "simex", at(kQuiet + 7min));
  engine.schedule_anomaly(AnomalyKind::kPriceSpike, "BTC/USDT", "fakex", at(kQuiet + 9min));
  engine.schedule_anomaly(AnomalyKind::kStaleFeed, "BTC/USDT", "simex", at(kQuiet + 10min + 30s));
  engine.schedule_anomaly(AnomalyKind::kVolumeBurst, "BTC/USDT", "mockex", at(kQuiet + 13min));
  // ETH (two venues)
  engine.schedule_anomaly(AnomalyKind::kVenueDivergence, "ETH/USDT", "simex", at(kQuiet + 30s));
  engine.schedule_anomaly(AnomalyKind::kStaleFeed, "ETH/USDT", "mockex", at(kQuiet + 4min));
  engine.schedule_anomaly(AnomalyKind::kVolumeBurst, "ETH/USDT", "mockex", at(kQuiet + 6min + 30s));
  engine.schedule_anomaly(AnomalyKind::kLevelShift, "ETH/USDT", "", at(kQuiet + 8min + 30s));
  engine.schedule_anomaly(AnomalyKind::kFlashCrash, "ETH/USDT", "simex", at(kQuiet + 11min));
  // SOL (one venue)
  engine.schedule_anomaly(AnomalyKind::kPriceSpike, "SOL/USDT", "simex", at(kQuiet + 2min));
  engine.schedule_anomaly(AnomalyKind::kWashTrading, "SOL/USDT", "simex", at(kQuiet + 4min + 30s));
  engine.schedule_anomaly(AnomalyKind::kPumpAndDump, "SOL/USDT", "simex", at(kQuiet + 8min));
  Collector collector(scenario);
  for (Timestamp until = kStart; until < kStart + kDuration;) {
    until = std::min(kStart + kDuration, until + kChunk);
    collector.set_receive_time(until);
    engine.advance_to(until, collector);
  }
  return scenario;
}

// ---- What a path produces, per instrument ----

// Identical values: equal, or both NaN.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// One raised anomaly, as the run's sink and the replay's report both carry it.
struct Raised {
  std::string detector;
  double time = 0;  // Unix seconds, as the report has it
  std::string severity;
  double score = 0;
  double observed = 0;
  double expected_low = 0;
  double expected_high = 0;
  std::string message;
};

bool same(const Raised& a, const Raised& b) {
  return a.detector == b.detector && same(a.time, b.time) && a.severity == b.severity &&
         same(a.score, b.score) && same(a.observed, b.observed) && same(a.expected_low, b.expected_low) &&
         same(a.expected_high, b.expected_high) && a.message == b.message;
}

std::ostream& operator<<(std::ostream& out, const Raised& r) {
  char time[32];
  std::snprintf(time, sizeof time, "%.6f", r.time);
  return out << r.detector << " at " << time << " " << r.severity << " score " << r.score << " observed "
             << r.observed << " [" << r.expected_low << ", " << r.expected_high << "]: " << r.message;
}

Raised raised_from(const AnomalyEvent& e) {
  return Raised{e.detector,
                to_unix_seconds(e.time),
                std::string(severity_name(e.severity)),
                e.score,
                e.observed,
                e.expected_low,
                e.expected_high,
                e.message};
}

// Everything the sink of one instrument was told, in order.
struct Record {
  explicit Record(std::size_t detectors) : scores(detectors) {}
  std::vector<std::vector<double>> scores;  // per detector, every score reported
  std::vector<double> ensemble;             // every ensemble value reported
  std::vector<Raised> raised;
  std::size_t activations = 0;  // on_active calls
  // The latest score of `detector`, 0 before its first (as InstrumentState::scores()).
  double final_score(std::size_t detector) const {
    return scores[detector].empty() ? 0.0 : scores[detector].back();
  }
  double final_ensemble() const { return ensemble.empty() ? 0.0 : ensemble.back(); }
};

class RecordingInstrumentSink final : public InstrumentSink {
 public:
  explicit RecordingInstrumentSink(Record& record) : record_(record) {}
  void on_trade(const Trade&) override {}
  void on_ticker(const Ticker&) override {}
  void on_score(std::size_t detector, double score) override { record_.scores.at(detector).push_back(score); }
  void on_ensemble(double score) override { record_.ensemble.push_back(score); }
  void on_active(std::size_t, bool) override { ++record_.activations; }
  void on_anomaly(std::size_t detector, const AnomalyEvent& event) override {
    EXPECT_LT(detector, record_.scores.size());
    record_.raised.push_back(raised_from(event));
  }

 private:
  Record& record_;
};

// The run's sink: one Record per instrument id. Each instrument is written by the one shard thread
// that owns it; read only after Pipeline::stop() has joined them.
class RecordingSink final : public Sink {
 public:
  RecordingSink(std::size_t instruments, std::size_t detectors) {
    for (std::size_t i = 0; i < instruments; ++i) records.push_back(std::make_unique<Record>(detectors));
  }
  std::unique_ptr<InstrumentSink> subscribe_instrument(const Instrument& instrument,
                                                       std::span<const std::string> detectors) override {
    EXPECT_EQ(detectors.size(), records.at(instrument.id)->scores.size());
    return std::make_unique<RecordingInstrumentSink>(*records.at(instrument.id));
  }
  std::unique_ptr<FeedStatusSink> subscribe_feed_status(const Instrument&) override {
    return std::make_unique<Status>();
  }
  void on_connection_state(std::string_view, bool) override {}
  void on_feed_reconnect(std::string_view) override {}
  void on_feed_error(std::string_view, std::string_view) override {}
  void on_feed_dropped_message(std::string_view) override {}
  void on_rest_request(std::string_view, std::string_view, std::string_view) override {}
  void on_rate_limit_usage(std::string_view, double) override {}
  void on_feed_anomaly(const AnomalyEvent&) override {}
  void on_injected_anomaly(const InjectedAnomaly&) override {}

  std::vector<std::unique_ptr<Record>> records;  // by instrument id

 private:
  struct Status final : FeedStatusSink {
    void on_message(Timestamp) override {}
    void on_dropped() override {}
    void on_sequence_gap() override {}
    void on_checksum_failure() override {}
    void on_latency(double) override {}
  };
};

// ---- The three paths ----

// The smallest shard count (from 2) that puts the asset groups on at least two shards, with one
// shard holding two groups or more (so one context serves several groups); 0 if none up to 16.
std::size_t shards_for(const std::vector<Instrument>& instruments) {
  std::set<std::string> groups;
  for (const auto& instrument : instruments) groups.insert(asset_group(instrument.symbol));
  for (std::size_t shards = 2; shards <= 16; ++shards) {
    std::map<std::size_t, std::size_t> groups_per_shard;
    for (const auto& group : groups) ++groups_per_shard[std::hash<std::string>{}(group) % shards];
    const bool shared = std::any_of(groups_per_shard.begin(), groups_per_shard.end(),
                                    [](const auto& entry) { return entry.second >= 2; });
    if (groups_per_shard.size() >= 2 && shared) return shards;
  }
  return 0;
}

struct RunResult {
  std::unique_ptr<RecordingSink> sink;
  std::uint64_t processed = 0;
  std::uint64_t dropped = 0;
};

RunResult run_pipeline(const Scenario& scenario, const std::vector<DetectorSpec>& specs, std::size_t shards) {
  RunResult result;
  result.sink = std::make_unique<RecordingSink>(scenario.instruments.size(), specs.size());
  PipelineOptions options;
  options.shards = shards;
  options.queue_capacity = 1 << 14;
  Pipeline pipeline(scenario.instruments, specs, *result.sink, options);
  FeedListener& port = pipeline.add_feed_port();
  pipeline.start();
  // The feed waits while a queue could be half full, so nothing is dropped however slow the shards
  // are (a queue holds at most the events fed and not yet processed).
  const std::uint64_t max_in_flight = options.queue_capacity / 2;
  std::uint64_t fed = 0;
  for (const MarketEvent& event : scenario.events) {
    while (fed - pipeline.processed_events() >= max_in_flight) std::this_thread::sleep_for(100us);
    port.on_event(event);
    ++fed;
  }
  for (int i = 0; i < 60'000 && pipeline.processed_events() < fed; ++i) std::this_thread::sleep_for(1ms);
  pipeline.stop();
  result.processed = pipeline.processed_events();
  result.dropped = pipeline.dropped_events();
  return result;
}

std::string format_score(double score) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6f", score);
  return buffer;
}

// Whether replay's report draws a point for `event`: it has a price (a trade's, or a two-sided mid).
bool has_report_point(const MarketEvent& event) {
  if (const auto* trade = std::get_if<Trade>(&event)) return trade->price > 0;
  if (const auto* ticker = std::get_if<Ticker>(&event)) return ticker->bid_price > 0 && ticker->ask_price > 0;
  if (const auto* book = std::get_if<BookSnapshot>(&event)) return book->bid_count > 0 && book->ask_count > 0;
  return false;
}

// The reference: the InstrumentStates driven on this thread in event order, sharing one context
// and created as their instruments first appear, as replay does; observed through the run's sink.
struct ReferenceResult {
  std::vector<std::unique_ptr<Record>> records;  // by the scenario's instrument id
  // Per instrument, its ensemble after each of its events with a report point: what replay's
  // report holds for it.
  std::vector<std::vector<double>> ensemble_after_event;
};

ReferenceResult run_reference(const Scenario& scenario, const std::vector<DetectorSpec>& specs) {
  ReferenceResult result;
  for (std::size_t i = 0; i < scenario.instruments.size(); ++i) {
    result.records.push_back(std::make_unique<Record>(specs.size()));
  }
  result.ensemble_after_event.resize(scenario.instruments.size());
  DetectorContext context;  // declared before the states, which hold references into it
  std::vector<std::unique_ptr<InstrumentState>> states(scenario.instruments.size());
  std::vector<Instrument> replayed(scenario.instruments.size());  // the states keep references
  InstrumentId next_id = 0;
  for (const MarketEvent& original : scenario.events) {
    const InstrumentId id = instrument_of(original);
    if (!states[id]) {
      replayed[id] =
          Instrument{next_id++, scenario.instruments[id].exchange, scenario.instruments[id].symbol};
      states[id] = std::make_unique<InstrumentState>(
          replayed[id], specs, std::make_unique<RecordingInstrumentSink>(*result.records[id]), &context);
    }
    MarketEvent event = original;
    std::visit([&](auto& e) { e.instrument = replayed[id].id; }, event);
    states[id]->handle(event);
    if (has_report_point(event)) result.ensemble_after_event[id].push_back(states[id]->ensemble());
  }
  return result;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string key_of(const std::string& exchange, const std::string& symbol) { return exchange + " " + symbol; }

// The index of the first difference of two sequences, or nullopt when they are equal.
template <class T>
std::optional<std::size_t> first_difference(const std::vector<T>& a, const std::vector<T>& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (!same(a[i], b[i])) return i;
  }
  if (a.size() != b.size()) return std::min(a.size(), b.size());
  return std::nullopt;
}

template <class T>
std::string describe_difference(const std::vector<T>& a, const std::vector<T>& b, std::size_t i) {
  std::ostringstream out;
  out.precision(17);
  out << "sizes " << a.size() << " and " << b.size() << "; first difference at #" << i << ": ";
  if (i < a.size()) {
    out << a[i];
  } else {
    out << "(none)";
  }
  out << " vs ";
  if (i < b.size()) {
    out << b[i];
  } else {
    out << "(none)";
  }
  return out.str();
}

TEST(ReplayMatchesRun, EveryDetectorScoresAndRaisesTheSameInRunAndReplay) {
  log::configure(log::Level::kWarn, log::Format::kLogfmt);  // as `tickguard replay`: no line per anomaly

  const std::vector<DetectorSpec> specs = default_detector_specs();
  ASSERT_FALSE(specs.empty());
  std::vector<std::string> names;
  for (const auto& spec : specs) names.push_back(spec.name);
  // The default config enables every registered detector: the test covers the whole registry.
  for (const auto& descriptor : detector_registry()) {
    EXPECT_NE(std::find(names.begin(), names.end(), descriptor.name), names.end())
        << descriptor.name << " is registered but not enabled by the default config";
  }

  const Scenario scenario = simulate();
  const std::size_t instruments = scenario.instruments.size();
  ASSERT_GT(scenario.events.size(), 40'000U);
  std::set<std::string> injected_kinds;
  for (const auto& anomaly : scenario.injected) injected_kinds.insert(anomaly.kind);
  EXPECT_TRUE(injected_kinds.count("stale_feed") && injected_kinds.count("venue_divergence"));
  EXPECT_GE(injected_kinds.size(), 7U);
  // Replay writes an instrument's scores after its own events; cross-venue detectors may also score
  // a venue during a peer's event once the venue has been silent for a while. So that the final
  // scores of both paths are those after each instrument's last event, every instrument is still
  // updating at the end (no stale feed runs into it).
  std::vector<Timestamp> last_event(instruments);
  for (const auto& event : scenario.events) {
    last_event[instrument_of(event)] = std::max(last_event[instrument_of(event)], exchange_time_of(event));
  }
  for (std::size_t i = 0; i < instruments; ++i) {
    ASSERT_GE(last_event[i], kStart + kDuration - 500ms)
        << key_of(scenario.instruments[i].exchange, scenario.instruments[i].symbol);
  }

  // (a) The daemon's path.
  const std::size_t shards = shards_for(scenario.instruments);
  ASSERT_GE(shards, 2U);
  const RunResult run = run_pipeline(scenario, specs, shards);
  ASSERT_EQ(run.dropped, 0U);
  ASSERT_EQ(run.processed, scenario.events.size());

  // (b) `tickguard replay` of the same events, recorded as event JSON Lines.
  std::ostringstream jsonl;
  for (const MarketEvent& event : scenario.events) {
    write_event_line(jsonl, scenario.instruments[instrument_of(event)], event, "");
  }
  std::istringstream input(jsonl.str());
  std::ostringstream output;
  ReplayStats stats;
  ReportData report;
  const Status status = replay_events(input, "events.jsonl", specs, output, stats, &report);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(stats.rows, scenario.events.size());
  ASSERT_EQ(stats.instruments, instruments);

  // (c) The reference, observation by observation.
  const ReferenceResult reference = run_reference(scenario, specs);

  // run == reference: every score of every detector, every ensemble value and every anomaly.
  for (std::size_t i = 0; i < instruments; ++i) {
    const std::string key = key_of(scenario.instruments[i].exchange, scenario.instruments[i].symbol);
    const Record& a = *run.sink->records[i];
    const Record& b = *reference.records[i];
    for (std::size_t d = 0; d < specs.size(); ++d) {
      if (const auto at = first_difference(a.scores[d], b.scores[d])) {
        ADD_FAILURE() << key << ", " << names[d] << ": run and replay (reference) scores differ: "
                      << describe_difference(a.scores[d], b.scores[d], *at);
      }
    }
    if (const auto at = first_difference(a.ensemble, b.ensemble)) {
      ADD_FAILURE() << key << ": run and replay (reference) ensembles differ: "
                    << describe_difference(a.ensemble, b.ensemble, *at);
    }
    if (const auto at = first_difference(a.raised, b.raised)) {
      ADD_FAILURE() << key << ": run and replay (reference) raise different anomalies: "
                    << describe_difference(a.raised, b.raised, *at);
    }
    EXPECT_EQ(a.activations, b.activations) << key;
  }

  // reference == replay: the ensemble after every event, as replay's report holds it.
  const std::vector<std::string> rows = lines_of(output.str());
  ASSERT_EQ(rows.size(), scenario.events.size() + 1);
  std::string header = "timestamp,exchange,symbol,score";
  for (const auto& name : names) header += ",score_" + name;
  ASSERT_EQ(rows[0], header + ",label");
  ASSERT_EQ(report.series.size(), instruments);
  for (const auto& series : report.series) {
    const auto it = std::find_if(
        scenario.instruments.begin(), scenario.instruments.end(),
        [&](const auto& i) { return i.exchange == series.exchange && i.symbol == series.symbol; });
    ASSERT_NE(it, scenario.instruments.end()) << series.exchange << " " << series.symbol;
    const auto& expected = reference.ensemble_after_event[it->id];
    if (const auto at = first_difference(series.ensemble, expected)) {
      ADD_FAILURE() << key_of(series.exchange, series.symbol)
                    << ": replay's ensemble after an event differs from the run's: "
                    << describe_difference(series.ensemble, expected, *at) << " (at "
                    << (*at < series.times.size() ? format_score(series.times[*at]) : "-") << ")";
    }
  }

  // run == replay directly: per instrument, the raised anomalies (exactly), the final scores (as
  // replay prints them) and the final ensemble (exactly).
  std::map<std::string, std::vector<Raised>> replay_raised;
  for (const auto& e : report.events) {
    const auto& series = report.series.at(e.series);
    replay_raised[key_of(series.exchange, series.symbol)].push_back(Raised{
        e.detector, e.time, e.severity, e.score, e.observed, e.expected_low, e.expected_high, e.message});
  }
  std::map<std::string, std::string> last_row;
  for (std::size_t r = rows.size() - 1; r >= 1 && last_row.size() < instruments; --r) {
    const auto first = rows[r].find(',');
    const auto second = rows[r].find(',', first + 1);
    const auto third = rows[r].find(',', second + 1);
    last_row.emplace(
        rows[r].substr(first + 1, second - first - 1) + " " + rows[r].substr(second + 1, third - second - 1),
        rows[r]);
  }
  std::map<std::string, double> replay_ensemble;
  for (const auto& series : report.series) {
    ASSERT_FALSE(series.ensemble.empty());
    replay_ensemble[key_of(series.exchange, series.symbol)] = series.ensemble.back();
  }
  std::size_t raised_total = 0;
  std::set<std::string> raising_detectors;
  std::map<std::string, std::size_t> venues_of_group;
  for (const auto& instrument : scenario.instruments) ++venues_of_group[asset_group(instrument.symbol)];
  std::size_t with_peers = 0;  // instruments whose asset has another venue
  std::map<std::string, std::size_t> scored_with_peers, raised_by_detector;
  for (std::size_t i = 0; i < instruments; ++i) {
    const Instrument& instrument = scenario.instruments[i];
    const std::string key = key_of(instrument.exchange, instrument.symbol);
    const Record& a = *run.sink->records[i];
    if (const auto at = first_difference(a.raised, replay_raised[key])) {
      ADD_FAILURE() << key << ": run and replay raise different anomalies: "
                    << describe_difference(a.raised, replay_raised[key], *at);
    }
    ASSERT_TRUE(last_row.count(key)) << key;
    std::string expected_tail = format_score(a.final_ensemble());
    for (std::size_t d = 0; d < specs.size(); ++d) expected_tail += "," + format_score(a.final_score(d));
    const std::string& row = last_row[key];
    const std::string prefix = instrument.exchange + "," + instrument.symbol + ",";
    const auto tail_at = row.find(prefix) + prefix.size();
    EXPECT_EQ(row.substr(tail_at), expected_tail + ",")
        << key << ": final scores differ (ensemble then " << header.substr(header.find("score,") + 6) << ")";
    EXPECT_TRUE(same(replay_ensemble[key], a.final_ensemble()))
        << key << ": final ensemble: replay " << replay_ensemble[key] << ", run " << a.final_ensemble();

    raised_total += a.raised.size();
    for (const auto& r : a.raised) {
      raising_detectors.insert(r.detector);
      ++raised_by_detector[r.detector];
    }
    if (venues_of_group[asset_group(instrument.symbol)] < 2) continue;
    ++with_peers;
    for (std::size_t d = 0; d < specs.size(); ++d) {
      if (!a.scores[d].empty()) ++scored_with_peers[names[d]];
    }
  }
  EXPECT_EQ(stats.anomalies, raised_total);

  // Not a trivial run: many anomalies, raised by many detectors, and the cross-venue detectors
  // (when registered) scored every instrument that has peers and raised.
  std::ostringstream summary;
  for (const auto& [detector, count] : raised_by_detector) summary << " " << detector << "=" << count;
  EXPECT_GE(raised_total, 20U) << summary.str();
  EXPECT_GE(raising_detectors.size(), 8U) << summary.str();
  for (const std::string_view name : kCrossVenueDetectors) {
    if (find_detector(name) == nullptr) continue;  // not registered (yet)
    EXPECT_EQ(scored_with_peers[std::string(name)], with_peers)
        << name << ": every instrument with a peer venue is scored";
    EXPECT_GT(raised_by_detector[std::string(name)], 0U) << name << ": raised nothing;" << summary.str();
  }
  std::cout << "[ replay == run ] " << instruments << " instruments, " << scenario.events.size()
            << " events, " << specs.size() << " detectors, " << shards << " shards; " << raised_total
            << " anomalies raised:" << summary.str() << "\n";
}

}  // namespace
}  // namespace tickguard::replay
