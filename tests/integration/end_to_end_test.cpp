// End-to-end: the real binary on a sped-up simulator, scraped over loopback.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "daemon_process.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

// Pacing, so that no event is dropped in a Debug build on a shared 2-core machine. The Debug build
// costs ~13 us per event on the shard thread with every detector, the Debug simulator ~10 us per
// event on the feed thread. Live, at speed 100, the 6 instruments make up to ~10000 events per
// second (trades, tickers and books at the intraday peak): an eighth of a core per shard (speed 200
// was a quarter, and with two daemons side by side on a busy machine too much). The warm-up history
// is generated as fast as the feed can, with no flow control, ~100 events per simulated second: 2
// minutes fit in the 16384-event queue whatever the shard does; 12 minutes (volume_spike needs 10 to
// score) are 72000 events, which the shard only keeps up with on a core of its own (SetUpTestSuite).
std::string simulator_config(const std::string& anomaly_interval, const std::string& warmup) {
  return R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
venues = ["simex", "mockex"]
seed = 7
speed = 100.0
warmup = ")" +
         warmup + R"("
anomaly_interval = ")" +
         anomaly_interval + "\"\n";
}

// Two scrapes of one run: `first` once the daemon has seen `trades` trades (see kTrades),
// `settled` a few simulated minutes later. Anomalies counted as
// injected in `first` have finished (or at least begun long enough ago to be visible) by `settled`,
// so comparing the two has no race between an injection's start and its detection.
// About 80 simulated minutes of the config above, warm-up history included.
constexpr double kTrades = 100000;
// More trades than a warm-up history of 12 minutes holds (6 instruments x at most 6 trades/s).
constexpr double kPastWarmup = 30000;

struct Scrapes {
  std::vector<Sample> first;
  std::vector<Sample> settled;
};

std::vector<Sample> scrape_after_trades(DaemonProcess& daemon, double trades) {
  std::vector<Sample> samples;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    samples = daemon.scrape();
    if (sum_of(samples, "tickguard_trades_total") >= trades) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(sum_of(samples, "tickguard_trades_total"), trades) << "the simulator did not get far enough";
  return samples;
}

Scrapes run_until_trades(DaemonProcess& daemon, double trades) {
  EXPECT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  Scrapes scrapes;
  scrapes.first = scrape_after_trades(daemon, trades);
  // ~4 simulated minutes: 6 instruments x 4 trades/s x 240 s, a little less off-peak.
  scrapes.settled = scrape_after_trades(daemon, sum_of(scrapes.first, "tickguard_trades_total") + 4000);
  return scrapes;
}

using InstrumentKey = std::pair<std::string, std::string>;  // exchange, symbol

std::set<InstrumentKey> instruments_with(const std::vector<Sample>& samples, const std::string& name,
                                         const std::set<std::string>& kinds_or_detectors,
                                         const std::string& label) {
  std::set<InstrumentKey> out;
  for (const auto& s : samples) {
    if (s.name == name && s.value > 0 && kinds_or_detectors.count(s.labels.at(label)) > 0) {
      out.emplace(s.labels.at("exchange"), s.labels.at("symbol"));
    }
  }
  return out;
}

class EndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Both runs share one simulated hour and run side by side to keep the suite short, but the second
    // starts once the first has caught up with its warm-up history: one catch-up at a time. The quiet
    // run checks no detection, so its short warm-up history fits in the queue (see simulator_config).
    TempDir dir;
    DaemonProcess with_anomalies(
        {"--config", dir.write("injected.toml", simulator_config("2m", "12m")).string()});
    EXPECT_TRUE(with_anomalies.wait_until_serving("/metrics", 30s)) << with_anomalies.stderr_text();
    scrape_after_trades(with_anomalies, kPastWarmup);
    DaemonProcess without_anomalies(
        {"--config", dir.write("quiet.toml", simulator_config("0s", "2m")).string()});
    Scrapes run = run_until_trades(with_anomalies, kTrades);
    injected_ = new std::vector<Sample>(std::move(run.first));
    settled_ = new std::vector<Sample>(std::move(run.settled));
    quiet_ = new std::vector<Sample>(run_until_trades(without_anomalies, kTrades).settled);
    metrics_text_ = new std::string(with_anomalies.get("/metrics").value_or(""));
  }
  static void TearDownTestSuite() {
    delete injected_;
    delete settled_;
    delete quiet_;
    delete metrics_text_;
  }

  static std::vector<Sample>* injected_;  // run with injected anomalies
  static std::vector<Sample>* settled_;   // the same run a few simulated minutes later
  static std::vector<Sample>* quiet_;     // run without injections
  static std::string* metrics_text_;
};
std::vector<Sample>* EndToEnd::injected_ = nullptr;
std::vector<Sample>* EndToEnd::settled_ = nullptr;
std::vector<Sample>* EndToEnd::quiet_ = nullptr;
std::string* EndToEnd::metrics_text_ = nullptr;

TEST_F(EndToEnd, ExportsEveryContractMetric) {
  std::set<std::string> names;
  for (const auto& s : *injected_) names.insert(s.name);
  for (const char* name :
       {"tickguard_anomaly_score", "tickguard_anomaly_active", "tickguard_anomalies_total", "tickguard_price",
        "tickguard_trades_total", "tickguard_trade_volume_total", "tickguard_feed_up",
        "tickguard_feed_messages_total", "tickguard_feed_last_message_timestamp_seconds",
        "tickguard_simulator_injected_anomalies_total", "tickguard_build_info",
        "tickguard_config_last_reload_successful"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
  EXPECT_EQ(sum_of(*injected_, "tickguard_feed_up"), 2);  // simex and mockex
  EXPECT_EQ(sum_of(*injected_, "tickguard_config_last_reload_successful"), 1);
  EXPECT_GT(sum_of(*injected_, "tickguard_price", {{"exchange", "simex"}, {"symbol", "BTC/USDT"}}), 1000);
  EXPECT_EQ(sum_of(*injected_, "tickguard_pipeline_events_dropped_total"), 0);
  // The simulator quotes BTC with a spread of a few basis points.
  const double spread =
      sum_of(*injected_, "tickguard_spread_ratio", {{"exchange", "simex"}, {"symbol", "BTC/USDT"}});
  EXPECT_GT(spread, 0.00001);
  EXPECT_LT(spread, 0.005);
}

TEST_F(EndToEnd, ScoresAreWithinUnitInterval) {
  std::size_t scores = 0;
  std::set<std::string> detectors;
  for (const auto& s : *injected_) {
    if (s.name != "tickguard_anomaly_score") continue;
    ++scores;
    detectors.insert(s.labels.at("detector"));
    EXPECT_GE(s.value, 0.0);
    EXPECT_LE(s.value, 1.0);
  }
  // The embedded config runs every registered detector (23) on each instrument, cross-venue ones too.
  EXPECT_EQ(detectors.size(), 23u);
  EXPECT_EQ(detectors.count("stale_feed"), 1u);
  EXPECT_EQ(detectors.count("cross_exchange_divergence"), 1u);
  EXPECT_EQ(scores, 6 * detectors.size());
  for (const auto& s : *injected_) {
    if (s.name != "tickguard_ensemble_score") continue;
    EXPECT_GE(s.value, 0.0);
    EXPECT_LE(s.value, 1.0);
  }
}

TEST_F(EndToEnd, DetectsInjectedPriceAnomaliesOnTheirInstruments) {
  const auto injected = instruments_with(*injected_, "tickguard_simulator_injected_anomalies_total",
                                         {"price_spike", "level_shift", "flash_crash"}, "kind");
  const auto detected = instruments_with(*settled_, "tickguard_anomalies_total", {"zscore"}, "detector");
  ASSERT_FALSE(injected.empty());
  for (const auto& instrument : injected) {
    EXPECT_EQ(detected.count(instrument), 1u) << instrument.first << " " << instrument.second;
  }
}

TEST_F(EndToEnd, DetectsInjectedVolumeBurstsOnTheirInstruments) {
  const auto injected =
      instruments_with(*injected_, "tickguard_simulator_injected_anomalies_total", {"volume_burst"}, "kind");
  const auto detected =
      instruments_with(*settled_, "tickguard_anomalies_total", {"volume_spike"}, "detector");
  ASSERT_FALSE(injected.empty());
  for (const auto& instrument : injected) {
    EXPECT_EQ(detected.count(instrument), 1u) << instrument.first << " " << instrument.second;
  }
}

// The limits come from bench/calibration (docs/detectors.md). On the simulator's quiet market each
// detector raises at most 0.15 false episodes per instrument-day, all together 0.54. This run is a cold
// start of 6 instruments for ~85 simulated minutes, which the calibration measured apart (24 runs of
// 90 minutes): 0.46 false episodes per run in all, at most 0.13 per detector, the ensemble beyond 0.5
// 0.13 times per run. The limits leave room for Poisson noise (each is exceeded with probability below
// 1e-3 at those rates) but not for a detector an order of magnitude off its calibration.
TEST_F(EndToEnd, QuietMarketRaisesFarFewerAnomaliesThanInjectedOne) {
  EXPECT_EQ(sum_of(*quiet_, "tickguard_simulator_injected_anomalies_total"), 0);
  const double injected = sum_of(*injected_, "tickguard_simulator_injected_anomalies_total");
  const double detected = sum_of(*settled_, "tickguard_anomalies_total");
  const double false_alarms = sum_of(*quiet_, "tickguard_anomalies_total");
  std::printf("injected %.0f, detected %.0f, false alarms without injections %.0f\n", injected, detected,
              false_alarms);
  // A dropped event is a hole in a price series, which the return detectors rightly flag.
  EXPECT_EQ(sum_of(*quiet_, "tickguard_pipeline_events_dropped_total"), 0);
  std::set<std::string> detectors;
  for (const auto& s : *quiet_) {
    if (s.name == "tickguard_anomaly_score") detectors.insert(s.labels.at("detector"));
  }
  for (const auto& detector : detectors) {
    const double episodes = sum_of(*quiet_, "tickguard_anomalies_total", {{"detector", detector}});
    if (episodes > 0) std::printf("  false alarms of %s: %.0f\n", detector.c_str(), episodes);
    EXPECT_LE(episodes, 2) << detector;
  }
  EXPECT_GE(injected, 20);
  EXPECT_GE(detected, 20);
  EXPECT_LE(false_alarms, 4);
  EXPECT_GE(detected, 5 * false_alarms);
  // No instrument's ensemble is beyond its threshold (0.5) in the quiet market.
  for (const auto& s : *quiet_) {
    if (s.name != "tickguard_ensemble_score") continue;
    EXPECT_LT(s.value, 0.5) << s.labels.at("exchange") << " " << s.labels.at("symbol");
  }
}

TEST_F(EndToEnd, PromtoolFindsNoProblemsInScrape) {
  ASSERT_FALSE(metrics_text_->empty());
  const CommandResult r = run_shell("promtool check metrics", *metrics_text_);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "") << r.out;
}

// The metric names, types and help texts are a public contract: a rename must be deliberate. Run
// with TICKGUARD_UPDATE_GOLDEN=1 to rewrite the golden file after an intended change.
TEST_F(EndToEnd, MetricCatalogueMatchesGoldenFile) {
  std::istringstream in(*metrics_text_);
  std::set<std::string> lines;  // sorted: the serializer's family order is not part of the contract
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP tickguard_", 0) == 0 || line.rfind("# TYPE tickguard_", 0) == 0)
      lines.insert(line);
  }
  for (const auto& sample : parse_metrics(*metrics_text_)) {
    if (sample.name.rfind("tickguard_", 0) != 0) continue;
    std::string label_names;
    for (const auto& [name, value] : sample.labels) label_names += (label_names.empty() ? "" : ",") + name;
    lines.insert("# LABELS " + sample.name + " {" + label_names + "}");
  }
  std::string catalogue;
  for (const auto& line : lines) catalogue += line + "\n";
  const std::string golden_path =
      std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/metric_catalogue.golden";
  if (const char* update = std::getenv("TICKGUARD_UPDATE_GOLDEN");
      update != nullptr && std::string(update) == "1") {
    std::ofstream(golden_path) << catalogue;
  }
  std::ifstream golden(golden_path);
  ASSERT_TRUE(golden) << golden_path << " is missing; run with TICKGUARD_UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << golden.rdbuf();
  EXPECT_EQ(catalogue, expected.str()) << "metric names, types or help changed; if intended, run with "
                                          "TICKGUARD_UPDATE_GOLDEN=1 and document it in README.md";
}

}  // namespace
}  // namespace tickguard::testing
