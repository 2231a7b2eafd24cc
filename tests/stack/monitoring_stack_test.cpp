// The monitoring stack end to end: the real daemon (simulated market with injected anomalies and a
// simulated outage, plus a streaming mock OKX) scraped by a real Prometheus that loads the alerting
// mixin rendered with short durations and alerts a real Alertmanager, which posts to a webhook in
// this test. One stack serves both cases (they run in declaration order): every dashboard query
// returns data, and anomaly and feed alerts arrive firing, then resolved.
#include "monitoring_stack.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <iostream>
#include <memory>
#include <regex>
#include <set>

#include "dashboard_model.h"
#include "streaming_okx.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::filesystem::path kSource(TICKGUARD_SOURCE_DIR);

// The simulated venues and when their outage starts and ends, in wall time after the daemon starts.
const std::set<std::string> kSimulatedVenues{"simex", "mockex"};
constexpr auto kOutageAfter = 30s;
constexpr auto kOutageDuration = 20s;

// Speed 20 with an anomaly every 20 simulated seconds per symbol: injections (each ~70 simulated
// seconds long, one at a time per symbol) follow each other every few wall seconds. Five minutes of
// clean warm-up history let the detectors score from the start.
std::string daemon_config(const StreamingOkx& okx, const std::filesystem::path& state) {
  return "[storage]\npath = \"" + state.string() + R"("

[[feed]]
exchange = "simulator"
symbols = ["ETH/USDT", "SOL/USDT"]
venues = ["simex", "mockex"]
seed = 11
speed = 20.0
warmup = "5m"
anomaly_interval = "20s"
outage_after = ")" +
         std::to_string(kOutageAfter.count()) + R"(s"
outage_duration = ")" +
         std::to_string(kOutageDuration.count()) + "s\"\n\n" + okx.feed_config();
}

// The mixin's _config fields shortened so that alerts fire and resolve within seconds.
constexpr const char* kShortDurations = R"({
  ensembleWindow: '10s', ensembleAnomalyFor: '2s', anomalyPeakScoreWindow: '10s',
  pumpDumpFor: '2s', washTradingFor: '2s', whaleTradeFor: '2s', flashCrashFor: '2s',
  crossExchangeDivergenceFor: '2s',
  feedDownFor: '2s', feedStaleSeconds: 10, feedStaleFor: '2s',
})";

// The alerting mixin rendered to rule files, and its alerts sorted by what they watch.
struct RenderedMixin {
  std::filesystem::path alerts_file;
  std::filesystem::path rules_file;
  std::set<std::string> anomaly_alerts;    // over the ensemble score or a detector's episode
  std::set<std::string> feed_down_alerts;  // tickguard_feed_up == 0
  std::set<std::string> stale_alerts;      // age of the last message
  std::map<std::string, std::string> for_durations;
};

// Renders mixin.FIELD with the short durations into `file` (JSON is YAML); "" or an error.
std::string render(const TempDir& dir, const std::string& field, const std::string& file) {
  const std::string code =
      "((import 'mixin.libsonnet') + { _config+:: " + std::string(kShortDurations) + " })." + field;
  const auto result = run_command({TICKGUARD_JSONNET, "-J", (kSource / "alerting").string(), "-e", code},
                                  std::chrono::seconds(30));
  if (result.exit_code != 0) return "jsonnet " + field + ": " + result.err;
  dir.write(file, result.out);
  return "";
}

std::string render_mixin(const TempDir& dir, RenderedMixin& out) {
  if (auto error = render(dir, "prometheusAlerts", "alerts.yml"); !error.empty()) return error;
  if (auto error = render(dir, "prometheusRules", "rules.yml"); !error.empty()) return error;
  out.alerts_file = dir.path() / "alerts.yml";
  out.rules_file = dir.path() / "rules.yml";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.load(out.alerts_file.string()).get(doc) != simdjson::SUCCESS) return "rendered alerts: not JSON";
  for (const auto group : doc["groups"].get_array()) {
    for (const auto rule : group["rules"].get_array()) {
      std::string_view name;
      std::string_view expr;
      if (rule["alert"].get(name) != simdjson::SUCCESS || rule["expr"].get(expr) != simdjson::SUCCESS)
        continue;
      std::string_view duration;
      if (rule["for"].get(duration) != simdjson::SUCCESS) duration = "0s";
      out.for_durations[std::string(name)] = std::string(duration);
      const auto uses = [expr](std::string_view metric) {
        return expr.find(metric) != std::string_view::npos;
      };
      if (uses("tickguard_ensemble_score") || uses("tickguard_anomaly_active")) {
        out.anomaly_alerts.emplace(name);
      } else if (uses("tickguard_feed_up")) {
        out.feed_down_alerts.emplace(name);
      } else if (uses("tickguard_feed_last_message_timestamp_seconds")) {
        out.stale_alerts.emplace(name);
      }
    }
  }
  return "";
}

// Everything the cases share, torn down in reverse order of construction.
struct Stack {
  TempDir dir;
  RenderedMixin mixin;
  std::unique_ptr<WebhookReceiver> webhook;
  std::unique_ptr<Alertmanager> alertmanager;
  std::unique_ptr<StreamingOkx> okx;
  std::unique_ptr<DaemonProcess> daemon;
  Clock::time_point daemon_started;
  std::unique_ptr<Prometheus> prometheus;
  double prometheus_started = 0;  // Unix seconds
};

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Starts the stack; returns an error message, or "" once every part answers.
std::string start(Stack& s) {
  if (auto error = render_mixin(s.dir, s.mixin); !error.empty()) return error;
  if (s.mixin.anomaly_alerts.empty() || s.mixin.feed_down_alerts.empty()) {
    return "the mixin has no anomaly or no feed-down alert";
  }
  for (const auto& name : s.mixin.feed_down_alerts) {
    if (s.mixin.for_durations[name] != "2s") return name + ": the feedDownFor override did not apply";
  }
  s.webhook = std::make_unique<WebhookReceiver>();
  s.alertmanager = std::make_unique<Alertmanager>(s.webhook->url());
  s.okx = std::make_unique<StreamingOkx>();
  const auto state = s.dir.path() / "state";  // the anomaly journal
  std::filesystem::create_directories(state);
  s.daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{
      "--config", s.dir.write("tickguard.toml", daemon_config(*s.okx, state)).string()});
  s.daemon_started = Clock::now();
  s.prometheus = std::make_unique<Prometheus>(
      Prometheus::Options{.job = "tickguard",
                          .target_port = s.daemon->port(),
                          .rule_files = {s.mixin.alerts_file, s.mixin.rules_file},
                          .alertmanager_port = s.alertmanager->port()});
  if (!s.daemon->wait_until_serving("/metrics", 30s)) {
    return "the daemon does not serve: " + s.daemon->stderr_text();
  }
  if (!s.alertmanager->wait_ready(30s)) return "Alertmanager is not ready: " + s.alertmanager->log();
  if (!s.prometheus->wait_ready(30s)) return "Prometheus is not ready: " + s.prometheus->log();
  s.prometheus_started = unix_now();
  if (!s.prometheus->wait_for_series(R"(up{job="tickguard"} == 1)", 15s)) {
    return "Prometheus does not scrape the daemon: " + s.prometheus->log();
  }
  return "";
}

class MonitoringStack : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack;
    error_ = new std::string;
    try {
      *error_ = start(*stack_);
    } catch (const std::exception& e) {
      *error_ = std::string("starting the stack threw: ") + e.what();
    }
  }
  static void TearDownTestSuite() {
    delete stack_;  // kills Prometheus, the daemon, Alertmanager
    delete error_;
    stack_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(error_->empty()) << *error_; }

  static Stack* stack_;
  static std::string* error_;
};
Stack* MonitoringStack::stack_ = nullptr;
std::string* MonitoringStack::error_ = nullptr;

// Grafana's All value of a multi-value variable: a regex alternation of every value.
std::string all_of(const std::vector<std::string>& values) {
  std::string out = "(";
  for (const auto& v : values) out += (out.size() > 1 ? "|" : "") + v;
  return out + ")";
}

// An instrument of the simulator with an anomaly raised since Prometheus started, and one of its
// detectors that raised it: what the symbol dashboard is looked at for.
std::map<std::string, std::string> instrument_with_anomaly(const Prometheus& prometheus,
                                                           long window_seconds) {
  const auto result = prometheus.query(
      "max by (exchange, symbol, detector) (changes(tickguard_anomalies_total{exchange=~\"simex|mockex\"}[" +
      std::to_string(window_seconds) + "s])) > 0");
  if (!result.ok || result.series.empty()) return {};
  return result.series.front();
}

// An operator's verdict on an anomaly the journal recorded, so that the verdict panel has a series.
std::string give_feedback(const DaemonProcess& daemon) {
  static const std::regex first_id(R"re("id"\s*:\s*(\d+))re");
  std::smatch match;
  std::string list;
  const auto deadline = Clock::now() + 20s;  // the journal commits in batches
  while (!std::regex_search(list, match, first_id)) {
    if (Clock::now() > deadline) return "no anomaly in GET /api/v1/anomalies: " + list;
    std::this_thread::sleep_for(250ms);
    list = daemon.get("/api/v1/anomalies?limit=1").value_or("");
  }
  httplib::Client client("127.0.0.1", daemon.port());
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  const auto res = client.Post(("/api/v1/anomalies/" + match[1].str() + "/feedback").c_str(),
                               R"({"verdict":"false_positive","comment":"stack test"})", "application/json");
  if (!res || res->status != 200) {
    return "POST feedback: " + (res ? std::to_string(res->status) + " " + res->body : "no answer");
  }
  return "";
}

TEST_F(MonitoringStack, EveryDashboardQueryReturnsData) {
  const auto& prometheus = *stack_->prometheus;
  // Wait for what the panels show: an anomaly raised while scraped, an operator's verdict, OKX's REST
  // requests, error and checksum failure, and enough scrapes for rates.
  const auto wait_for = [&prometheus](const std::string& promql) {
    EXPECT_TRUE(prometheus.wait_for_series(promql, 60s)) << "never true: " << promql;
  };
  wait_for(R"(changes(tickguard_anomalies_total{exchange=~"simex|mockex"}[5m]) > 0)");
  const auto feedback_error = give_feedback(*stack_->daemon);
  EXPECT_TRUE(feedback_error.empty()) << feedback_error;
  wait_for(R"(tickguard_feedback_total{verdict="false_positive"})");
  wait_for(R"(tickguard_feed_checksum_failures_total{exchange="okx"} > 0)");
  wait_for(R"(tickguard_feed_errors_total{exchange="okx"})");
  wait_for(R"(tickguard_rest_requests_total{exchange="okx"})");
  wait_for(R"(count_over_time(up{job="tickguard"}[1m]) >= 15)");
  const double end = unix_now();
  const long window = static_cast<long>(end - stack_->prometheus_started) + 2;
  const auto chosen = instrument_with_anomaly(prometheus, window);
  ASSERT_FALSE(chosen.empty()) << "no simulated instrument raised an anomaly";
  std::cout << "instrument: " << chosen.at("exchange") << " " << chosen.at("symbol") << " (raised by "
            << chosen.at("detector") << ")\n";

  std::string error;
  int queries = 0;
  for (const char* file : {"tickguard-overview.json", "tickguard-symbol.json", "tickguard-internals.json"}) {
    const auto dashboard = load_dashboard(kSource / "dashboards" / file, error);
    ASSERT_TRUE(dashboard) << error;
    std::cout << "== " << file << "\n";
    // Variables first, in order, each query seeing the values chosen before it.
    std::map<std::string, std::string> values{{"__rate_interval", "10s"},
                                              {"__range", std::to_string(window) + "s"}};
    for (const auto& variable : dashboard->variables) {
      if (variable.type != "query") continue;
      const auto label_values = parse_label_values(variable.query);
      ASSERT_TRUE(label_values) << variable.query;
      const auto found =
          prometheus.label_values(label_values->label, substitute_variables(label_values->selector, values));
      ++queries;
      std::cout << "  variable $" << variable.name << ": " << variable.query << " -> " << found.size()
                << " values\n";
      EXPECT_FALSE(found.empty()) << file << " variable " << variable.name << ": " << variable.query;
      if (found.empty()) continue;
      const auto preferred = chosen.find(variable.name);
      if (variable.include_all) {
        values[variable.name] = all_of(found);
      } else if (preferred != chosen.end()) {
        EXPECT_NE(std::find(found.begin(), found.end(), preferred->second), found.end())
            << "$" << variable.name << " does not offer " << preferred->second;
        values[variable.name] = preferred->second;
      } else {
        values[variable.name] = found.front();
      }
    }
    for (const auto& query : dashboard->queries) {
      const std::string interval = query.interval.empty() ? "1s" : query.interval;
      ASSERT_TRUE(interval.ends_with('s') && !interval.ends_with("ms"))
          << query.where << ": step " << interval;
      values["__interval"] = interval;
      const std::string expr = substitute_variables(query.expr, values);
      const auto result = query.instant
                              ? prometheus.query(expr)
                              : prometheus.query_range(expr, stack_->prometheus_started, end,
                                                       std::stod(interval.substr(0, interval.size() - 1)));
      ++queries;
      std::cout << "  " << query.where << (query.instant ? " [instant] " : " [range] ") << expr << " -> "
                << result.series.size() << " series\n";
      EXPECT_TRUE(result.ok) << file << " " << query.where << ": " << expr << ": " << result.error;
      EXPECT_FALSE(result.series.empty()) << file << " " << query.where << " returns nothing: " << expr;
    }
  }
  std::cout << queries << " queries\n";
}

bool has_label(const ReceivedAlert& alert, const std::string& name, const std::set<std::string>& values) {
  const auto it = alert.labels.find(name);
  return it != alert.labels.end() && values.count(it->second) > 0;
}

std::string describe(const std::vector<ReceivedAlert>& alerts) {
  std::map<std::string, int> counts;
  for (const auto& a : alerts) {
    std::string key = a.status + " " + (a.labels.count("alertname") ? a.labels.at("alertname") : "?");
    for (const char* label : {"exchange", "symbol", "severity"}) {
      if (a.labels.count(label)) key += " " + std::string(label) + "=" + a.labels.at(label);
    }
    ++counts[key];
  }
  std::string out;
  for (const auto& [key, count] : counts) out += "  " + key + " x" + std::to_string(count) + "\n";
  return out;
}

// Prometheus's side of the story, for failure messages: its pending and firing alerts.
std::string describe(const std::vector<std::pair<Labels, std::string>>& alerts) {
  std::string out = "Prometheus alerts now:\n";
  for (const auto& [labels, state] : alerts) {
    out += "  " + state;
    for (const auto& [name, value] : labels) out += " " + name + "=" + value;
    out += "\n";
  }
  return out;
}

TEST_F(MonitoringStack, AnomalyAndFeedAlertsReachTheWebhookThenResolve) {
  const auto& mixin = stack_->mixin;
  const auto& webhook = *stack_->webhook;
  const auto& prometheus = *stack_->prometheus;
  const auto outage_end = stack_->daemon_started + kOutageAfter + kOutageDuration;

  // An injected anomaly: a firing anomaly alert naming a (exchange, symbol) the daemon exports.
  const auto anomaly = webhook.wait_for(
      [&](const ReceivedAlert& a) {
        return a.status == "firing" && has_label(a, "alertname", mixin.anomaly_alerts) &&
               has_label(a, "exchange", kSimulatedVenues);
      },
      std::chrono::duration_cast<std::chrono::milliseconds>(stack_->daemon_started + kOutageAfter + 10s -
                                                            Clock::now()));
  ASSERT_TRUE(anomaly) << "no anomaly alert; received:\n"
                       << describe(webhook.alerts()) << describe(prometheus.alerts());
  for (const char* label : {"alertname", "exchange", "symbol", "severity"}) {
    EXPECT_FALSE(anomaly->labels.count(label) == 0 || anomaly->labels.at(label).empty()) << label;
  }
  const std::string exported = "tickguard_price{exchange=\"" + anomaly->labels.at("exchange") +
                               "\",symbol=\"" + anomaly->labels.at("symbol") + "\"}";
  EXPECT_FALSE(prometheus.query(exported).series.empty())
      << "the alert names no exported series: " << exported;
  std::cout << "anomaly alert: " << anomaly->labels.at("alertname") << " " << anomaly->labels.at("exchange")
            << " " << anomaly->labels.at("symbol") << " severity=" << anomaly->labels.at("severity") << "\n";

  // The simulated outage: feed-down alerts for both simulated venues, and none for OKX.
  for (const auto& venue : kSimulatedVenues) {
    const auto down = webhook.wait_for(
        [&](const ReceivedAlert& a) {
          return a.status == "firing" && has_label(a, "alertname", mixin.feed_down_alerts) &&
                 has_label(a, "exchange", {venue});
        },
        std::chrono::duration_cast<std::chrono::milliseconds>(outage_end + 5s - Clock::now()));
    EXPECT_TRUE(down) << "no feed-down alert for " << venue << "; received:\n"
                      << describe(webhook.alerts()) << describe(prometheus.alerts());
  }
  // And stale symbols while it lasts (10 s without a message).
  if (!mixin.stale_alerts.empty()) {
    const auto stale = webhook.wait_for(
        [&](const ReceivedAlert& a) {
          return a.status == "firing" && has_label(a, "alertname", mixin.stale_alerts) &&
                 has_label(a, "exchange", kSimulatedVenues);
        },
        std::chrono::duration_cast<std::chrono::milliseconds>(outage_end + 5s - Clock::now()));
    EXPECT_TRUE(stale) << "no stale-feed alert; received:\n" << describe(webhook.alerts());
  }

  // Both resolve: the feeds once the outage is over, the anomaly alert at the latest when the outage
  // suppresses the anomaly alerts of its venue.
  for (const auto& venue : kSimulatedVenues) {
    const auto resolved = webhook.wait_for(
        [&](const ReceivedAlert& a) {
          return a.status == "resolved" && has_label(a, "alertname", mixin.feed_down_alerts) &&
                 has_label(a, "exchange", {venue});
        },
        std::chrono::duration_cast<std::chrono::milliseconds>(outage_end + 20s - Clock::now()));
    EXPECT_TRUE(resolved) << "the feed-down alert of " << venue << " never resolved; received:\n"
                          << describe(webhook.alerts());
  }
  const auto anomaly_resolved = webhook.wait_for(
      [&](const ReceivedAlert& a) { return a.status == "resolved" && a.fingerprint == anomaly->fingerprint; },
      std::chrono::duration_cast<std::chrono::milliseconds>(outage_end + 20s - Clock::now()));
  EXPECT_TRUE(anomaly_resolved) << "the anomaly alert never resolved; received:\n"
                                << describe(webhook.alerts());

  for (const auto& a : webhook.alerts()) {
    EXPECT_FALSE(has_label(a, "alertname", mixin.feed_down_alerts) && has_label(a, "exchange", {"okx"}))
        << "the OKX feed never went down";
  }
  std::cout << webhook.notifications() << " notifications:\n" << describe(webhook.alerts());
}

}  // namespace
}  // namespace tickguard::testing
