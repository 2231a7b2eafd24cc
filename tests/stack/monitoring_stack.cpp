#include "monitoring_stack.h"

#include <fcntl.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

// fork + exec rather than posix_spawn: the child asks for SIGKILL when this process dies, so a
// crashed test run leaves no Prometheus behind. Only async-signal-safe calls between fork and exec.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out,
            const std::filesystem::path& err) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed: " + argv.at(0));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int in_fd = open("/dev/null", O_RDONLY);
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0) _exit(127);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0 || std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
}

Labels labels_of(simdjson::dom::object object) {
  Labels labels;
  for (const auto field : object) {
    std::string_view value;
    if (field.value.get_string().get(value) == simdjson::SUCCESS) {
      labels.emplace(std::string(field.key), std::string(value));
    }
  }
  return labels;
}

// The series of a /api/v1/query or /api/v1/query_range answer.
QueryResult parse_query_answer(const std::optional<std::string>& body, int status) {
  QueryResult result;
  if (!body) {
    result.error = "Prometheus did not answer";
    return result;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(*body).get(doc) != simdjson::SUCCESS) {
    result.error = "HTTP " + std::to_string(status) + ", not JSON: " + body->substr(0, 200);
    return result;
  }
  std::string_view answer_status;
  if (doc["status"].get(answer_status) != simdjson::SUCCESS || answer_status != "success") {
    std::string_view error;
    if (doc["error"].get(error) != simdjson::SUCCESS) error = "no error text";
    result.error = std::string(error);
    return result;
  }
  simdjson::dom::array series;
  if (doc["data"]["result"].get(series) != simdjson::SUCCESS) {  // scalar or string results
    result.ok = true;
    result.series.push_back({});
    return result;
  }
  for (const auto entry : series) {
    simdjson::dom::object metric;
    result.series.push_back(entry["metric"].get(metric) == simdjson::SUCCESS ? labels_of(metric) : Labels{});
  }
  result.ok = true;
  return result;
}

std::string now_text() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration<double>(now).count());
}

std::string seconds_text(double seconds) {
  std::ostringstream out;
  out.precision(15);
  out << seconds;
  return out.str();
}

std::vector<std::string> alertmanager_argv(const TempDir& dir, int port, const std::string& webhook_url) {
  // group_by '...': every alert is a group of its own, so each one's firing and resolved
  // notifications arrive on their own schedule.
  const auto config = dir.write("alertmanager.yml", R"(route:
  receiver: test-webhook
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: test-webhook
    webhook_configs:
      - url: ")" + webhook_url + R"("
        send_resolved: true
)");
  std::filesystem::create_directories(dir.path() / "data");
  return {TICKGUARD_ALERTMANAGER,
          "--config.file=" + config.string(),
          "--storage.path=" + (dir.path() / "data").string(),
          "--web.listen-address=127.0.0.1:" + std::to_string(port),
          "--cluster.listen-address=",
          "--log.level=warn"};
}

std::vector<std::string> prometheus_argv(const TempDir& dir, int port, const Prometheus::Options& options) {
  std::string config = R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: )" + options.job +
                       R"(
    static_configs:
      - targets: ['127.0.0.1:)" +
                       std::to_string(options.target_port) + "']\n";
  if (!options.rule_files.empty()) {
    config += "rule_files:\n";
    for (const auto& file : options.rule_files) config += "  - '" + file.string() + "'\n";
  }
  if (options.alertmanager_port != 0) {
    config += "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:" +
              std::to_string(options.alertmanager_port) + "']\n";
  }
  const auto file = dir.write("prometheus.yml", config);
  std::filesystem::create_directories(dir.path() / "data");
  return {TICKGUARD_PROMETHEUS,
          "--config.file=" + file.string(),
          "--storage.tsdb.path=" + (dir.path() / "data").string(),
          "--web.listen-address=127.0.0.1:" + std::to_string(port),
          "--rules.alert.resend-delay=1s",
          "--log.level=warn"};
}

}  // namespace

StackProcess::StackProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_dir,
                           const std::string& name)
    : out_(log_dir / (name + ".out")), err_(log_dir / (name + ".err")), pid_(spawn(argv, out_, err_)) {}

StackProcess::~StackProcess() {
  if (!exit_code_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::optional<int> StackProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (!exit_code_) exit_code_ = wait_for(pid_, timeout);
  return exit_code_;
}

std::string StackProcess::stdout_text() const { return read_file(out_); }
std::string StackProcess::stderr_text() const { return read_file(err_); }

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  TempDir dir;
  CommandResult result;
  {
    StackProcess process(argv, dir.path(), "command");
    result.exit_code = process.wait_exit(timeout).value_or(-1);
    result.out = process.stdout_text();
    result.err = process.stderr_text();
  }
  return result;
}

std::optional<std::string> http_request(int port, const std::string& path, const httplib::Params& form,
                                        int* status) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  auto res = form.empty() ? client.Get(path.c_str()) : client.Post(path.c_str(), form);
  if (!res) return std::nullopt;
  if (status != nullptr) *status = res->status;
  return res->body;
}

bool wait_until_ok(int port, const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (http_request(port, path, {}, &status) && status == 200) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

WebhookReceiver::WebhookReceiver() {
  server_.Post("/alerts", [this](const httplib::Request& req, httplib::Response& res) {
    record(req.body);
    res.set_content("ok", "text/plain");
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("webhook receiver: no port");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!server_.is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
}

WebhookReceiver::~WebhookReceiver() {
  server_.stop();
  thread_.join();
}

void WebhookReceiver::record(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array alerts;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS || doc["alerts"].get(alerts) != simdjson::SUCCESS) {
    return;
  }
  std::lock_guard lock(mutex_);
  ++notifications_;
  for (const auto alert : alerts) {
    ReceivedAlert received;
    std::string_view text;
    if (alert["status"].get(text) == simdjson::SUCCESS) received.status = std::string(text);
    if (alert["fingerprint"].get(text) == simdjson::SUCCESS) received.fingerprint = std::string(text);
    simdjson::dom::object labels;
    if (alert["labels"].get(labels) == simdjson::SUCCESS) received.labels = labels_of(labels);
    alerts_.push_back(std::move(received));
  }
}

std::vector<ReceivedAlert> WebhookReceiver::alerts() const {
  std::lock_guard lock(mutex_);
  return alerts_;
}

int WebhookReceiver::notifications() const {
  std::lock_guard lock(mutex_);
  return notifications_;
}

std::optional<ReceivedAlert> WebhookReceiver::wait_for(const std::function<bool(const ReceivedAlert&)>& match,
                                                       std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (const auto& alert : alerts()) {
      if (match(alert)) return alert;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(100ms);
  }
}

Alertmanager::Alertmanager(const std::string& webhook_url)
    : port_(free_loopback_port()),
      process_(alertmanager_argv(dir_, port_, webhook_url), dir_.path(), "alertmanager") {}

Prometheus::Prometheus(const Options& options)
    : port_(free_loopback_port()),
      process_(prometheus_argv(dir_, port_, options), dir_.path(), "prometheus") {}

QueryResult Prometheus::query(const std::string& promql) const {
  int status = 0;
  const auto body = http_request(port_, "/api/v1/query", {{"query", promql}, {"time", now_text()}}, &status);
  return parse_query_answer(body, status);
}

QueryResult Prometheus::query_range(const std::string& promql, double start, double end,
                                    double step_seconds) const {
  int status = 0;
  const auto body = http_request(port_, "/api/v1/query_range",
                                 {{"query", promql},
                                  {"start", seconds_text(start)},
                                  {"end", seconds_text(end)},
                                  {"step", seconds_text(step_seconds)}},
                                 &status);
  return parse_query_answer(body, status);
}

std::vector<std::string> Prometheus::label_values(const std::string& label, const std::string& match) const {
  // This endpoint takes GET only: the selector goes in the query string.
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  httplib::Params params;
  if (!match.empty()) params.emplace("match[]", match);
  const auto res = client.Get("/api/v1/label/" + label + "/values", params, httplib::Headers{});
  const std::optional<std::string> body = res ? std::optional<std::string>(res->body) : std::nullopt;
  std::vector<std::string> values;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array data;
  if (!body || parser.parse(*body).get(doc) != simdjson::SUCCESS ||
      doc["data"].get(data) != simdjson::SUCCESS) {
    return values;
  }
  for (const auto value : data) {
    std::string_view text;
    if (value.get(text) == simdjson::SUCCESS) values.emplace_back(text);
  }
  return values;
}

std::vector<std::pair<Labels, std::string>> Prometheus::alerts() const {
  std::vector<std::pair<Labels, std::string>> out;
  const auto body = http_request(port_, "/api/v1/alerts");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array alerts;
  if (!body || parser.parse(*body).get(doc) != simdjson::SUCCESS ||
      doc["data"]["alerts"].get(alerts) != simdjson::SUCCESS) {
    return out;
  }
  for (const auto alert : alerts) {
    simdjson::dom::object labels;
    std::string_view state;
    if (alert["labels"].get(labels) == simdjson::SUCCESS && alert["state"].get(state) == simdjson::SUCCESS) {
      out.emplace_back(labels_of(labels), std::string(state));
    }
  }
  return out;
}

bool Prometheus::wait_for_series(const std::string& promql, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto result = query(promql);
    if (result.ok && !result.series.empty()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(250ms);
  }
}

}  // namespace tickguard::testing
