// OKX end to end: `tickguard run` with rest_url/ws_url pointed at a mock OKX on loopback that
// serves the recorded instrument metadata and replays the recorded WebSocket frames.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "daemon_process.h"

namespace tickguard::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using namespace std::chrono_literals;

std::vector<std::string> fixture_lines(const std::string& name) {
  std::ifstream in(std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/okx/" + name);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The mock venue: REST on one port, WebSocket on another, both on 127.0.0.1.
class MockOkx {
 public:
  MockOkx() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    const std::string instruments = fixture_lines("rest_instruments.jsonl").at(0);
    rest_.Get("/api/v5/public/instruments",
              [instruments](const httplib::Request& req, httplib::Response& res) {
                if (req.get_param_value("instType") != "SPOT") res.status = 400;
                res.set_content(instruments, "application/json");
              });
    rest_port_ = rest_.bind_to_any_port("127.0.0.1");
    rest_thread_ = std::thread([this] { rest_.listen_after_bind(); });
    ws_port_ = acceptor_.local_endpoint().port();
    ws_thread_ = std::thread([this] { serve(); });
  }
  ~MockOkx() {
    stopping_ = true;
    {
      beast::error_code ec;
      tcp::socket poke(io_);
      poke.connect({asio::ip::make_address("127.0.0.1"), ws_port_}, ec);
    }
    ws_thread_.join();
    rest_.stop();
    rest_thread_.join();
  }
  std::string rest_url() const { return "http://127.0.0.1:" + std::to_string(rest_port_); }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(ws_port_) + "/ws/v5/public"; }
  std::string subscription() const {
    std::lock_guard lock(mutex_);
    return subscription_;
  }

 private:
  void serve() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      websocket::stream<tcp::socket> ws(std::move(socket));
      ws.accept(ec);
      if (ec) continue;
      beast::flat_buffer buffer;
      ws.read(buffer, ec);  // the subscribe request
      {
        std::lock_guard lock(mutex_);
        subscription_ = beast::buffers_to_string(buffer.data());
      }
      ws.text(true);
      for (const char* file : {"ws_books.jsonl", "ws_tickers.jsonl", "ws_trades.jsonl"}) {
        for (const auto& line : fixture_lines(file)) ws.write(asio::buffer(line), ec);
      }
      while (!ec) {  // answer pings until the client leaves
        buffer.clear();
        ws.read(buffer, ec);
        if (!ec && beast::buffers_to_string(buffer.data()) == "ping")
          ws.write(asio::buffer(std::string("pong")), ec);
      }
    }
  }

  httplib::Server rest_;
  int rest_port_ = 0;
  std::thread rest_thread_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short ws_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread ws_thread_;
  mutable std::mutex mutex_;
  std::string subscription_;
};

TEST(OkxEndToEnd, StreamsRecordedTradesTickersAndBooksThroughTheDaemon) {
  // Expected values, straight from the recorded frames.
  const std::regex trade_entry(R"re("instId":"BTC-USDT","tradeId":"\d+","px":"([0-9.]+)")re");
  int expected_trades = 0;
  double last_price = 0;
  for (const auto& line : fixture_lines("ws_trades.jsonl")) {
    for (std::sregex_iterator it(line.begin(), line.end(), trade_entry), end; it != end; ++it) {
      ++expected_trades;
      last_price = std::stod((*it)[1].str());
    }
  }
  ASSERT_GT(expected_trades, 50);

  MockOkx venue;
  TempDir dir;
  const auto config = dir.write("okx.toml",
                                "[[feed]]\nexchange = \"okx\"\nsymbols = [\"BTC/USDT\", \"NOPE/USDT\"]\n"
                                "rest_url = \"" +
                                    venue.rest_url() + "\"\nws_url = \"" + venue.ws_url() + "\"\n");
  DaemonProcess daemon({"--config", config.string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  std::vector<Sample> samples;
  const std::map<std::string, std::string> btc{{"exchange", "okx"}, {"symbol", "BTC/USDT"}};
  for (int i = 0; i < 200; ++i) {
    samples = daemon.scrape();
    if (sum_of(samples, "tickguard_trades_total", btc) >= expected_trades) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", btc), expected_trades) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", btc), last_price);
  EXPECT_GT(sum_of(samples, "tickguard_spread_ratio", btc), 0);
  EXPECT_LT(sum_of(samples, "tickguard_spread_ratio", btc), 0.01);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", {{"exchange", "okx"}}), 1);
  EXPECT_GT(sum_of(samples, "tickguard_feed_messages_total", {{"exchange", "okx"}}), expected_trades);

  EXPECT_NE(venue.subscription().find(R"({"channel":"books","instId":"BTC-USDT"})"), std::string::npos)
      << venue.subscription();
  EXPECT_NE(daemon.stderr_text().find("okx: unknown symbol, not subscribed"), std::string::npos);
  EXPECT_NE(daemon.stderr_text().find("symbol=NOPE/USDT"), std::string::npos);
  EXPECT_EQ(daemon.stderr_text().find("book out of sync"), std::string::npos)
      << "recorded books carry valid checksums: " << daemon.stderr_text();

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
}

}  // namespace
}  // namespace tickguard::testing
