// End-to-end throughput of the pipeline as the daemon runs it: 6 instruments, every registered
// detector with its default parameters, a PrometheusSink, 1 shard. The benchmark thread is the feed.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "allocation_counter.h"
#include "core/pipeline.h"
#include "detectors/registry.h"
#include "exporters/prometheus/prometheus_sink.h"
#include "market_data.h"

namespace tickguard::bench {
namespace {

constexpr std::size_t kQueueCapacity = 16384;
// Trades per instrument per lap; the lap is replayed with its times shifted forward each iteration.
constexpr std::size_t kTradesPerInstrument = 10920;

std::vector<DetectorSpec> default_detector_specs() {
  std::vector<DetectorSpec> specs;
  for (const DetectorDescriptor& descriptor : detector_registry()) {
    ParamValues params;
    for (const ParamSpec& param : descriptor.params) params.set(param.name, param.default_value);
    // The registry outlives every pipeline, so the descriptor can be referred to by address.
    specs.push_back(DetectorSpec{descriptor.name, AlertOptions{},
                                 [descriptor = &descriptor, params] { return descriptor->create(params); }});
  }
  return specs;
}

double start_price(std::string_view symbol) {
  if (symbol == "BTC/USDT") return 60000.0;
  if (symbol == "ETH/USDT") return 3000.0;
  return 150.0;
}

// One lap: the instruments' trades interleaved round-robin, each instrument's kTradeSpacing apart.
// Each tape is a closed random walk, so replaying the lap causes no price jump.
std::vector<MarketEvent> interleaved_lap(const std::vector<Instrument>& instruments) {
  std::vector<std::vector<Trade>> tapes;
  for (const Instrument& instrument : instruments) {
    tapes.push_back(
        trade_tape(instrument.id, start_price(instrument.symbol), 100 + instrument.id, kTradesPerInstrument));
  }
  std::vector<MarketEvent> lap;
  lap.reserve(kTradesPerInstrument * instruments.size());
  for (std::size_t i = 0; i < kTradesPerInstrument; ++i) {
    for (const auto& tape : tapes) lap.emplace_back(tape[i]);
  }
  return lap;
}

void shift_times(std::vector<MarketEvent>& lap, Duration by) {
  for (MarketEvent& event : lap) {
    Trade& trade = std::get<Trade>(event);
    trade.exchange_time += by;
    trade.receive_time += by;
  }
}

// Pushes `events` in batches no larger than a queue and waits after each batch until the shard
// has handled all of it, so no event is ever dropped for lack of room.
void push_and_drain(FeedListener& port, const Pipeline& pipeline, std::span<const MarketEvent> events,
                    std::uint64_t& pushed) {
  for (std::size_t begin = 0; begin < events.size(); begin += kQueueCapacity) {
    const std::size_t end = std::min(begin + kQueueCapacity, events.size());
    for (std::size_t i = begin; i < end; ++i) port.on_event(events[i]);
    pushed += end - begin;
    while (pipeline.processed_events() + pipeline.dropped_events() < pushed) std::this_thread::yield();
  }
}

void BM_Pipeline_Throughput(benchmark::State& state) {
  const auto instruments = default_instruments();
  auto lap = interleaved_lap(instruments);
  const Duration lap_duration = kTradeSpacing * static_cast<std::int64_t>(kTradesPerInstrument);

  exporters::PrometheusSink sink;  // declared first: the pipeline's instrument sinks release into it
  Pipeline pipeline(instruments, default_detector_specs(), sink,
                    PipelineOptions{.shards = 1, .queue_capacity = kQueueCapacity});
  FeedListener& port = pipeline.add_feed_port();
  pipeline.start();

  // One lap (45 simulated minutes per instrument) fills every detector's baseline.
  std::uint64_t pushed = 0;
  push_and_drain(port, pipeline, lap, pushed);
  shift_times(lap, lap_duration);

  AllocationProbe probe;
  for (auto _ : state) {
    push_and_drain(port, pipeline, lap, pushed);
    state.PauseTiming();
    shift_times(lap, lap_duration);
    state.ResumeTiming();
  }
  const auto items = static_cast<std::int64_t>(state.iterations() * lap.size());
  probe.report(state, items);
  pipeline.stop();

  state.SetItemsProcessed(items);
  state.counters["dropped"] = static_cast<double>(pipeline.dropped_events());
}
// Real time: the benchmark thread mostly waits for the shard thread.
BENCHMARK(BM_Pipeline_Throughput)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tickguard::bench
