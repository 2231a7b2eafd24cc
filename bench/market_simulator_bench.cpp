// Speed of the market simulator: one simulated hour of the default market (3 symbols x 2 venues,
// 4 trades per second per instrument, anomalies every 2 minutes per symbol), events discarded.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>

#include "allocation_counter.h"
#include "feeds/simulator/market_simulator.h"
#include "market_data.h"

namespace tickguard::bench {
namespace {

using namespace std::chrono_literals;

class CountingListener final : public simulator::SimulationListener {
 public:
  void on_event(const MarketEvent&) override { ++events_; }
  void on_injected(const InjectedAnomaly&) override {}
  std::uint64_t events() const { return events_; }

 private:
  std::uint64_t events_ = 0;
};

void BM_MarketSimulator_SimulatedHour(benchmark::State& state) {
  constexpr auto kSimulated = std::chrono::hours{1};
  simulator::MarketSimulatorOptions options;
  options.seed = 42;
  options.anomaly_interval = 2min;
  options.trades_per_second = 4.0;
  options.start_time = series_start();
  const auto instruments = default_instruments();
  CountingListener listener;

  AllocationProbe probe;
  for (auto _ : state) {
    simulator::MarketSimulator market(options, instruments);
    market.advance_to(options.start_time + kSimulated, listener);
  }
  const auto events = static_cast<std::int64_t>(listener.events());
  probe.report(state, events);

  state.SetItemsProcessed(events);
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["simulated_seconds_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * std::chrono::duration<double>(kSimulated).count(),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MarketSimulator_SimulatedHour)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tickguard::bench
