// OKX end to end: `tickguard run` with rest_url/ws_url pointed at a mock OKX on loopback that
// serves the recorded instrument metadata and replays the recorded WebSocket frames, optionally
// with faults injected.
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

// Faults the mock injects.
struct Faults {
  int corrupt_btc_update = -1;         // corrupt the checksum of this BTC-USDT books update (0-based)
  bool drop_first_connection = false;  // close the first connection right after the replay
};
// The mock venue: REST on one port, WebSocket on another, both on 127.0.0.1.
class MockOkx {
 public:
  explicit MockOkx(Faults faults = {})
      : faults_(faults), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
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
  // Every text frame the client sent, in order.
  std::vector<std::string> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  void serve() {
    for (int connection = 0;; ++connection) {
      beast::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      websocket::stream<tcp::socket> ws(std::move(socket));
      ws.accept(ec);
      if (ec) continue;
      beast::flat_buffer buffer;
      ws.read(buffer, ec);  // the subscribe request
      record(beast::buffers_to_string(buffer.data()));
      ws.text(true);
      std::string btc_snapshot;
      int btc_updates = 0;
      for (const char* file : {"ws_books.jsonl", "ws_tickers.jsonl", "ws_trades.jsonl"}) {
        for (std::string line : fixture_lines(file)) {
          const bool btc_book = line.find(R"("channel":"books","instId":"BTC-USDT")") != std::string::npos;
          if (btc_book && line.find(R"("action":"snapshot")") != std::string::npos) btc_snapshot = line;
          if (btc_book && line.find(R"("action":"update")") != std::string::npos &&
              btc_updates++ == faults_.corrupt_btc_update) {
            line = std::regex_replace(line, std::regex(R"("checksum":-?\d+)"), R"("checksum":12345)");
          }
          ws.write(asio::buffer(line), ec);
        }
      }
      if (faults_.drop_first_connection && connection == 0) continue;  // dropped without a close frame
      while (!ec) {  // answer pings, and a books resubscription with a fresh snapshot
        buffer.clear();
        ws.read(buffer, ec);
        if (ec) break;
        const std::string message = beast::buffers_to_string(buffer.data());
        record(message);
        if (message == "ping") ws.write(asio::buffer(std::string("pong")), ec);
        if (message.find(R"("op":"subscribe")") != std::string::npos &&
            message.find(R"("channel":"books")") != std::string::npos) {
          ws.write(asio::buffer(btc_snapshot), ec);
        }
      }
    }
  }

  void record(std::string message) {
    std::lock_guard lock(mutex_);
    received_.push_back(std::move(message));
  }

  Faults faults_;
  httplib::Server rest_;
  int rest_port_ = 0;
  std::thread rest_thread_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short ws_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread ws_thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
};

// BTC-USDT trades in the recording: how many, and the last price.
std::pair<int, double> recorded_btc_trades() {
  const std::regex trade_entry(R"re("instId":"BTC-USDT","tradeId":"\d+","px":"([0-9.]+)")re");
  int count = 0;
  double last_price = 0;
  for (const auto& line : fixture_lines("ws_trades.jsonl")) {
    for (std::sregex_iterator it(line.begin(), line.end(), trade_entry), end; it != end; ++it) {
      ++count;
      last_price = std::stod((*it)[1].str());
    }
  }
  return {count, last_price};
}

std::filesystem::path okx_config(const TempDir& dir, const MockOkx& venue) {
  return dir.write("okx.toml",
                   "[[feed]]\nexchange = \"okx\"\nsymbols = [\"BTC/USDT\", \"NOPE/USDT\"]\nrest_url = \"" +
                       venue.rest_url() + "\"\nws_url = \"" + venue.ws_url() + "\"\n");
}

const std::map<std::string, std::string> kBtc{{"exchange", "okx"}, {"symbol", "BTC/USDT"}};
const std::map<std::string, std::string> kOkx{{"exchange", "okx"}};

// Scrapes until `name`{labels} reaches `at_least` (bounded); returns the last scrape.
std::vector<Sample> scrape_until(const DaemonProcess& daemon, const std::string& name,
                                 const std::map<std::string, std::string>& labels, double at_least) {
  std::vector<Sample> samples;
  for (int i = 0; i < 300; ++i) {
    samples = daemon.scrape();
    if (sum_of(samples, name, labels) >= at_least) break;
    std::this_thread::sleep_for(50ms);
  }
  return samples;
}

TEST(OkxEndToEnd, StreamsRecordedTradesTickersAndBooksThroughTheDaemon) {
  const auto [expected_trades, last_price] = recorded_btc_trades();
  ASSERT_GT(expected_trades, 50);
  MockOkx venue;
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBtc, expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), expected_trades) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kBtc), last_price);
  EXPECT_GT(sum_of(samples, "tickguard_spread_ratio", kBtc), 0);
  EXPECT_LT(sum_of(samples, "tickguard_spread_ratio", kBtc), 0.01);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kOkx), 1);
  EXPECT_GT(sum_of(samples, "tickguard_feed_messages_total", kOkx), expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kBtc), 0)
      << "recorded books carry valid checksums";
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kBtc), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kOkx), 0);

  ASSERT_FALSE(venue.received().empty());
  EXPECT_NE(venue.received().front().find(R"({"channel":"books","instId":"BTC-USDT"})"), std::string::npos)
      << venue.received().front();
  EXPECT_NE(daemon.stderr_text().find("okx: unknown symbol, not subscribed"), std::string::npos);
  EXPECT_NE(daemon.stderr_text().find("symbol=NOPE/USDT"), std::string::npos);

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
}

TEST(OkxEndToEnd, CorruptChecksumIsCountedAndTheBookResubscribed) {
  MockOkx venue({.corrupt_btc_update = 3});
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_feed_checksum_failures_total", kBtc, 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kBtc), 1) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kBtc), 0);
  EXPECT_NE(daemon.stderr_text().find("okx: book out of sync, resubscribing"), std::string::npos);
  // The feed asked for the BTC-USDT book again, alone.
  bool resubscribed = false;
  for (int i = 0; i < 100 && !resubscribed; ++i) {
    for (const auto& message : venue.received()) {
      resubscribed =
          resubscribed || message == R"({"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]})";
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(resubscribed);
  std::this_thread::sleep_for(300ms);  // the fresh snapshot is accepted: no further failure
  EXPECT_EQ(sum_of(daemon.scrape(), "tickguard_feed_checksum_failures_total", kBtc), 1);
  EXPECT_EQ(sum_of(daemon.scrape(), "tickguard_feed_up", kOkx), 1);
}

TEST(OkxEndToEnd, DroppedConnectionReconnectsAndResumes) {
  const auto [expected_trades, last_price] = recorded_btc_trades();
  MockOkx venue({.drop_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  // The replay is sent twice: once before the drop, once after the reconnect.
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBtc, 2 * expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), 2 * expected_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kOkx), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kOkx), 1);
  EXPECT_NE(daemon.stderr_text().find("okx: disconnected, reconnecting"), std::string::npos);
  (void)last_price;
}

}  // namespace
}  // namespace tickguard::testing
