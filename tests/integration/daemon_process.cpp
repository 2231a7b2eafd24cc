#include "daemon_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tickguard::testing {
std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

namespace {

// Spawns `argv` with stdout/stderr redirected to files and `environment` added to ours.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out,
            const std::filesystem::path& err, const std::vector<std::string>& environment = {}) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  // An entry of `environment` replaces ours of the same name (getenv finds the first one).
  const auto overridden = [&environment](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('=') + 1);
    for (const auto& e : environment) {
      if (std::string_view(e).substr(0, name.size()) == name) return true;
    }
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (!overridden(*e)) env.push_back(*e);
  }
  for (const auto& e : environment) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed: " + argv[0]);
  return pid;
}

std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0 || std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::vector<Sample> parse_metrics(const std::string& text) {
  std::vector<Sample> samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    std::size_t pos = line.find_first_of("{ ");
    s.name = line.substr(0, pos);
    if (pos != std::string::npos && line[pos] == '{') {
      const std::size_t end = line.find('}', pos);
      std::string labels = line.substr(pos + 1, end - pos - 1);
      std::size_t i = 0;
      while (i < labels.size()) {
        const std::size_t eq = labels.find('=', i);
        const std::size_t close = labels.find('"', eq + 2);
        s.labels[labels.substr(i, eq - i)] = labels.substr(eq + 2, close - eq - 2);
        i = close + 2;  // skip `",`
      }
      pos = end + 1;
    }
    s.value = std::strtod(line.c_str() + pos + 1, nullptr);
    samples.push_back(std::move(s));
  }
  return samples;
}

double sum_of(const std::vector<Sample>& samples, const std::string& name,
              const std::map<std::string, std::string>& match) {
  double total = 0;
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool ok = true;
    for (const auto& [k, v] : match) {
      auto it = s.labels.find(k);
      ok = ok && it != s.labels.end() && it->second == v;
    }
    if (ok) total += s.value;
  }
  return total;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tickguard-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
  const auto file = path_ / name;
  std::ofstream(file) << content;
  return file;
}

int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

CommandResult run_tickguard(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  TempDir dir;
  std::vector<std::string> argv{TICKGUARD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, dir.path() / "out", dir.path() / "err");
  CommandResult result;
  const auto code = wait_for(pid, timeout);
  if (!code) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  result.exit_code = code.value_or(-1);
  result.out = read_file(dir.path() / "out");
  result.err = read_file(dir.path() / "err");
  return result;
}

CommandResult run_shell(const std::string& command, const std::string& input) {
  TempDir dir;
  const auto in = dir.write("stdin", input);
  const std::string full = command + " < " + in.string() + " > " + (dir.path() / "out").string() + " 2>&1";
  const int status = std::system(full.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(dir.path() / "out");
  return result;
}

DaemonProcess::DaemonProcess(std::vector<std::string> extra_args, std::vector<std::string> environment)
    : port_(free_loopback_port()) {
  std::vector<std::string> argv{TICKGUARD_BINARY, "run", "--web.listen-address",
                                "127.0.0.1:" + std::to_string(port_)};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  // Each daemon keeps its journal in its own scratch directory unless the test chose one.
  if (std::find(extra_args.begin(), extra_args.end(), "--storage.path") == extra_args.end()) {
    argv.insert(argv.end(), {"--storage.path", (dir_.path() / "state").string()});
  }
  pid_ = spawn(argv, dir_.path() / "stdout", dir_.path() / "stderr", environment);
}

DaemonProcess::~DaemonProcess() {
  if (!exit_code_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::optional<std::string> DaemonProcess::get(const std::string& path, int* status) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get(path.c_str());
  if (!res) return std::nullopt;
  if (status != nullptr) *status = res->status;
  return res->body;
}

bool DaemonProcess::wait_until_serving(const std::string& path, std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (get(path, &status) && status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::vector<Sample> DaemonProcess::scrape() const { return parse_metrics(get("/metrics").value_or("")); }

void DaemonProcess::signal(int sig) const { kill(pid_, sig); }

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (!exit_code_) exit_code_ = wait_for(pid_, timeout);
  return exit_code_;
}

std::string DaemonProcess::stderr_text() const { return read_file(dir_.path() / "stderr"); }

}  // namespace tickguard::testing

namespace tickguard::testing {

bool DaemonProcess::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (stderr_text().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace tickguard::testing
