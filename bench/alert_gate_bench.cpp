// Cost of one AlertGate::update on a realistic mix: mostly quiet ratios with rare bursts over the
// threshold, so raising, holding and clearing (after 30 s of quiet) are all exercised.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "allocation_counter.h"
#include "core/alert_gate.h"
#include "market_data.h"

namespace tickguard::bench {
namespace {

// Quiet ratios are |z| / 6 for a standard normal z, as the zscore detector reports on ordinary
// returns with its default threshold; on average one burst of 12 ratios in [1, 3) starts per 2000.
std::vector<double> alert_ratios() {
  std::mt19937_64 random(17);
  std::normal_distribution<double> quiet(0.0, 1.0 / 6.0);
  std::uniform_real_distribution<double> burst(1.0, 3.0);
  std::bernoulli_distribution burst_starts(1.0 / 2000.0);
  std::vector<double> ratios(kSeriesLength);
  int burst_left = 0;
  for (double& ratio : ratios) {
    if (burst_left == 0 && burst_starts(random)) burst_left = 12;
    if (burst_left > 0) {
      --burst_left;
      ratio = burst(random);
    } else {
      ratio = std::abs(quiet(random));
    }
  }
  return ratios;
}

void BM_AlertGate_Update(benchmark::State& state) {
  const auto ratios = alert_ratios();
  AlertGate gate(AlertOptions{});
  Observation observation;
  observation.time = series_start();
  std::size_t i = 0;
  std::int64_t raised = 0;

  AllocationProbe probe;
  for (auto _ : state) {
    observation.ratio = ratios[i++ & kSeriesMask];
    observation.time += kTradeSpacing;
    raised += gate.update(observation) == AlertGate::Change::kRaised ? 1 : 0;
  }
  probe.report(state, state.iterations());

  state.SetItemsProcessed(state.iterations());
  state.counters["raised_per_item"] =
      benchmark::Counter(static_cast<double>(raised), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_AlertGate_Update);

}  // namespace
}  // namespace tickguard::bench
