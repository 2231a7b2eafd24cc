// Test harness: runs the real tickguard binary as a child process on a free loopback port and
// reads its /metrics. Everything talks to 127.0.0.1 only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tickguard::testing {

// A simulator config with anomalies every few seconds on 6 instruments (BTC, ETH, SOL on simex and
// mockex), detectors warmed up at start: for tests that need anomalies soon.
inline constexpr const char* kBusySimulatorConfig = R"toml(
[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
seed = 7
anomaly_interval = "5s"
warmup = "20m"
)toml";

// One sample of the text exposition format.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

std::vector<Sample> parse_metrics(const std::string& text);
// Sum of the values of all samples named `name` whose labels include `match`.
double sum_of(const std::vector<Sample>& samples, const std::string& name,
              const std::map<std::string, std::string>& match = {});

// The whole content of a file; empty if it cannot be read.
std::string read_file(const std::filesystem::path& path);

// A scratch directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

// A port on 127.0.0.1 that was free a moment ago.
int free_loopback_port();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the tickguard binary with `args` to completion (bounded by `timeout`).
CommandResult run_tickguard(const std::vector<std::string>& args,
                            std::chrono::seconds timeout = std::chrono::seconds(30));
// Runs a shell command with `input` on stdin; returns exit code and combined output.
CommandResult run_shell(const std::string& command, const std::string& input);

class DaemonProcess {
 public:
  // Starts `tickguard run --web.listen-address 127.0.0.1:<free port> <extra args>`, with
  // `--storage.path` in a scratch directory unless `extra_args` sets it.
  // `environment` entries ("NAME=value") are added to this process's environment.
  explicit DaemonProcess(std::vector<std::string> extra_args, std::vector<std::string> environment = {});
  ~DaemonProcess();  // SIGKILL if still running

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // GET path; nullopt if the server does not answer. `status` receives the HTTP status.
  std::optional<std::string> get(const std::string& path, int* status = nullptr) const;
  // Polls until GET path answers 200, up to `timeout`.
  bool wait_until_serving(const std::string& path, std::chrono::seconds timeout) const;
  std::vector<Sample> scrape() const;
  void signal(int sig) const;
  // Waits for the process to exit, up to `timeout`; returns its exit code (or nullopt on timeout).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  std::string stderr_text() const;
  // Polls the daemon's log until it contains `needle` (bounded): a log line may be written just
  // after the metric a test waited for.
  bool wait_for_log(const std::string& needle,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

 private:
  TempDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace tickguard::testing
