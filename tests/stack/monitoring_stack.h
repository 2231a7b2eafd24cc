// The monitoring stack under test, on 127.0.0.1 only: real Prometheus and Alertmanager processes
// (fresh storage in a scratch directory, killed at destruction), a webhook receiver recording what
// Alertmanager posts, and query helpers for Prometheus's HTTP API. Every wait is bounded.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon_process.h"

namespace tickguard::testing {

using Labels = std::map<std::string, std::string>;

// A child process with stdout/stderr in files; SIGKILLed (and reaped) at destruction, and by the
// kernel if this test process dies first.
class StackProcess {
 public:
  StackProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_dir,
               const std::string& name);
  ~StackProcess();
  StackProcess(const StackProcess&) = delete;
  StackProcess& operator=(const StackProcess&) = delete;

  // Exit code once it has exited within `timeout`, else nullopt (still running).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs `argv` to completion, bounded by `timeout` (killed then, exit_code -1).
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout);

// GET (or POST with `form` when non-empty) on 127.0.0.1:port; nullopt when nothing answers.
std::optional<std::string> http_request(int port, const std::string& path, const httplib::Params& form = {},
                                        int* status = nullptr);
// Polls GET path until it answers 200, up to `timeout`.
bool wait_until_ok(int port, const std::string& path, std::chrono::milliseconds timeout);

// The result of a Prometheus query: the labels of each series returned (vector or matrix).
struct QueryResult {
  bool ok = false;
  std::string error;  // Prometheus's error, or a transport/parse error
  std::vector<Labels> series;
};

// One alert as Alertmanager's webhook delivered it.
struct ReceivedAlert {
  std::string status;  // "firing" or "resolved"
  Labels labels;
  std::string fingerprint;
};

// An HTTP server on 127.0.0.1 that records every Alertmanager webhook notification (POST /alerts).
class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/alerts"; }
  std::vector<ReceivedAlert> alerts() const;
  int notifications() const;
  // Polls until some received alert satisfies `match`, up to `timeout`; returns it.
  std::optional<ReceivedAlert> wait_for(const std::function<bool(const ReceivedAlert&)>& match,
                                        std::chrono::milliseconds timeout) const;

 private:
  void record(const std::string& body);

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<ReceivedAlert> alerts_;
  int notifications_ = 0;
};

class Alertmanager {
 public:
  // Routes every alert, each in a group of its own, to `webhook_url` (resolved ones too), with
  // 1 s group wait and interval.
  explicit Alertmanager(const std::string& webhook_url);
  int port() const { return port_; }
  bool wait_ready(std::chrono::milliseconds timeout) const {
    return wait_until_ok(port_, "/-/ready", timeout);
  }
  std::string log() const { return process_.stderr_text(); }

 private:
  TempDir dir_;
  int port_;
  StackProcess process_;
};

class Prometheus {
 public:
  struct Options {
    std::string job = "tickguard";
    int target_port = 0;                            // the daemon's /metrics
    std::vector<std::filesystem::path> rule_files;  // loaded at start
    int alertmanager_port = 0;                      // 0: no alerting
  };
  // Scrapes and evaluates every second; alerts are resent every second.
  explicit Prometheus(const Options& options);
  int port() const { return port_; }
  bool wait_ready(std::chrono::milliseconds timeout) const {
    return wait_until_ok(port_, "/-/ready", timeout);
  }
  std::string log() const { return process_.stderr_text(); }

  // GET /api/v1/query at the current time.
  QueryResult query(const std::string& promql) const;
  // GET /api/v1/query_range over [start, end] (Unix seconds), every `step_seconds`.
  QueryResult query_range(const std::string& promql, double start, double end, double step_seconds) const;
  // GET /api/v1/label/<label>/values, restricted to series matching `match` when given.
  std::vector<std::string> label_values(const std::string& label, const std::string& match = "") const;
  // GET /api/v1/alerts: labels and state ("pending", "firing") of the active alerts.
  std::vector<std::pair<Labels, std::string>> alerts() const;
  // Polls until `promql` returns at least one series, up to `timeout`.
  bool wait_for_series(const std::string& promql, std::chrono::milliseconds timeout) const;

 private:
  TempDir dir_;
  int port_;
  StackProcess process_;
};

}  // namespace tickguard::testing
