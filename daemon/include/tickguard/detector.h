// Detector: watches the events of one (exchange, symbol) and reports how anomalous they look.
// A detector never touches metrics or I/O: it emits Observations to an ObservationSink. The
// pipeline turns observations into score gauges and, through an AlertGate with hysteresis, into
// anomaly events with severity. A detector instance is used by one thread only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tickguard/event.h"

namespace tickguard {

// Maps a detector statistic, expressed as a multiple of its configured threshold, onto the
// normalized score in [0,1] shared by all detectors: score = 1 - 2^-(ratio^2).
// ratio 0 -> 0, ratio 0.5 -> 0.16, ratio 1 (at the threshold) -> 0.5, ratio 2 -> 0.94.
double score_from_threshold_ratio(double ratio);

// What a detector concluded after one update.
struct Observation {
  Timestamp time{};         // event time of the update that produced it
  double score = 0;         // normalized anomaly score in [0,1], see score_from_threshold_ratio
  double ratio = 0;         // statistic / threshold; >= 1 means beyond the threshold
  double observed = 0;      // the observed value, in the unit of `quantity`
  double expected_low = 0;  // the band the detector expected `observed` to be in
  double expected_high = 0;
  const char* quantity = "";  // static text naming `observed`, e.g. "log return"
};

class ObservationSink {
 public:
  virtual ~ObservationSink() = default;
  // Receives one observation. Called on the detector's thread; must not block.
  virtual void observe(const Observation& observation) = 0;
};

class Detector {
 public:
  virtual ~Detector() = default;
  // Each hook receives events of this detector's instrument in arrival order. A detector emits no
  // observation until it has warmed up (enough data for a meaningful baseline). Must be O(1) or
  // O(log window) and must not allocate after warm-up. Every call passes the same sink, which
  // outlives the detector: a cross-instrument detector may keep it, to report on its instrument
  // during a peer's event (a silent venue has no events of its own).
  virtual void on_trade(const Trade& trade, ObservationSink& sink) { (void)trade, (void)sink; }
  virtual void on_ticker(const Ticker& ticker, ObservationSink& sink) { (void)ticker, (void)sink; }
  virtual void on_book(const BookSnapshot& book, ObservationSink& sink) { (void)book, (void)sink; }
  virtual void on_candle(const Candle& candle, ObservationSink& sink) { (void)candle, (void)sink; }
};

// Shared state for detectors that compare instruments with each other (e.g. the same asset on
// several venues). One context serves a set of instruments handled by one thread (a pipeline
// shard, or a whole replay); every instrument of one asset group is in the same context, so
// cross-instrument detectors meet their peers here without locks. Used by one thread only.
class DetectorContext {
 public:
  // The object registered under `key`, default-constructed on first use. Detectors prefix keys
  // with their own name, so one key always names one type.
  template <class T>
  std::shared_ptr<T> shared(const std::string& key) {
    for (auto& [name, object] : objects_) {
      if (name == key) return std::static_pointer_cast<T>(object);
    }
    auto object = std::make_shared<T>();
    objects_.emplace_back(key, object);
    return object;
  }

 private:
  std::vector<std::pair<std::string, std::shared_ptr<void>>> objects_;  // few: one per asset group
};

// ---- Parameters: each detector declares its schema; config validation is generic over it. ----

enum class ParamKind { kNumber, kInteger, kDuration };  // durations are stored in seconds

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::kNumber;
  double default_value = 0;
  double min = 0;  // inclusive bounds, checked by the config loader
  double max = 0;
  std::string help;
};

// Validated parameter values of one detector, one per ParamSpec, in spec order.
class ParamValues {
 public:
  void set(std::string name, double value);
  // The value of `name`; the registry guarantees every declared parameter is present.
  // Returns 0 for an undeclared name (a programming error caught by tests).
  double get(std::string_view name) const;
  bool has(std::string_view name) const;
  const std::vector<std::pair<std::string, double>>& values() const { return values_; }

 private:
  std::vector<std::pair<std::string, double>> values_;
};

// Alerting parameters every detector accepts in its [detectors.<name>] table, on top of its own.
// ratio = statistic / threshold as in Observation.
struct AlertOptions {
  double critical_ratio = 2.0;  // an episode whose raising ratio reaches this is `critical`, else `warning`
  double clear_ratio = 0.5;     // the anomaly stays active until the ratio stays below this ...
  double clear_after_seconds = 30;  // ... for this long (event time): hysteresis against flapping
  // A trusted detector's score counts in the instrument's ensemble score on its own; the others
  // count only when a second detector agrees (see ensemble_score). Defaults to the descriptor's.
  bool trusted = false;
};

// One registered detector: its name (the `detector` label and the config table name), its
// parameters, and how to build an instance for one instrument.
struct DetectorDescriptor {
  std::string name;
  std::string help;
  std::vector<ParamSpec> params;
  std::unique_ptr<Detector> (*create)(const ParamValues& params) = nullptr;
  // Cross-instrument detectors also provide this: an instance for `instrument` that meets its peers
  // through `context`. When set, the pipeline and replay use it instead of `create`.
  std::unique_ptr<Detector> (*create_shared)(const ParamValues& params, const Instrument& instrument,
                                             DetectorContext& context) = nullptr;
  // The default of AlertOptions::trusted: true for detectors specific and persistent enough that
  // their alarm alone is worth a page (measured false-alarm rate near zero on the simulator).
  bool trusted = false;
};

}  // namespace tickguard
