// The command-line contract and the daemon's lifecycle (signals, reload), on the real binary.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon_process.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

const char* kSmallConfig = R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
venues = ["simex"]
speed = 50.0
warmup = "5m"
)";

TEST(Cli, CheckConfigOnValidFilePrintsOk) {
  TempDir dir;
  const CommandResult r = run_tickguard({"check-config", dir.write("ok.toml", kSmallConfig).string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "OK\n");
}

TEST(Cli, CheckConfigOnBrokenFileExitsTwoNamingFileLineColumnAndKey) {
  TempDir dir;
  const auto file = dir.write("bad.toml", R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
speed = "fast"

[detectors.zscore]
windw = 10
)");
  const CommandResult r = run_tickguard({"check-config", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(file.string() + ":4:9: feed[0].speed:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(file.string() + ":7:1: detectors.zscore.windw: unknown key"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("OK"), std::string::npos);
}

TEST(Cli, CheckConfigOnTomlSyntaxErrorExitsTwo) {
  TempDir dir;
  const auto file = dir.write("syntax.toml", "[[feed]\nexchange = \"simulator\"\n");
  const CommandResult r = run_tickguard({"check-config", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(file.string() + ":1:"), std::string::npos) << r.err;
}

TEST(Cli, CheckConfigOnMissingFileExitsTwo) {
  const CommandResult r = run_tickguard({"check-config", "/nonexistent/tickguard.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/tickguard.toml"), std::string::npos) << r.err;
}

TEST(Cli, RunWithInvalidConfigExitsTwoBeforeServing) {
  TempDir dir;
  const auto file = dir.write("bad.toml",
                              "[server]\nlisten_address = \"nowhere\"\n[[feed]]\nexchange = "
                              "\"simulator\"\nsymbols = [\"BTC/USDT\"]\n");
  const CommandResult r = run_tickguard({"run", "--config", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":2:18: server.listen_address:"), std::string::npos) << r.err;
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_tickguard({"run", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(run_tickguard({"--log.level", "verbose"}).exit_code, 2);
  EXPECT_EQ(run_tickguard({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_tickguard({"run", "--web.listen-address", "not-an-address"}).exit_code, 2);
  EXPECT_EQ(run_tickguard({"check-config"}).exit_code, 2);
}

TEST(Cli, ReplayScoresACsvWithEveryRegisteredDetector) {
  TempDir dir;
  std::string csv = "timestamp,price,volume\n";
  for (int i = 0; i < 50; ++i)
    csv += std::to_string(1700000000 + i) + "," + std::to_string(100 + i % 3) + ",1\n";
  const auto input = dir.write("in.csv", csv);
  const auto output = dir.path() / "out.csv";
  const auto report = dir.path() / "report.html";
  const CommandResult r = run_tickguard(
      {"replay", "--input", input.string(), "--output", output.string(), "--report", report.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream html(report);
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("50 rows from"), std::string::npos);
  EXPECT_NE(r.err.find("replayed 50 rows"), std::string::npos) << r.err;
  std::ifstream in(output);
  std::string header;
  std::getline(in, header);
  // Every enabled detector of the embedded config, in registry order.
  EXPECT_EQ(header.rfind("timestamp,score,score_zscore,score_volume_spike,", 0), 0U) << header;
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    ++rows;
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), std::count(header.begin(), header.end(), ','))
        << line;
  }
  EXPECT_EQ(rows, 50);
}

TEST(Cli, ReplayRejectsBadInputWithFileLineAndExitCode2) {
  TempDir dir;
  const auto input = dir.write("bad.csv", "timestamp,price\n1,10\n2,ten\n");
  const CommandResult r =
      run_tickguard({"replay", "--input", input.string(), "--output", (dir.path() / "o.csv").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.csv:3: non-numeric price \"ten\""), std::string::npos) << r.err;
  EXPECT_EQ(run_tickguard({"replay"}).exit_code, 2) << "--input and --output are required";
  EXPECT_EQ(run_tickguard({"replay", "--input", "/nonexistent.csv", "--output", "/tmp/x.csv"}).exit_code, 2);
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Cli, SimulateRecordsEventsThatReplayWithTheirLabels) {
  TempDir dir;
  const auto config = dir.write("sim.toml", R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", "ETH/USDT"]
venues = ["simex"]
anomaly_interval = "1m"
)");
  const auto recorded = dir.path() / "rec.jsonl";
  const CommandResult sim = run_tickguard(
      {"simulate", "--config", config.string(), "--duration", "5m", "--output", recorded.string()});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  // "simulated 5m: N events, I anomalies injected, L events labelled"
  std::size_t events = 0, injected = 0, labelled = 0;
  ASSERT_EQ(
      std::sscanf(sim.err.c_str(), "simulated 5m: %zu events, %zu anomalies injected, %zu events labelled",
                  &events, &injected, &labelled),
      3)
      << sim.err;
  EXPECT_EQ(read_lines(recorded).size(), events);
  EXPECT_GT(labelled, 0U);

  const auto output = dir.path() / "scores.csv";
  const auto report = dir.path() / "report.html";
  const CommandResult r = run_tickguard({"replay", "--input", recorded.string(), "--output", output.string(),
                                         "--config", config.string(), "--report", report.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("replayed " + std::to_string(events) + " rows"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(2 instruments; "), std::string::npos) << r.err;
  const auto rows = read_lines(output);
  ASSERT_EQ(rows.size(), events + 1);
  EXPECT_EQ(rows[0].rfind("timestamp,exchange,symbol,score,score_", 0), 0U) << rows[0];
  EXPECT_EQ(rows[0].substr(rows[0].size() - 6), ",label");
  std::size_t labelled_rows = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].back() != ',') ++labelled_rows;
  }
  EXPECT_EQ(labelled_rows, labelled);
  std::ifstream html(report);
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<h2>simex ETH/USDT</h2>"), std::string::npos);
}

TEST(Cli, ReplaysRecordedVenueMessages) {
  TempDir dir;
  const auto output = dir.path() / "out.csv";
  const CommandResult r =
      run_tickguard({"replay", "--input",
                     std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/bybit/v5_ws_spot_replay.jsonl",
                     "--input-format", "bybit", "--output", output.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("replayed 180 rows, "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(2 instruments; 58 trades, 0 tickers, 122 books; 33 lines skipped)"),
            std::string::npos)
      << r.err;
  const auto rows = read_lines(output);
  ASSERT_EQ(rows.size(), 181U);
  EXPECT_EQ(rows[1].rfind("2021-04-17T16:43:04.983Z,bybit,XTZ/USDT,", 0), 0U) << rows[1];
}

TEST(Cli, ReplayOfEventsOrVenueMessagesRejectsBadInputWithFileLineAndExitCode2) {
  TempDir dir;
  const auto out = (dir.path() / "o.csv").string();
  const auto events =
      dir.write("bad.jsonl",
                "{\"type\":\"trade\",\"exchange\":\"x\",\"symbol\":\"A/B\",\"time\":1,\"price\":2}\n"
                "{\"type\":\"trade\",\"exchange\":\"x\",\"symbol\":\"A/B\",\"time\":2}\n");
  CommandResult r = run_tickguard({"replay", "--input", events.string(), "--output", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.jsonl:2: missing \"price\""), std::string::npos) << r.err;

  const auto venue =
      dir.write("okx.jsonl", "{\"event\":\"subscribe\",\"arg\":{\"channel\":\"trades\"}}\n{\"arg\":\n");
  r = run_tickguard({"replay", "--input", venue.string(), "--input-format", "okx", "--output", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("okx.jsonl:2: malformed message: "), std::string::npos) << r.err;

  r = run_tickguard({"replay", "--input", venue.string(), "--input-format", "bitstamp", "--output", out});
  EXPECT_EQ(r.exit_code, 2) << "unknown format";
  const auto text = dir.write("data.txt", "timestamp,price\n1,2\n");
  r = run_tickguard({"replay", "--input", text.string(), "--output", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("give --input-format"), std::string::npos) << r.err;
  r = run_tickguard({"replay", "--input", text.string(), "--input-format", "csv", "--output", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  EXPECT_EQ(run_tickguard({"simulate", "--duration", "soon", "--output", out}).exit_code, 2);
  EXPECT_EQ(run_tickguard({"simulate", "--duration", "1m"}).exit_code, 2) << "--output is required";
}

TEST(Cli, VersionPrintsVersion) {
  const CommandResult r = run_tickguard({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("tickguard 0.", 0), 0u) << r.out;
  EXPECT_EQ(run_tickguard({"--version"}).exit_code, 0);
}

TEST(Cli, HelpListsSubcommandsAndExitsZero) {
  const CommandResult r = run_tickguard({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"run", "check-config", "replay", "simulate", "version"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  }
  const CommandResult run_help = run_tickguard({"run", "--help"});
  EXPECT_NE(run_help.out.find("--web.listen-address"), std::string::npos) << run_help.out;
}

TEST(Daemon, ServesLandingHealthAndReadiness) {
  TempDir dir;
  DaemonProcess daemon({"--config", dir.write("c.toml", kSmallConfig).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/-/ready", 30s)) << daemon.stderr_text();
  int status = 0;
  const auto landing = daemon.get("/", &status);
  ASSERT_TRUE(landing);
  EXPECT_EQ(status, 200);
  EXPECT_NE(landing->find("href=\"/metrics\""), std::string::npos);
  ASSERT_TRUE(daemon.get("/-/healthy", &status));
  EXPECT_EQ(status, 200);
}

TEST(Daemon, SigtermStopsGracefullyWithExitZero) {
  TempDir dir;
  DaemonProcess daemon({"--config", dir.write("c.toml", kSmallConfig).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
  EXPECT_TRUE(daemon.wait_for_log("msg=stopped")) << daemon.stderr_text();
}

TEST(Daemon, SighupWithBadConfigKeepsRunningOldConfigAndReportsFailure) {
  TempDir dir;
  const auto file = dir.write("c.toml", kSmallConfig);
  DaemonProcess daemon({"--config", file.string()});
  ASSERT_TRUE(daemon.wait_until_serving("/-/ready", 30s)) << daemon.stderr_text();
  dir.write("c.toml", "[[feed]]\nexchange = \"simulator\"\nsymbols = [\"btc-usdt\"]\n");
  daemon.signal(SIGHUP);
  std::vector<Sample> samples;
  for (int i = 0; i < 200; ++i) {
    samples = daemon.scrape();
    if (sum_of(samples, "tickguard_config_last_reload_successful") == 0) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(sum_of(samples, "tickguard_config_last_reload_successful"), 0);
  const double trades_before = sum_of(samples, "tickguard_trades_total", {{"symbol", "BTC/USDT"}});
  std::this_thread::sleep_for(500ms);
  EXPECT_GT(sum_of(daemon.scrape(), "tickguard_trades_total", {{"symbol", "BTC/USDT"}}), trades_before)
      << "the old configuration must keep running";
  EXPECT_TRUE(daemon.wait_for_log("invalid configuration, keeping the running one"));
}

TEST(Daemon, SighupWithGoodConfigAppliesItAndKeepsCounters) {
  TempDir dir;
  const auto file = dir.write("c.toml", kSmallConfig);
  DaemonProcess daemon({"--config", file.string()});
  ASSERT_TRUE(daemon.wait_until_serving("/-/ready", 30s)) << daemon.stderr_text();
  const double trades_before = sum_of(daemon.scrape(), "tickguard_trades_total", {{"symbol", "BTC/USDT"}});
  ASSERT_GT(trades_before, 0);
  std::string next = kSmallConfig;
  next.replace(next.find("[\"BTC/USDT\"]"), 12, "[\"BTC/USDT\", \"ETH/USDT\"]");
  dir.write("c.toml", next);
  daemon.signal(SIGHUP);
  std::vector<Sample> samples;
  for (int i = 0; i < 200; ++i) {
    samples = daemon.scrape();
    if (sum_of(samples, "tickguard_trades_total", {{"symbol", "ETH/USDT"}}) > 0) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GT(sum_of(samples, "tickguard_trades_total", {{"symbol", "ETH/USDT"}}), 0) << daemon.stderr_text();
  EXPECT_GE(sum_of(samples, "tickguard_trades_total", {{"symbol", "BTC/USDT"}}), trades_before)
      << "counters of instruments kept across a reload must not reset";
  EXPECT_EQ(sum_of(samples, "tickguard_config_last_reload_successful"), 1);
}

TEST(Daemon, JsonLogFormatWritesOneJsonObjectPerLine) {
  TempDir dir;
  DaemonProcess daemon({"--config", dir.write("c.toml", kSmallConfig).string(), "--log.format", "json"});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s));
  daemon.signal(SIGINT);
  ASSERT_EQ(daemon.wait_exit(20s), 0);
  const std::string logs = daemon.stderr_text();
  ASSERT_FALSE(logs.empty());
  std::size_t start = 0;
  while (start < logs.size()) {
    const std::size_t end = logs.find('\n', start);
    const std::string line = logs.substr(start, end - start);
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
    EXPECT_NE(line.find("\"msg\":"), std::string::npos) << line;
    start = end + 1;
  }
}

TEST(Daemon, BusyPortFailsWithExitOneAndAClearError) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  const CommandResult r = run_tickguard({"run", "--web.listen-address", address});
  close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen on " + address), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tickguard::testing
