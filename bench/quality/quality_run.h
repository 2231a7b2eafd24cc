// One detection-quality run: a simulated market (3 symbols x 3 venues) with only the anomaly kinds of
// one scenario injected after a clean warm-up, fed in time order through the daemon's own
// InstrumentState (detectors, alert gates, ensemble), recording every alert episode.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/pipeline.h"
#include "event_matching.h"
#include "feeds/simulator/market_simulator.h"

namespace tickguard::quality {

// A family of anomaly kinds reported together, with the target for the ensemble.
struct Scenario {
  std::string_view name;  // e.g. "pattern"
  std::vector<simulator::AnomalyKind> kinds;
  double target_f1 = 0;   // 0: no target
  double legacy_f1 = -1;  // F1 of the system we replace; < 0: not reported
  // When set, the target counts only anomalies found within 30 s of their start.
  bool target_within_30s = false;
};

// Every scenario, in report order.
const std::vector<Scenario>& scenarios();

// How long after its labelled end an anomaly of `kind` may still be flagged as found.
Duration grace_period(simulator::AnomalyKind kind);

struct RunOptions {
  std::uint64_t seed = 1;
  Duration warmup = std::chrono::minutes(45);  // clean market, nothing scored: every detector warms up
  Duration evaluated = std::chrono::hours(1);  // after the warm-up
  Duration anomaly_interval = std::chrono::minutes(5);
  Duration anomaly_gap = std::chrono::minutes(3);
};

// What one run produced: the merged labels (those cut off by the end of the run are not scored), and
// the episodes of each detector (spec order) followed by the ensemble's, clipped to the evaluated time.
struct RunResult {
  std::vector<LabelledAnomaly> anomalies;
  std::vector<std::vector<Episode>> episodes;  // detectors.size() + 1 entries
  double instrument_seconds = 0;               // instruments x evaluated time
  std::size_t events = 0;
};

// Simulates and scores one run of `scenario`. Deterministic for given arguments.
RunResult run_scenario(const Scenario& scenario, const std::vector<DetectorSpec>& detectors,
                       const RunOptions& options);

}  // namespace tickguard::quality
