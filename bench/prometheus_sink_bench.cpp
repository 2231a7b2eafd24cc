// Cost of the per-trade metric update (price gauge, trade counter, volume counter) through the
// InstrumentSink that PrometheusSink::subscribe_instrument hands to the pipeline.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "allocation_counter.h"
#include "detectors/registry.h"
#include "exporters/prometheus/prometheus_sink.h"
#include "market_data.h"

namespace tickguard::bench {
namespace {

void BM_PrometheusInstrumentSink_OnTrade(benchmark::State& state) {
  const auto tape = trade_tape(0, 60000.0, 19);
  exporters::PrometheusSink sink;
  std::vector<std::string> detectors;
  for (const auto& descriptor : detector_registry()) detectors.push_back(descriptor.name);
  const auto instrument_sink = sink.subscribe_instrument(Instrument{0, "simex", "BTC/USDT"}, detectors);
  std::size_t i = 0;

  AllocationProbe probe;
  for (auto _ : state) instrument_sink->on_trade(tape[i++ & kSeriesMask]);
  probe.report(state, state.iterations());

  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrometheusInstrumentSink_OnTrade);

}  // namespace
}  // namespace tickguard::bench
