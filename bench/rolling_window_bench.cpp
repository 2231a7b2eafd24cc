// Cost of one add() to the rolling-window primitives once their window is full, so every add also
// evicts the oldest value.
#include <benchmark/benchmark.h>

#include <cstddef>

#include "allocation_counter.h"
#include "detectors/common/rolling_median.h"
#include "detectors/common/rolling_moments.h"
#include "market_data.h"

namespace tickguard::bench {
namespace {

// Window in closed buckets: 60 is the volume_spike default, 600 and 6000 show how the O(N) shift
// of the sorted copy grows.
void BM_RollingMedian_Add(benchmark::State& state) {
  const auto window = static_cast<std::size_t>(state.range(0));
  const auto values = normal_values(kSeriesLength, 11);
  RollingMedian median(window);
  std::size_t i = 0;
  for (; i < window; ++i) median.add(values[i & kSeriesMask]);

  AllocationProbe probe;
  for (auto _ : state) median.add(values[i++ & kSeriesMask]);
  probe.report(state, state.iterations());

  benchmark::DoNotOptimize(median.median());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RollingMedian_Add)->Arg(60)->Arg(600)->Arg(6000);

// Window 300 is the zscore default; the add cost includes the exact recompute every 300 adds.
void BM_RollingMoments_Add(benchmark::State& state) {
  const auto window = static_cast<std::size_t>(state.range(0));
  const auto values = normal_values(kSeriesLength, 13);
  RollingMoments moments(window);
  std::size_t i = 0;
  for (; i < window; ++i) moments.add(values[i & kSeriesMask]);

  AllocationProbe probe;
  for (auto _ : state) moments.add(values[i++ & kSeriesMask]);
  probe.report(state, state.iterations());

  benchmark::DoNotOptimize(moments.stddev());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RollingMoments_Add)->Arg(300);

}  // namespace
}  // namespace tickguard::bench
