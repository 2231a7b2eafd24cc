// Building blocks of the mock exchanges the connector tests run against, all on 127.0.0.1:
// a REST server (cpp-httplib) and a WebSocket server (Boost.Beast, one blocking thread) whose
// per-connection behaviour each test scripts. Recorded venue payloads come from tests/fixtures.
#pragma once

#include <httplib.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon_process.h"

namespace tickguard::testing {

// Non-empty lines of tests/fixtures/<venue>/<file>.
std::vector<std::string> fixture_lines(const std::string& venue, const std::string& file);

// A REST venue: register handlers on server(), then start().
class MockRest {
 public:
  MockRest() = default;
  ~MockRest();
  MockRest(const MockRest&) = delete;
  MockRest& operator=(const MockRest&) = delete;

  httplib::Server& server() { return server_; }
  void start();
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// One accepted WebSocket connection, driven synchronously by the session function.
class MockConnection {
 public:
  // Next text frame from the client; false once the connection is closed, or after `timeout`
  // without a frame when one is given (the connection then counts as closed: a timed-out read
  // leaves the WebSocket stream unusable).
  bool read(std::string& message, std::chrono::milliseconds timeout = std::chrono::milliseconds::zero());
  bool write(std::string_view text);
  // A clean close frame, or a TCP reset without one.
  void close();
  void drop();
  // Stays connected but sends nothing until the client goes away or the server stops.
  void go_silent();
  int index() const { return index_; }  // 0 for the first connection
  bool stopping() const;

 private:
  friend class MockWebSocket;
  struct Impl;
  MockConnection(std::unique_ptr<Impl> impl, int index, class MockWebSocket& server);
  std::unique_ptr<Impl> impl_;
  int index_;
  class MockWebSocket& server_;

 public:
  ~MockConnection();
};

// A WebSocket venue. Each connection runs `session` on the server thread, one at a time; when the
// session returns the connection is closed. Every client frame read is recorded.
class MockWebSocket {
 public:
  using Session = std::function<void(MockConnection&)>;
  // tls: serve wss:// with a self-signed certificate for 127.0.0.1 generated at start (the client
  // must trust cert_file()).
  explicit MockWebSocket(Session session, bool tls = false);
  ~MockWebSocket();
  MockWebSocket(const MockWebSocket&) = delete;
  MockWebSocket& operator=(const MockWebSocket&) = delete;

  std::string url(const std::string& path) const;
  int connections() const { return connections_; }
  std::vector<std::string> received() const;
  // Blocks until some received frame contains `needle` (bounded); true if one did.
  bool wait_for_received(const std::string& needle, std::chrono::milliseconds timeout) const;
  const std::string& cert_file() const { return cert_file_; }
  // While false, connections are closed before the WebSocket handshake (the venue is down).
  void set_accepting(bool accepting) { accepting_ = accepting; }
  int refused() const { return refused_; }

 private:
  friend class MockConnection;
  void serve();
  void record(std::string message);

  Session session_;
  bool tls_;
  TempDir dir_;
  std::string cert_file_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> current_fd_{-1};
  std::atomic<bool> accepting_{true};
  std::atomic<int> refused_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
  std::thread thread_;
};

const std::map<std::string, std::string>& no_labels();

// Scrapes until sum_of(name, labels) >= at_least (bounded by `timeout`); returns the last scrape.
std::vector<Sample> scrape_until(const DaemonProcess& daemon, const std::string& name,
                                 const std::map<std::string, std::string>& labels, double at_least,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace tickguard::testing
