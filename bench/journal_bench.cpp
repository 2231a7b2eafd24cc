// The anomaly journal's cost to the pipeline: the per-trade context tracking of JournalSink behind
// the fan-out sink (every trade), the queueing of a record (every anomaly), and how many records per
// second the writer thread commits to disk.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "allocation_counter.h"
#include "detectors/registry.h"
#include "exporters/fanout/fanout_sink.h"
#include "exporters/journal/journal.h"
#include "exporters/prometheus/prometheus_sink.h"
#include "market_data.h"

namespace tickguard::bench {
namespace {

class ScratchJournal {
 public:
  explicit ScratchJournal(journal::JournalOptions options) {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / ("tickguard-bench-" + std::to_string(random()));
    options.path = dir_ / "journal.db";
    if (!journal::Journal::open(options, journal_).ok()) std::abort();
  }
  ~ScratchJournal() {
    journal_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  journal::Journal& operator*() { return *journal_; }
  journal::Journal* operator->() { return journal_.get(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<journal::Journal> journal_;
};

journal::Record sample_record(std::int64_t i) {
  journal::Record record;
  record.time = Timestamp(std::chrono::seconds(1'763'683'200 + i));
  record.exchange = "simex";
  record.symbol = "BTC/USDT";
  record.detector = "zscore";
  record.score = 0.8;
  record.observed = 0.0123;
  record.expected_low = -0.001;
  record.expected_high = 0.001;
  record.message = "zscore: log return 0.0123 outside expected band [-0.001, 0.001] (6.1x threshold)";
  record.price = 60000;
  record.spread = 0.0002;
  record.volume_1m = 12.5;
  return record;
}

// Every trade goes through the Prometheus sink and the journal's context tracking.
void BM_FanoutSink_OnTrade_MetricsAndJournal(benchmark::State& state) {
  const auto tape = trade_tape(0, 60000.0, 19);
  exporters::PrometheusSink metrics;
  ScratchJournal journal({});
  journal::JournalSink journal_sink(*journal);
  exporters::FanoutSink sinks({&metrics, &journal_sink});
  std::vector<std::string> detectors;
  for (const auto& descriptor : detector_registry()) detectors.push_back(descriptor.name);
  const auto instrument_sink = sinks.subscribe_instrument(Instrument{0, "simex", "BTC/USDT"}, detectors);
  std::size_t i = 0;

  AllocationProbe probe;
  for (auto _ : state) instrument_sink->on_trade(tape[i++ & kSeriesMask]);
  probe.report(state, state.iterations());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FanoutSink_OnTrade_MetricsAndJournal);

// What a pipeline thread pays when an anomaly is raised: copying the record into the queue. Bursts of
// 256 records, the queue drained (untimed) between bursts, so no record is dropped.
void BM_Journal_Append(benchmark::State& state) {
  constexpr int kBurst = 256;
  ScratchJournal journal({});
  const journal::Record record = sample_record(0);
  for (auto _ : state) {
    for (int i = 0; i < kBurst; ++i) benchmark::DoNotOptimize(journal->append(record));
    state.PauseTiming();
    journal->flush();
    state.ResumeTiming();
  }
  state.counters["dropped"] = static_cast<double>(journal->dropped());
  state.SetItemsProcessed(state.iterations() * kBurst);
}
BENCHMARK(BM_Journal_Append);

// Records committed to disk per second by the writer thread (batches of batch_size).
void BM_Journal_CommitThroughput(benchmark::State& state) {
  journal::JournalOptions options;
  options.queue_capacity = 1 << 16;
  options.batch_size = 1024;
  ScratchJournal journal(options);
  constexpr std::int64_t kRecords = 10000;
  std::vector<journal::Record> records;
  for (std::int64_t i = 0; i < kRecords; ++i) records.push_back(sample_record(i));
  for (auto _ : state) {
    for (const auto& record : records) journal->append(record);
    journal->flush();
  }
  state.counters["dropped"] = static_cast<double>(journal->dropped());
  state.counters["size_bytes"] = static_cast<double>(journal->size_bytes());
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_Journal_CommitThroughput)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tickguard::bench
