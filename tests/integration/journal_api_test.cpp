// The anomaly journal and its API through the real daemon: records survive kill -9 and restarts,
// and the HTTP API serves them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <simdjson.h>

#include <set>
#include <thread>

#include "daemon_process.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

// The ids the API lists (newest first), read with the largest page.
std::vector<std::int64_t> journal_ids(const DaemonProcess& daemon) {
  std::vector<std::int64_t> ids;
  const auto body = daemon.get("/api/v1/anomalies?limit=1000");
  if (!body) return ids;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(*body).get(root)) return ids;
  simdjson::dom::array list;
  if (root["data"]["anomalies"].get(list)) return ids;
  for (auto record : list) ids.push_back(record["id"].get_int64().value());
  return ids;
}

// Polls until the journal lists at least `count` records (bounded).
std::vector<std::int64_t> wait_for_records(const DaemonProcess& daemon, std::size_t count,
                                           std::chrono::seconds timeout = 120s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::int64_t> ids;
  while (std::chrono::steady_clock::now() < deadline) {
    ids = journal_ids(daemon);
    if (ids.size() >= count) break;
    std::this_thread::sleep_for(250ms);
  }
  return ids;
}

TEST(JournalApi, RecordsSurviveKillNineAndRestartsAndIdsKeepIncreasing) {
  TempDir dir;
  const auto config = dir.write("tickguard.toml", kBusySimulatorConfig);
  const std::string state = (dir.path() / "state").string();

  std::vector<std::int64_t> before_kill;
  {
    DaemonProcess daemon({"--config", config.string(), "--storage.path", state});
    ASSERT_TRUE(daemon.wait_until_serving("/-/healthy", 30s)) << daemon.stderr_text();
    before_kill = wait_for_records(daemon, 3);
    ASSERT_GE(before_kill.size(), 3u) << daemon.stderr_text();
    daemon.signal(SIGKILL);
    ASSERT_TRUE(daemon.wait_exit(10s).has_value());
  }
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "state" / "journal.db"));

  std::vector<std::int64_t> after_restart;
  {
    DaemonProcess daemon({"--config", config.string(), "--storage.path", state});
    ASSERT_TRUE(daemon.wait_until_serving("/-/healthy", 30s)) << daemon.stderr_text();
    // Everything the API served before the kill is still there.
    const auto restored = journal_ids(daemon);
    const std::set<std::int64_t> restored_set(restored.begin(), restored.end());
    for (const auto id : before_kill) EXPECT_TRUE(restored_set.contains(id)) << "lost record " << id;
    // New records continue the id sequence.
    after_restart = wait_for_records(daemon, restored.size() + 2);
    ASSERT_GE(after_restart.size(), restored.size() + 2) << daemon.stderr_text();
    EXPECT_GT(after_restart.front(), before_kill.front());
    // A clean stop commits what is queued.
    daemon.signal(SIGTERM);
    ASSERT_EQ(daemon.wait_exit(30s), 0);
    EXPECT_FALSE(daemon.stderr_text().find("level=error") != std::string::npos) << daemon.stderr_text();
  }

  DaemonProcess daemon({"--config", config.string(), "--storage.path", state});
  ASSERT_TRUE(daemon.wait_until_serving("/-/healthy", 30s)) << daemon.stderr_text();
  const auto final_ids = journal_ids(daemon);
  const std::set<std::int64_t> final_set(final_ids.begin(), final_ids.end());
  for (const auto id : after_restart) EXPECT_TRUE(final_set.contains(id)) << "lost record " << id;
}

TEST(JournalApi, ServesRecordsStatsSymbolsAndFeedbackWithMetrics) {
  TempDir dir;
  const auto config = dir.write("tickguard.toml", kBusySimulatorConfig);
  DaemonProcess daemon({"--config", config.string()});
  ASSERT_TRUE(daemon.wait_until_serving("/-/healthy", 30s)) << daemon.stderr_text();
  const auto ids = wait_for_records(daemon, 1);
  ASSERT_FALSE(ids.empty()) << daemon.stderr_text();

  // The record names a real instrument and detector, with its market context.
  int status = 0;
  const auto record = daemon.get("/api/v1/anomalies/" + std::to_string(ids.front()), &status);
  ASSERT_TRUE(record);
  EXPECT_EQ(status, 200);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(*record).get(root)) << *record;
  const std::string exchange(root["data"]["exchange"].get_string().value());
  const std::string detector(root["data"]["detector"].get_string().value());
  EXPECT_TRUE(exchange == "simex" || exchange == "mockex") << exchange;
  EXPECT_GT(root["data"]["context"]["price"].get_double().value(), 0);

  // Stats agree with the list.
  const auto stats = daemon.get("/api/v1/anomalies/stats");
  ASSERT_TRUE(stats);
  simdjson::dom::parser stats_parser;
  simdjson::dom::element stats_root;
  ASSERT_FALSE(stats_parser.parse(*stats).get(stats_root));
  EXPECT_GE(stats_root["data"]["total"].get_int64().value(), static_cast<std::int64_t>(ids.size()));

  // Every configured instrument is in /api/v1/symbols with its feed up.
  const auto symbols = daemon.get("/api/v1/symbols");
  ASSERT_TRUE(symbols);
  simdjson::dom::parser symbols_parser;
  simdjson::dom::element symbols_root;
  ASSERT_FALSE(symbols_parser.parse(*symbols).get(symbols_root));
  std::size_t count = 0;
  for (auto symbol : symbols_root["data"]["symbols"].get_array()) {
    ++count;
    EXPECT_TRUE(symbol["feed_up"].get_bool().value());
    EXPECT_EQ(symbol["detectors"].get_array().size(), 23u);
  }
  EXPECT_EQ(count, 6u);

  // Feedback is stored and counted by detector and verdict.
  httplib::Client client("127.0.0.1", daemon.port());
  auto res = client.Post(("/api/v1/anomalies/" + std::to_string(ids.front()) + "/feedback").c_str(),
                         R"({"verdict":"false_positive","comment":"simulated"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  const auto samples = daemon.scrape();
  EXPECT_EQ(
      sum_of(samples, "tickguard_feedback_total", {{"detector", detector}, {"verdict", "false_positive"}}),
      1);
  EXPECT_GE(sum_of(samples, "tickguard_journal_records_written_total"), static_cast<double>(ids.size()));
  EXPECT_EQ(sum_of(samples, "tickguard_journal_records_dropped_total"), 0);
  EXPECT_GT(sum_of(samples, "tickguard_journal_size_bytes"), 0);
}

TEST(JournalApi, UnwritableStateDirectoryIsAClearStartupError) {
  TempDir dir;
  const auto blocker = dir.write("not-a-directory", "x");
  const auto result = run_tickguard(
      {"run", "--web.listen-address", "127.0.0.1:0", "--storage.path", (blocker / "state").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, ::testing::HasSubstr("cannot open the anomaly journal"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("not-a-directory/state/journal.db"));
}

}  // namespace
}  // namespace tickguard::testing
