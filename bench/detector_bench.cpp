// Per-event cost of each detector once warmed up, through the Detector interface as the pipeline
// calls it, on a recorded simulator market; and of one instrument running every registered detector.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "allocation_counter.h"
#include "core/instrument_state.h"
#include "core/log.h"
#include "core/pipeline.h"
#include "detectors/registry.h"
#include "detectors/statistical/volume_spike_detector.h"
#include "detectors/statistical/zscore_detector.h"
#include "feeds/simulator/market_simulator.h"
#include "market_data.h"

namespace tickguard::bench {
namespace {

using namespace std::chrono_literals;

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

// ---- Every registered detector on a recorded simulator market ----

// Two simulated hours of one instrument of the default simulator market (simex BTC/USDT, seed 42,
// no injected anomalies, from 14:00 UTC, the intraday peak): about 6 trades, 10 tickers and 1 book
// per second, in the order the simulator emitted them.
constexpr Duration kRecordedSpan = 2h;
// Replayed before timing: the slowest baselines need an hour (adaptive_threshold: 360 buckets of
// 10 s) or 10000 trades (whale_trade).
constexpr Duration kWarmup = 3h;

class RecordedMarket final : public simulator::SimulationListener {
 public:
  enum class Kind : std::uint8_t { kTrade, kTicker, kBook };

  RecordedMarket() {
    simulator::MarketSimulatorOptions options;
    options.seed = 42;
    options.anomaly_interval = 0s;
    options.start_time = series_start();
    simulator::MarketSimulator market(options, default_instruments());
    market.advance_to(options.start_time + kRecordedSpan, *this);
    // Scaling each replayed lap by the lap's price change keeps the seam free of a price jump.
    lap_price_factor_ = trades_.back().price / trades_.front().price;
  }

  void on_event(const MarketEvent& event) override {
    if (instrument_of(event) != kInstrument) return;
    if (const auto* trade = std::get_if<Trade>(&event)) {
      trades_.push_back(*trade);
      order_.push_back(Kind::kTrade);
    } else if (const auto* ticker = std::get_if<Ticker>(&event)) {
      tickers_.push_back(*ticker);
      order_.push_back(Kind::kTicker);
    } else if (const auto* book = std::get_if<BookSnapshot>(&event)) {
      books_.push_back(*book);
      order_.push_back(Kind::kBook);
    }
  }
  void on_injected(const InjectedAnomaly&) override {}

  const std::vector<Kind>& order() const { return order_; }
  const std::vector<Trade>& trades() const { return trades_; }
  const std::vector<Ticker>& tickers() const { return tickers_; }
  const std::vector<BookSnapshot>& books() const { return books_; }
  double lap_price_factor() const { return lap_price_factor_; }

 private:
  static constexpr InstrumentId kInstrument = 0;  // simex BTC/USDT in default_instruments()
  std::vector<Kind> order_;
  std::vector<Trade> trades_;
  std::vector<Ticker> tickers_;
  std::vector<BookSnapshot> books_;
  double lap_price_factor_ = 1;
};

const RecordedMarket& recorded_market() {
  static const RecordedMarket market;
  return market;
}

// Replays the recorded market endlessly: each lap later by kRecordedSpan and scaled by the lap's
// price change. A handler gets each event as a Trade, Ticker or BookSnapshot.
class MarketReplay {
 public:
  explicit MarketReplay(const RecordedMarket& market) : market_(market) {}

  template <typename Handler>
  void next(Handler&& handler) {
    switch (market_.order()[position_]) {
      case RecordedMarket::Kind::kTrade: {
        trade_ = market_.trades()[trade_index_++];
        trade_.exchange_time += offset_;
        trade_.receive_time += offset_;
        trade_.price *= price_factor_;
        handler(trade_);
        break;
      }
      case RecordedMarket::Kind::kTicker: {
        ticker_ = market_.tickers()[ticker_index_++];
        ticker_.exchange_time += offset_;
        ticker_.receive_time += offset_;
        ticker_.bid_price *= price_factor_;
        ticker_.ask_price *= price_factor_;
        handler(ticker_);
        break;
      }
      case RecordedMarket::Kind::kBook: {
        book_ = market_.books()[book_index_++];
        book_.exchange_time += offset_;
        book_.receive_time += offset_;
        for (std::size_t i = 0; i < book_.bid_count; ++i) book_.bids[i].price *= price_factor_;
        for (std::size_t i = 0; i < book_.ask_count; ++i) book_.asks[i].price *= price_factor_;
        handler(book_);
        break;
      }
    }
    if (++position_ == market_.order().size()) {
      position_ = trade_index_ = ticker_index_ = book_index_ = 0;
      offset_ += kRecordedSpan;
      price_factor_ *= market_.lap_price_factor();
    }
  }

  Duration replayed() const {
    return offset_ + (market_.trades()[trade_index_ > 0 ? trade_index_ - 1 : 0].exchange_time -
                      market_.trades().front().exchange_time);
  }

 private:
  const RecordedMarket& market_;
  std::size_t position_ = 0;
  std::size_t trade_index_ = 0;
  std::size_t ticker_index_ = 0;
  std::size_t book_index_ = 0;
  Duration offset_{};
  double price_factor_ = 1;
  Trade trade_;
  Ticker ticker_;
  BookSnapshot book_;
};

// Dispatches an event to every hook of a detector, as InstrumentState does.
struct DetectorHandler {
  Detector& detector;
  ObservationSink& sink;
  void operator()(const Trade& trade) const { detector.on_trade(trade, sink); }
  void operator()(const Ticker& ticker) const { detector.on_ticker(ticker, sink); }
  void operator()(const BookSnapshot& book) const { detector.on_book(book, sink); }
};

ParamValues default_params(const DetectorDescriptor& descriptor) {
  ParamValues params;
  for (const ParamSpec& param : descriptor.params) params.set(param.name, param.default_value);
  return params;
}

// Items are market events of the recorded mix (trades, tickers and books); every detector gets
// every event, as in the pipeline. `allocs_per_item` must be 0: a detector never allocates after
// warm-up, so an allocation fails the benchmark.
void BM_Detector_OnEvent(benchmark::State& state, const DetectorDescriptor* descriptor) {
  const RecordedMarket& market = recorded_market();
  const std::unique_ptr<Detector> detector = descriptor->create(default_params(*descriptor));
  CountingObservationSink sink;
  MarketReplay replay(market);
  const DetectorHandler handler{*detector, sink};
  while (replay.replayed() < kWarmup) replay.next(handler);

  // One untimed lap, on which not a single allocation is allowed (the timed loop below also counts
  // the benchmark library's own few).
  const std::uint64_t allocations_before = allocation_count();
  for (std::size_t i = 0; i < market.order().size(); ++i) replay.next(handler);
  if (allocation_count() != allocations_before) {
    state.SkipWithError("allocated after warm-up");
    return;
  }
  const std::uint64_t observed_before = sink.count();

  AllocationProbe probe;
  for (auto _ : state) replay.next(handler);
  probe.report(state, state.iterations());

  benchmark::DoNotOptimize(sink.last());
  state.SetItemsProcessed(state.iterations());
  state.counters["observations_per_item"] = benchmark::Counter(
      static_cast<double>(sink.count() - observed_before), benchmark::Counter::kAvgIterations);
}

// The replay alone (copying and shifting each event), to subtract from the figures above.
void BM_Detector_OnEvent_ReplayOnly(benchmark::State& state) {
  MarketReplay replay(recorded_market());
  std::uint64_t handled = 0;
  const auto handler = [&handled](const auto& event) {
    benchmark::DoNotOptimize(&event);
    ++handled;
  };
  for (auto _ : state) replay.next(handler);
  benchmark::DoNotOptimize(handled);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Detector_OnEvent_ReplayOnly);

class NullInstrumentSink final : public InstrumentSink {
 public:
  void on_trade(const Trade&) override {}
  void on_ticker(const Ticker&) override {}
  void on_score(std::size_t, double score) override { benchmark::DoNotOptimize(score); }
  void on_ensemble(double score) override { benchmark::DoNotOptimize(score); }
  void on_active(std::size_t, bool) override {}
  void on_anomaly(std::size_t, const AnomalyEvent&) override { ++anomalies; }
  std::uint64_t anomalies = 0;
};

// One instrument with every registered detector at its defaults, alert gates and ensemble included:
// the shard thread's cost per event. Items are events of the recorded mix.
void BM_InstrumentState_AllDetectors(benchmark::State& state) {
  std::vector<DetectorSpec> specs;
  for (const DetectorDescriptor& descriptor : detector_registry()) {
    specs.push_back(DetectorSpec{
        descriptor.name, AlertOptions{},
        [&descriptor, params = default_params(descriptor)] { return descriptor.create(params); }});
  }
  const Instrument instrument{.id = 0, .exchange = "simex", .symbol = "BTC/USDT"};
  auto sink = std::make_unique<NullInstrumentSink>();
  const NullInstrumentSink& counts = *sink;
  log::configure(log::Level::kError, log::Format::kLogfmt);  // no "anomaly raised" lines
  InstrumentState instrument_state(instrument, specs, std::move(sink));
  MarketReplay replay(recorded_market());
  const auto handler = [&instrument_state](const auto& event) {
    instrument_state.handle(MarketEvent(event));
  };
  while (replay.replayed() < kWarmup) replay.next(handler);
  const std::uint64_t anomalies_before = counts.anomalies;

  AllocationProbe probe;
  for (auto _ : state) replay.next(handler);
  probe.report(state, state.iterations());

  state.SetItemsProcessed(state.iterations());
  state.counters["detectors"] = static_cast<double>(specs.size());
  // Raising an episode formats its message (allocates): expected to be rare on a quiet market.
  state.counters["anomalies"] = static_cast<double>(counts.anomalies - anomalies_before);
}
BENCHMARK(BM_InstrumentState_AllDetectors);

const bool registered = [] {
  for (const DetectorDescriptor& descriptor : detector_registry()) {
    benchmark::RegisterBenchmark(("BM_Detector_OnEvent/" + descriptor.name).c_str(), BM_Detector_OnEvent,
                                 &descriptor);
  }
  return true;
}();

}  // namespace
}  // namespace tickguard::bench
