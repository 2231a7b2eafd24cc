#include "feeds/common/websocket_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tickguard::feeds {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A WebSocket server on loopback that runs `script` for each accepted connection (blocking I/O on
// its own thread). The script gets the connection's index, starting at 0.
class ScriptedServer {
 public:
  using Script = std::function<void(websocket::stream<tcp::socket>&, int)>;
  explicit ScriptedServer(Script script)
      : script_(std::move(script)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] {
      for (int index = 0;; ++index) {
        beast::error_code ec;
        tcp::socket socket(io_);
        acceptor_.accept(socket, ec);
        if (ec || stopping_) return;
        websocket::stream<tcp::socket> ws(std::move(socket));
        ws.accept(ec);
        if (ec) continue;
        script_(ws, index);
        ws.next_layer().close(ec);
      }
    });
  }
  ~ScriptedServer() {
    stopping_ = true;
    {
      // Unblock accept() with one connection that closes at once; the loop then sees stopping_.
      beast::error_code ec;
      tcp::socket poke(io_);
      poke.connect(endpoint_, ec);
    }
    thread_.join();
  }
  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(endpoint_.port()) + "/ws?streams=btcusdt@trade";
  }

 private:
  Script script_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::endpoint endpoint_ = acceptor_.local_endpoint();
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Records callbacks; data frames are those starting with "data".
class RecordingHandler final : public WebSocketHandler {
 public:
  std::function<void()> opened;
  void on_open() override {
    std::lock_guard lock(mutex);
    ++opens;
    if (opened) opened();
    changed.notify_all();
  }
  bool on_message(std::string_view frame, Timestamp) override {
    std::lock_guard lock(mutex);
    messages.emplace_back(frame);
    changed.notify_all();
    return frame.rfind("data", 0) == 0;
  }
  void on_close(std::string_view reason) override {
    std::lock_guard lock(mutex);
    closes.emplace_back(reason);
    changed.notify_all();
  }
  bool wait_for(const std::function<bool()>& condition) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, condition);
  }

  std::mutex mutex;
  std::condition_variable changed;
  int opens = 0;
  std::vector<std::string> messages;
  std::vector<std::string> closes;
};

// Runs an io_context on its own thread for the client.
class IoThread {
 public:
  IoThread() : guard_(asio::make_work_guard(io)), thread_([this] { io.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io.stop();
    thread_.join();
  }
  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

WebSocketOptions fast_options(std::string url) {
  WebSocketOptions options;
  options.url = std::move(url);
  options.connect_timeout = 2s;
  options.silence_timeout = 2s;
  options.backoff = BackoffOptions{50ms, 200ms, 2.0};
  return options;
}

TEST(WebSocketClient, SubscribesOnOpenAndDeliversFrames) {
  std::string received_subscription;
  ScriptedServer server([&](websocket::stream<tcp::socket>& ws, int) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws.read(buffer, ec);
    received_subscription = beast::buffers_to_string(buffer.data());
    for (const char* frame : {"ack", "data 1", "data 2"}) ws.write(asio::buffer(std::string(frame)), ec);
    ws.read(buffer, ec);  // until the client goes away
  });
  const std::string url = server.url();
  SystemClock clock;
  RecordingHandler handler;
  IoThread io;
  WebSocketClient client(io.io, fast_options(url), handler, clock);
  handler.opened = [&] { client.send(R"({"method":"SUBSCRIBE"})"); };
  client.start();
  ASSERT_TRUE(handler.wait_for([&] { return handler.messages.size() == 3; }));
  EXPECT_EQ(handler.messages, (std::vector<std::string>{"ack", "data 1", "data 2"}));
  EXPECT_EQ(received_subscription, R"({"method":"SUBSCRIBE"})");
  client.stop();
  ASSERT_TRUE(handler.wait_for([&] { return !handler.closes.empty(); }));
  EXPECT_EQ(handler.closes.back(), "stopped");
  EXPECT_EQ(client.connections(), 1);
}

TEST(WebSocketClient, ReconnectsAfterTheServerDropsTheConnection) {
  ScriptedServer server([](websocket::stream<tcp::socket>& ws, int index) {
    beast::error_code ec;
    ws.write(asio::buffer("data from connection " + std::to_string(index)), ec);
    if (index > 0) {
      beast::flat_buffer buffer;
      ws.read(buffer, ec);
    }
    // index 0: return at once, dropping the TCP connection without a close frame.
  });
  const std::string url = server.url();
  SystemClock clock;
  RecordingHandler handler;
  IoThread io;
  WebSocketClient client(io.io, fast_options(url), handler, clock);
  client.start();
  ASSERT_TRUE(handler.wait_for([&] { return handler.messages.size() >= 2; }));
  EXPECT_EQ(handler.messages[0], "data from connection 0");
  EXPECT_EQ(handler.messages[1], "data from connection 1");
  EXPECT_EQ(handler.opens, 2);
  ASSERT_FALSE(handler.closes.empty());
  EXPECT_EQ(handler.closes[0].rfind("read: ", 0), 0u) << handler.closes[0];
  client.stop();
}

TEST(WebSocketClient, HeartbeatsWithoutDataCountAsSilence) {
  ScriptedServer server([](websocket::stream<tcp::socket>& ws, int index) {
    beast::error_code ec;
    if (index == 0) {
      ws.write(asio::buffer(std::string("data first")), ec);
      // Then only venue heartbeats, which must not keep the connection alive.
      for (int i = 0; i < 100 && !ec; ++i) {
        ws.write(asio::buffer(std::string("heartbeat")), ec);
        std::this_thread::sleep_for(50ms);
      }
    } else {
      ws.write(asio::buffer(std::string("data after reconnect")), ec);
      beast::flat_buffer buffer;
      ws.read(buffer, ec);
    }
  });
  const std::string url = server.url();
  SystemClock clock;
  RecordingHandler handler;
  IoThread io;
  WebSocketOptions options = fast_options(url);
  options.silence_timeout = 400ms;
  WebSocketClient client(io.io, options, handler, clock);
  client.start();
  ASSERT_TRUE(handler.wait_for([&] {
    return std::find(handler.messages.begin(), handler.messages.end(), "data after reconnect") !=
           handler.messages.end();
  }));
  ASSERT_FALSE(handler.closes.empty());
  EXPECT_EQ(handler.closes[0].rfind("silence: ", 0), 0u) << handler.closes[0];
  client.stop();
}

TEST(WebSocketClient, ReconnectsOnPurposeBeforeTheConnectionAgeLimit) {
  ScriptedServer server([](websocket::stream<tcp::socket>& ws, int) {
    beast::error_code ec;
    for (int i = 0; i < 200 && !ec; ++i) {
      ws.write(asio::buffer(std::string("data tick")), ec);
      std::this_thread::sleep_for(20ms);
    }
  });
  const std::string url = server.url();
  SystemClock clock;
  RecordingHandler handler;
  IoThread io;
  WebSocketOptions options = fast_options(url);
  options.max_connection_age = 300ms;
  WebSocketClient client(io.io, options, handler, clock);
  client.start();
  ASSERT_TRUE(handler.wait_for([&] { return handler.opens >= 2; }));
  EXPECT_EQ(handler.closes[0], "planned reconnect: connection age limit");
  client.stop();
}

TEST(WebSocketClient, ReportsRefusedConnectionAndKeepsRetrying) {
  std::string url;
  {
    ScriptedServer closed([](websocket::stream<tcp::socket>&, int) {});
    url = closed.url();
  }
  SystemClock clock;
  RecordingHandler handler;
  IoThread io;
  WebSocketClient client(io.io, fast_options(url), handler, clock);
  client.start();
  ASSERT_TRUE(handler.wait_for([&] { return handler.closes.size() >= 2; }));
  EXPECT_EQ(handler.closes[0].rfind("connect: ", 0), 0u) << handler.closes[0];
  EXPECT_EQ(handler.opens, 0);
  client.stop();
}

TEST(WebSocketClient, ValidatesUrls) {
  EXPECT_TRUE(WebSocketClient::validate_url("wss://stream.binance.com:9443/ws").ok());
  EXPECT_TRUE(WebSocketClient::validate_url("ws://127.0.0.1:8080").ok());
  EXPECT_FALSE(WebSocketClient::validate_url("https://api.binance.com").ok());
  EXPECT_FALSE(WebSocketClient::validate_url("ws://").ok());
}

TEST(WebSocketClient, CloseReasonsMapToErrorKinds) {
  EXPECT_EQ(close_error_kind("tls: certificate verify failed"), "tls");
  EXPECT_EQ(close_error_kind("connect: Connection refused"), "connect");
  EXPECT_EQ(close_error_kind("resolve: Host not found"), "resolve");
  EXPECT_EQ(close_error_kind("handshake: bad status"), "handshake");
  EXPECT_EQ(close_error_kind("silence: no data message for 1000 ms"), "silence");
  EXPECT_EQ(close_error_kind("read: End of file"), "disconnected");
  EXPECT_EQ(close_error_kind("stopped"), "");
  EXPECT_EQ(close_error_kind("planned reconnect: connection age limit"), "");
}

}  // namespace
}  // namespace tickguard::feeds
