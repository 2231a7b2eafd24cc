// `tickguard simulate`: runs the config's simulator feeds (daemon/feeds/simulator/market_simulator.h)
// in simulated time, as fast as the CPU allows, and records every event as event JSON Lines
// (event_jsonl.h) — the format `tickguard replay` reads — with `label` set to the injected anomaly
// kind while one is active on the event's instrument.
#pragma once

#include <ostream>

#include "config/options.h"
#include "tickguard/clock.h"
#include "tickguard/status.h"

namespace tickguard::replay {

struct SimulateStats {
  std::size_t events = 0;
  std::size_t labelled = 0;  // events written with a non-empty label
  std::size_t injected = 0;  // anomalies injected (once per affected instrument)
};

// Where simulated time starts unless told otherwise: 2024-01-01T00:00:00Z, so that a config and a
// duration always produce the same file.
inline constexpr Timestamp kDefaultSimulationStart{std::chrono::seconds(1704067200)};

// Simulates `duration` from `start` for every [[feed]] of `config` with exchange = "simulator"
// (its venues × symbols, seed, trades_per_second, anomaly_interval; its warmup is a quiet period
// without injected anomalies at the start) and writes the events to `out`. InvalidArgument when
// the config has no simulator feed or the duration is not positive.
Status simulate_events(const config::Config& config, Duration duration, Timestamp start, std::ostream& out,
                       SimulateStats& stats);

}  // namespace tickguard::replay
