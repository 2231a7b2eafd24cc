// Calibrates the detectors' defaults on the market simulator, with no I/O and no clock, so every
// run prints the same figures:
//
//   1. Quiet market: every seed simulates the default market (BTC, ETH, SOL on simex and mockex)
//      for --days days with no injected anomaly, each event through the real InstrumentState with
//      every registered detector (defaults, or --set overrides). Prints per detector the false
//      episodes per instrument-day and the highest ratio seen, and the same for the ensemble score
//      (an episode while it is >= 0.5, through an AlertGate with the default alert options).
//   2. Detection: for each anomaly kind, --trials runs that schedule one anomaly of that kind after
//      a clean warm-up; a detector catches a trial when it raises an episode on an affected
//      instrument while the anomaly runs or within kCatchWindow of its start.
//
// Usage: tickguard_calibrate_detectors [--seeds N] [--days D] [--trials T] [--threads K]
//                                      [--set detector.param=value]... [--only quiet|detection]
//        tickguard_calibrate_detectors --parameter-tables   (the README's parameter tables)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/alert_gate.h"
#include "core/instrument_state.h"
#include "core/log.h"
#include "core/pipeline.h"
#include "detectors/registry.h"
#include "feeds/simulator/market_simulator.h"

namespace tickguard::calibration {
namespace {

using namespace std::chrono_literals;

// The embedded config's market.
const std::vector<std::string> kSymbols = {"BTC/USDT", "ETH/USDT", "SOL/USDT"};
const std::vector<std::string> kVenues = {"simex", "mockex"};
// Simulated days start at midnight UTC, so whole days cover the intraday cycle evenly.
const Timestamp kStart = std::chrono::sys_days{std::chrono::year{2026} / 1 / 5};
// Detection trials: clean history before the scheduled anomaly (adaptive_threshold needs an hour of
// 10 s buckets, whale_trade 10000 trades), and how long after its start an episode still counts.
constexpr Duration kTrialWarmup = 80min;
constexpr Duration kCatchWindow = 6min;
// The quiet market's episodes in this first stretch of each run are also counted apart: a daemon
// starting cold (the end-to-end test runs about this long).
constexpr Duration kColdStart = 90min;

struct Options {
  int seeds = 4;
  double days = 2;
  int trials = 6;
  int threads = 2;
  bool quiet = true;
  bool detection = true;
  bool parameter_tables = false;  // print the README's parameter tables and exit
  std::map<std::string, std::vector<std::pair<std::string, double>>> overrides;
};

std::vector<Instrument> instruments() {
  std::vector<Instrument> out;
  for (const auto& symbol : kSymbols) {
    for (const auto& venue : kVenues) {
      out.push_back(
          Instrument{.id = static_cast<InstrumentId>(out.size()), .exchange = venue, .symbol = symbol});
    }
  }
  return out;
}

// Ratio behind a normalized score: the inverse of score_from_threshold_ratio.
double ratio_from_score(double score) {
  if (score <= 0) return 0;
  if (score >= 1) return 8;  // the score is 1 in double precision from ratio ~7.3 on
  return std::sqrt(-std::log2(1 - score));
}

// Highest ratio each detector emitted, shared by the detectors of one run (one thread).
struct RatioRecord {
  std::vector<double> max_ratio;
};

// Wraps a detector to record the highest ratio it emits, then forwards every observation.
class RatioTap final : public Detector {
 public:
  RatioTap(std::unique_ptr<Detector> inner, double& max_ratio)
      : inner_(std::move(inner)), forward_(max_ratio) {}
  // The inner detector always gets forward_, one sink for its whole life, as the Detector contract
  // requires (cross-venue detectors keep it to score a silent venue during its peers' events).
  void on_trade(const Trade& trade, ObservationSink& sink) override {
    forward_.next = &sink;
    inner_->on_trade(trade, forward_);
  }
  void on_ticker(const Ticker& ticker, ObservationSink& sink) override {
    forward_.next = &sink;
    inner_->on_ticker(ticker, forward_);
  }
  void on_book(const BookSnapshot& book, ObservationSink& sink) override {
    forward_.next = &sink;
    inner_->on_book(book, forward_);
  }

 private:
  struct Forward final : ObservationSink {
    explicit Forward(double& max) : max(max) {}
    void observe(const Observation& observation) override {
      max = std::max(max, observation.ratio);
      if (next != nullptr) next->observe(observation);
    }
    ObservationSink* next = nullptr;  // the instrument's sink, the same on every call
    double& max;
  };
  std::unique_ptr<Detector> inner_;
  Forward forward_;
};

// Every registered detector with its defaults, except the parameters --set overrides, each wrapped
// in a RatioTap writing to `record`.
std::vector<DetectorSpec> detector_specs(const Options& options, RatioRecord& record) {
  const auto registry = detector_registry();
  record.max_ratio.assign(registry.size(), 0.0);
  std::vector<DetectorSpec> specs;
  for (std::size_t i = 0; i < registry.size(); ++i) {
    const DetectorDescriptor& descriptor = registry[i];
    ParamValues params;
    for (const ParamSpec& param : descriptor.params) {
      double value = param.default_value;
      if (const auto it = options.overrides.find(descriptor.name); it != options.overrides.end()) {
        for (const auto& [name, override_value] : it->second) {
          if (name == param.name) value = override_value;
        }
      }
      params.set(param.name, value);
    }
    double* max_ratio = &record.max_ratio[i];
    // As the daemon builds them (app::detector_specs), each wrapped in a RatioTap.
    AlertOptions alert;
    alert.trusted = descriptor.trusted;  // as the config loader defaults it
    specs.push_back(DetectorSpec{
        descriptor.name, alert,
        [&descriptor, params, max_ratio](const Instrument& instrument, DetectorContext& context) {
          std::unique_ptr<Detector> detector = descriptor.create_shared != nullptr
                                                   ? descriptor.create_shared(params, instrument, context)
                                                   : descriptor.create(params);
          return std::unique_ptr<Detector>(std::make_unique<RatioTap>(std::move(detector), *max_ratio));
        }});
  }
  return specs;
}

// One raised episode.
struct Episode {
  InstrumentId instrument = 0;
  std::size_t detector = 0;  // registry index; the ensemble is registry size
  Timestamp time{};
};

// Records the episodes one instrument raises; the rest of the sink is not needed here.
class EpisodeSink final : public InstrumentSink {
 public:
  EpisodeSink(InstrumentId instrument, std::vector<Episode>& episodes)
      : instrument_(instrument), episodes_(episodes) {}
  void on_trade(const Trade&) override {}
  void on_ticker(const Ticker&) override {}
  void on_score(std::size_t, double) override {}
  void on_ensemble(double) override {}
  void on_active(std::size_t, bool) override {}
  void on_anomaly(std::size_t detector, const AnomalyEvent& event) override {
    episodes_.push_back(Episode{.instrument = instrument_, .detector = detector, .time = event.time});
  }

 private:
  InstrumentId instrument_;
  std::vector<Episode>& episodes_;
};

// The market of one run: every event goes through its instrument's InstrumentState; the ensemble
// score after each event goes through an AlertGate of its own.
class Market final : public simulator::SimulationListener {
 public:
  Market(const Options& options, std::size_t detectors)
      : ensemble_index_(detectors), specs_(detector_specs(options, record_)) {
    for (const Instrument& instrument : instruments_) {
      states_.push_back(std::make_unique<InstrumentState>(
          instrument, specs_, std::make_unique<EpisodeSink>(instrument.id, episodes_), &context_));
      ensemble_gates_.emplace_back(AlertOptions{});
    }
  }

  void on_event(const MarketEvent& event) override {
    const InstrumentId id = instrument_of(event);
    InstrumentState& state = *states_[id];
    state.handle(event);
    const Timestamp time = exchange_time_of(event);
    // Every instrument's ensemble goes through its gate at every event time: a cross-venue detector
    // can raise the ensemble of an instrument that has no events of its own (a stale venue).
    for (std::size_t i = 0; i < states_.size(); ++i) {
      const double ensemble = states_[i]->ensemble();
      const double ratio = ratio_from_score(ensemble);
      max_ensemble_ = std::max(max_ensemble_, ratio);
      const Observation observation{.time = time, .score = ensemble, .ratio = ratio};
      if (ensemble_gates_[i].update(observation) == AlertGate::Change::kRaised) {
        episodes_.push_back(
            Episode{.instrument = static_cast<InstrumentId>(i), .detector = ensemble_index_, .time = time});
      }
    }
  }
  void on_injected(const InjectedAnomaly& anomaly) override { injected_.push_back(anomaly); }

  const std::vector<Instrument>& instrument_list() const { return instruments_; }
  const std::vector<Episode>& episodes() const { return episodes_; }
  const std::vector<InjectedAnomaly>& injected() const { return injected_; }
  const std::vector<double>& max_ratio() const { return record_.max_ratio; }
  double max_ensemble_ratio() const { return max_ensemble_; }

 private:
  std::size_t ensemble_index_;
  std::vector<Instrument> instruments_ = instruments();
  RatioRecord record_;
  std::vector<DetectorSpec> specs_;
  DetectorContext context_;  // one context for the whole market, as one pipeline shard
  std::vector<std::unique_ptr<InstrumentState>> states_;
  std::vector<AlertGate> ensemble_gates_;
  std::vector<Episode> episodes_;
  std::vector<InjectedAnomaly> injected_;
  double max_ensemble_ = 0;
};

// Runs `jobs` jobs on `threads` threads; job(i) must be thread-safe across different i.
template <typename Job>
void run_parallel(int jobs, int threads, Job job) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(threads, 1); ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < jobs; i = next++) job(i);
    });
  }
  for (auto& thread : pool) thread.join();
}

void quiet_market(const Options& options) {
  const auto registry = detector_registry();
  const std::size_t columns = registry.size() + 1;  // the ensemble last
  std::vector<double> episodes(columns, 0.0);
  std::vector<double> max_ratio(columns, 0.0);
  std::vector<double> worst_day(columns, 0.0);   // most episodes of one instrument in one seed, per day
  std::vector<double> cold_start(columns, 0.0);  // episodes in the first kColdStart of each run
  std::mutex mutex;
  const Duration span =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(options.days * 86400));
  run_parallel(options.seeds, options.threads, [&](int seed) {
    Market market(options, registry.size());
    simulator::MarketSimulatorOptions simulation;
    simulation.seed = static_cast<std::uint64_t>(seed + 1);
    simulation.anomaly_interval = 0s;
    simulation.start_time = kStart;
    simulator::MarketSimulator simulator(simulation, market.instrument_list());
    simulator.advance_to(kStart + span, market);
    std::vector<std::vector<double>> per_instrument(columns,
                                                    std::vector<double>(kSymbols.size() * kVenues.size()));
    std::vector<double> early(columns, 0.0);
    for (const Episode& episode : market.episodes()) {
      per_instrument[episode.detector][episode.instrument] += 1;
      if (episode.time < kStart + kColdStart) early[episode.detector] += 1;
    }
    std::lock_guard lock(mutex);
    for (std::size_t d = 0; d < columns; ++d) {
      for (double count : per_instrument[d]) {
        episodes[d] += count;
        worst_day[d] = std::max(worst_day[d], count / options.days);
      }
      cold_start[d] += early[d];
      max_ratio[d] =
          std::max(max_ratio[d], d < registry.size() ? market.max_ratio()[d] : market.max_ensemble_ratio());
    }
    std::fprintf(stderr, "quiet seed %d done\n", seed + 1);
  });

  const double instrument_days =
      options.days * options.seeds * static_cast<double>(kSymbols.size() * kVenues.size());
  std::printf(
      "\n## Quiet market: %d seeds x %.2f days x 6 instruments = %.1f instrument-days, no injections\n\n",
      options.seeds, options.days, instrument_days);
  std::printf(
      "| detector | episodes | per instrument-day | worst instrument, per day | max ratio | in the first "
      "90 min |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (std::size_t d = 0; d < columns; ++d) {
    const std::string name = d < registry.size() ? registry[d].name : "(ensemble >= 0.5)";
    std::printf("| %s | %.0f | %.3f | %.2f | %.2f | %.0f |\n", name.c_str(), episodes[d],
                episodes[d] / instrument_days, worst_day[d], max_ratio[d], cold_start[d]);
  }
}

bool affects(const InjectedAnomaly& anomaly, const Instrument& instrument) {
  return anomaly.symbol == instrument.symbol && anomaly.exchange == instrument.exchange;
}

void detection(const Options& options) {
  const auto registry = detector_registry();
  const std::size_t columns = registry.size() + 1;
  const auto kinds = simulator::all_anomaly_kinds();
  // caught[kind][detector]: trials in which the detector raised an episode on an affected instrument.
  std::vector<std::vector<int>> caught(kinds.size(), std::vector<int>(columns, 0));
  std::mutex mutex;
  const int jobs = static_cast<int>(kinds.size()) * options.trials;
  run_parallel(jobs, options.threads, [&](int job) {
    const auto kind = kinds[static_cast<std::size_t>(job / options.trials)];
    const int trial = job % options.trials;
    Market market(options, registry.size());
    simulator::MarketSimulatorOptions simulation;
    simulation.seed = static_cast<std::uint64_t>(1000 + trial);
    simulation.anomaly_interval = 0s;
    // Trials start at different times of day.
    simulation.start_time = kStart + trial * Duration(std::chrono::minutes(197));
    simulator::MarketSimulator simulator(simulation, market.instrument_list());
    const Timestamp anomaly_start = simulation.start_time + kTrialWarmup;
    simulator.schedule_anomaly(kind, kSymbols[static_cast<std::size_t>(trial) % kSymbols.size()],
                               kVenues[static_cast<std::size_t>(trial) % kVenues.size()], anomaly_start);
    simulator.advance_to(anomaly_start + kCatchWindow, market);
    std::vector<bool> hit(columns, false);
    for (const Episode& episode : market.episodes()) {
      if (episode.time < anomaly_start) continue;
      const Instrument& instrument = market.instrument_list()[episode.instrument];
      for (const InjectedAnomaly& anomaly : market.injected()) {
        if (affects(anomaly, instrument)) hit[episode.detector] = true;
      }
    }
    std::lock_guard lock(mutex);
    for (std::size_t d = 0; d < columns; ++d)
      caught[static_cast<std::size_t>(job / options.trials)][d] += hit[d];
  });

  std::printf(
      "\n## Detection: trials caught out of %d per kind (episode on an affected instrument within %lld s "
      "of the start)\n\n",
      options.trials,
      static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(kCatchWindow).count()));
  std::printf("| detector |");
  for (const auto kind : kinds) std::printf(" %s |", std::string(simulator::anomaly_kind_name(kind)).c_str());
  std::printf("\n|---|");
  for (std::size_t k = 0; k < kinds.size(); ++k) std::printf("---:|");
  std::printf("\n");
  for (std::size_t d = 0; d < columns; ++d) {
    const std::string name = d < registry.size() ? registry[d].name : "(ensemble >= 0.5)";
    std::printf("| %s |", name.c_str());
    for (std::size_t k = 0; k < kinds.size(); ++k) std::printf(" %d |", caught[k][d]);
    std::printf("\n");
  }
}

// A duration parameter as the config writes it: "10s", "1m", "250ms".
std::string duration_text(double seconds) {
  const auto ms = static_cast<long long>(std::llround(seconds * 1000));
  char buffer[32];
  if (ms == 0) return "\"0s\"";
  if (ms % 3600000 == 0) {
    std::snprintf(buffer, sizeof buffer, "\"%lldh\"", ms / 3600000);
  } else if (ms % 60000 == 0) {
    std::snprintf(buffer, sizeof buffer, "\"%lldm\"", ms / 60000);
  } else if (ms % 1000 == 0) {
    std::snprintf(buffer, sizeof buffer, "\"%llds\"", ms / 1000);
  } else {
    std::snprintf(buffer, sizeof buffer, "\"%lldms\"", ms);
  }
  return buffer;
}

std::string value_text(const ParamSpec& spec, double value) {
  if (spec.kind == ParamKind::kDuration) return duration_text(value);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

// The parameter table of every registered detector, for the README.
void print_parameter_tables() {
  for (const DetectorDescriptor& descriptor : detector_registry()) {
    std::printf("\n### `%s`\n\n%s\n\n", descriptor.name.c_str(), descriptor.help.c_str());
    std::printf("| Parameter | Kind | Default | Allowed | Meaning |\n|---|---|---|---|---|\n");
    for (const ParamSpec& spec : descriptor.params) {
      const char* kind = spec.kind == ParamKind::kInteger    ? "integer"
                         : spec.kind == ParamKind::kDuration ? "duration"
                                                             : "number";
      std::string help;
      for (const char c : spec.help) help += c == '|' ? std::string("\\|") : std::string(1, c);
      std::printf("| `%s` | %s | %s | %s–%s | %s |\n", spec.name.c_str(), kind,
                  value_text(spec, spec.default_value).c_str(), value_text(spec, spec.min).c_str(),
                  value_text(spec, spec.max).c_str(), help.c_str());
    }
  }
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--parameter-tables") {
      options.parameter_tables = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    if (flag == "--seeds") {
      options.seeds = std::atoi(value.c_str());
    } else if (flag == "--days") {
      options.days = std::atof(value.c_str());
    } else if (flag == "--trials") {
      options.trials = std::atoi(value.c_str());
    } else if (flag == "--threads") {
      options.threads = std::atoi(value.c_str());
    } else if (flag == "--only") {
      options.quiet = value == "quiet";
      options.detection = value == "detection";
    } else if (flag == "--set") {
      const auto dot = value.find('.');
      const auto equals = value.find('=');
      if (dot == std::string::npos || equals == std::string::npos || equals < dot) return false;
      options.overrides[value.substr(0, dot)].emplace_back(value.substr(dot + 1, equals - dot - 1),
                                                           std::atof(value.c_str() + equals + 1));
    } else {
      return false;
    }
  }
  return options.seeds > 0 && options.days > 0 && options.trials > 0;
}

}  // namespace
}  // namespace tickguard::calibration

int main(int argc, char** argv) {
  using namespace tickguard;
  calibration::Options options;
  if (!calibration::parse(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: %s [--seeds N] [--days D] [--trials T] [--threads K] [--only quiet|detection] "
                 "[--set detector.param=value]...\n",
                 argv[0]);
    return 2;
  }
  log::configure(log::Level::kError, log::Format::kLogfmt);  // no "anomaly raised" lines
  for (const auto& [detector, params] : options.overrides) {
    const DetectorDescriptor* descriptor = find_detector(detector);
    if (descriptor == nullptr) {
      std::fprintf(stderr, "unknown detector %s\n", detector.c_str());
      return 2;
    }
    for (const auto& [name, value] : params) {
      const bool known = std::any_of(descriptor->params.begin(), descriptor->params.end(),
                                     [&](const ParamSpec& spec) { return spec.name == name; });
      if (!known) {
        std::fprintf(stderr, "unknown parameter %s.%s\n", detector.c_str(), name.c_str());
        return 2;
      }
      std::printf("override %s.%s = %g\n", detector.c_str(), name.c_str(), value);
    }
  }
  if (options.parameter_tables) {
    calibration::print_parameter_tables();
    return 0;
  }
  if (options.quiet) calibration::quiet_market(options);
  if (options.detection) calibration::detection(options);
  return 0;
}
