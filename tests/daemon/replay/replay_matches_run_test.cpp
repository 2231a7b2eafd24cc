// `tickguard replay` must score exactly as the running daemon: the same events through the
// pipeline (shard thread, queues) and through replay give the same per-detector scores.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/pipeline.h"
#include "detectors/statistical/volume_spike_detector.h"
#include "detectors/statistical/zscore_detector.h"
#include "replay/replay.h"

namespace tickguard::replay {
namespace {

std::vector<DetectorSpec> detectors() {
  return {DetectorSpec{"zscore", AlertOptions{},
                       [] {
                         ZScoreDetector::Options options;
                         options.window = 60;
                         options.min_samples = 20;
                         return std::make_unique<ZScoreDetector>(options);
                       }},
          DetectorSpec{"volume_spike", AlertOptions{},
                       [] { return std::make_unique<VolumeSpikeDetector>(VolumeSpikeDetector::Options{}); }}};
}

// Records, per detector, every score the pipeline reports, and every ensemble value.
class ScoreSink final : public Sink {
 public:
  struct Scores {
    std::mutex mutex;
    std::vector<std::vector<double>> per_detector{2};
    std::vector<double> ensemble;
  };
  std::unique_ptr<InstrumentSink> subscribe_instrument(const Instrument&,
                                                       std::span<const std::string>) override {
    return std::make_unique<Instr>(scores);
  }
  std::unique_ptr<FeedStatusSink> subscribe_feed_status(const Instrument&) override {
    return std::make_unique<Status>();
  }
  void on_connection_state(std::string_view, bool) override {}
  void on_feed_reconnect(std::string_view) override {}
  void on_feed_error(std::string_view, std::string_view) override {}
  void on_feed_dropped_message(std::string_view) override {}
  void on_rest_request(std::string_view, std::string_view, std::string_view) override {}
  void on_rate_limit_usage(std::string_view, double) override {}
  void on_feed_anomaly(const AnomalyEvent&) override {}
  void on_injected_anomaly(const InjectedAnomaly&) override {}
  Scores scores;

 private:
  struct Instr final : InstrumentSink {
    explicit Instr(Scores& s) : s(s) {}
    void on_trade(const Trade&) override {}
    void on_ticker(const Ticker&) override {}
    void on_score(std::size_t d, double score) override {
      std::lock_guard lock(s.mutex);
      s.per_detector[d].push_back(score);
    }
    void on_ensemble(double score) override {
      std::lock_guard lock(s.mutex);
      s.ensemble.push_back(score);
    }
    void on_active(std::size_t, bool) override {}
    void on_anomaly(std::size_t, const AnomalyEvent&) override {}
    Scores& s;
  };
  struct Status final : FeedStatusSink {
    void on_message(Timestamp) override {}
    void on_dropped() override {}
    void on_sequence_gap() override {}
    void on_checksum_failure() override {}
    void on_latency(double) override {}
  };
};

TEST(ReplayMatchesRun, SameEventsGiveTheSameScoresInBothPaths) {
  // Two hours of trades, one every 2 s, with a price jump and a volume burst.
  std::vector<Trade> trades;
  std::string csv = "timestamp,price,volume\n";
  double price = 100;
  for (int i = 0; i < 3600; ++i) {
    price *= 1 + 0.0004 * std::sin(i * 1.3) + 0.0002 * std::cos(i * 0.17);
    if (i == 2000) price *= 1.03;
    const double volume = i >= 3000 && i < 3010 ? 50.0 : 1.0 + 0.5 * std::sin(i * 0.7);
    Trade trade;
    trade.exchange_time = trade.receive_time = Timestamp(std::chrono::seconds(1700000000 + 2 * i));
    trade.price = std::stod(std::to_string(price));  // what the CSV carries
    trade.quantity = std::stod(std::to_string(volume));
    trades.push_back(trade);
    csv += std::to_string(1700000000 + 2 * i) + "," + std::to_string(price) + "," + std::to_string(volume) +
           "\n";
  }

  // The daemon's path: a pipeline with its shard thread.
  ScoreSink sink;
  Pipeline pipeline({Instrument{0, "replay", "REPLAY"}}, detectors(), sink);
  FeedListener& port = pipeline.add_feed_port();
  pipeline.start();
  for (const Trade& trade : trades) port.on_event(trade);
  for (int i = 0; i < 500 && pipeline.processed_events() < trades.size(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pipeline.stop();
  ASSERT_EQ(pipeline.processed_events(), trades.size());

  // The replay path, with the report collector recording the ensemble per row.
  std::istringstream input(csv);
  std::ostringstream output;
  ReplayStats stats;
  ReportData report;
  ASSERT_TRUE(replay_csv(input, "in.csv", detectors(), output, stats, &report).ok());

  // The ensemble after the last event is the same (the pipeline also reports the intermediate
  // values between one trade's detectors, so only the final one compares directly).
  std::lock_guard lock(sink.scores.mutex);
  ASSERT_FALSE(sink.scores.ensemble.empty());
  ASSERT_EQ(report.series.size(), 1U);
  EXPECT_DOUBLE_EQ(report.series[0].ensemble.back(), sink.scores.ensemble.back());
  // Per detector: the replay's score column holds each detector's latest score per row; its
  // distinct changes must be the pipeline's sequence of scores.
  std::istringstream rows(output.str());
  std::string line;
  std::getline(rows, line);
  ASSERT_EQ(line, "timestamp,score,score_zscore,score_volume_spike");
  std::vector<double> zscore_column;
  std::string last_line;
  while (std::getline(rows, line)) {
    last_line = line;
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    const auto third = line.find(',', second + 1);
    zscore_column.push_back(std::stod(line.substr(second + 1, third - second - 1)));
  }
  ASSERT_EQ(zscore_column.size(), trades.size());
  const auto& run_zscore = sink.scores.per_detector[0];
  ASSERT_FALSE(run_zscore.empty());
  // zscore scores every trade after warm-up: the last N rows of replay are the run's N scores.
  const std::size_t n = run_zscore.size();
  ASSERT_LE(n, zscore_column.size());
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_NEAR(zscore_column[zscore_column.size() - n + i], run_zscore[i], 5e-7) << "score " << i;
  }
  EXPECT_GT(*std::max_element(run_zscore.begin(), run_zscore.end()), 0.5) << "the jump was scored";
  ASSERT_FALSE(sink.scores.per_detector[1].empty());
  EXPECT_NEAR(std::stod(last_line.substr(last_line.rfind(',') + 1)), sink.scores.per_detector[1].back(), 5e-7)
      << "volume_spike's last score";
  EXPECT_EQ(stats.anomalies, 2U) << "the jump and the burst";
}

}  // namespace
}  // namespace tickguard::replay
