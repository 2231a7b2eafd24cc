// Per-trade cost of each statistical detector once warmed up, through the Detector interface as
// the pipeline calls it.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "allocation_counter.h"
#include "detectors/statistical/volume_spike_detector.h"
#include "detectors/statistical/zscore_detector.h"
#include "market_data.h"

namespace tickguard::bench {
namespace {

// Replays a tape endlessly with exchange time still advancing kTradeSpacing per trade, so that a
// time-bucketed detector keeps closing buckets when the tape wraps around.
class TapeReplay {
 public:
  explicit TapeReplay(std::vector<Trade> tape) : tape_(std::move(tape)), time_(series_start()) {}

  const Trade& next() {
    trade_ = tape_[index_];
    trade_.exchange_time = time_;
    trade_.receive_time = time_;
    index_ = (index_ + 1) & kSeriesMask;
    time_ += kTradeSpacing;
    return trade_;
  }

 private:
  std::vector<Trade> tape_;
  std::size_t index_ = 0;
  Timestamp time_;
  Trade trade_;
};

// Counts observations and keeps the last one, so the scoring cannot be optimized away.
class CountingObservationSink final : public ObservationSink {
 public:
  void observe(const Observation& observation) override {
    last_ = observation;
    ++count_;
  }
  std::uint64_t count() const { return count_; }
  const Observation& last() const { return last_; }

 private:
  Observation last_;
  std::uint64_t count_ = 0;
};

void run_detector(benchmark::State& state, Detector& detector) {
  TapeReplay replay(trade_tape(0, 60000.0, 7));
  CountingObservationSink sink;
  // One lap of the tape (4.5 simulated hours) fills every baseline.
  for (std::size_t i = 0; i < kSeriesLength; ++i) detector.on_trade(replay.next(), sink);
  const std::uint64_t observed_before = sink.count();

  AllocationProbe probe;
  for (auto _ : state) detector.on_trade(replay.next(), sink);
  probe.report(state, state.iterations());

  benchmark::DoNotOptimize(sink.last());
  state.SetItemsProcessed(state.iterations());
  // 1 when every trade is scored, i.e. the benchmark measures the warmed-up path.
  state.counters["observations_per_item"] = benchmark::Counter(
      static_cast<double>(sink.count() - observed_before), benchmark::Counter::kAvgIterations);
}

void BM_ZScoreDetector_OnTrade(benchmark::State& state) {
  ZScoreDetector detector(ZScoreDetector::Options{});
  run_detector(state, detector);
}
BENCHMARK(BM_ZScoreDetector_OnTrade);

// Trades 250 ms apart and 10 s buckets: one bucket closes every 40 trades, and its cost (a log1p
// and a RollingMedian insert) is amortized over them.
void BM_VolumeSpikeDetector_OnTrade(benchmark::State& state) {
  VolumeSpikeDetector detector(VolumeSpikeDetector::Options{});
  run_detector(state, detector);
}
BENCHMARK(BM_VolumeSpikeDetector_OnTrade);

}  // namespace
}  // namespace tickguard::bench
