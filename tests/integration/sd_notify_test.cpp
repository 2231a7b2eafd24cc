// The systemd notification protocol, observed from a fake service manager: a datagram socket
// passed to the daemon as NOTIFY_SOCKET.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <thread>

#include "daemon_process.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval timeout{0, 100000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~NotifySocket() { close(fd_); }
  bool bound() const { return bound_; }

  // Collects datagrams until one contains `needle` or `timeout` passes; returns all received so far.
  std::string receive_until(const std::string& needle, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      char buffer[4096];
      const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) {
        received_.append(buffer, static_cast<std::size_t>(n));
        received_ += '\n';
        if (received_.find(needle) != std::string::npos) break;
      }
    }
    return received_;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool bound_ = false;
  std::string received_;
};

TEST(SdNotify, ReportsReadyStatusWatchdogReloadingAndStopping) {
  TempDir dir;
  NotifySocket manager(dir.path() / "notify.sock");
  ASSERT_TRUE(manager.bound());
  const auto config = dir.write("c.toml", R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
venues = ["simex"]
)");
  DaemonProcess daemon({"--config", config.string()},
                       {"NOTIFY_SOCKET=" + (dir.path() / "notify.sock").string(), "WATCHDOG_USEC=200000"});

  std::string messages = manager.receive_until("READY=1", 30s);
  EXPECT_NE(messages.find("READY=1"), std::string::npos) << messages;
  EXPECT_NE(messages.find("STATUS=watching 1 instruments"), std::string::npos) << messages;

  messages = manager.receive_until("WATCHDOG=1", 10s);
  EXPECT_NE(messages.find("WATCHDOG=1"), std::string::npos) << messages;

  daemon.signal(SIGHUP);
  messages = manager.receive_until("MONOTONIC_USEC=", 10s);
  EXPECT_NE(messages.find("RELOADING=1"), std::string::npos) << messages;

  daemon.signal(SIGTERM);
  messages = manager.receive_until("STOPPING=1", 10s);
  EXPECT_NE(messages.find("STOPPING=1"), std::string::npos) << messages;
  EXPECT_EQ(daemon.wait_exit(20s), 0);
}

}  // namespace
}  // namespace tickguard::testing
