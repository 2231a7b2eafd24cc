// OKX end to end: `tickguard run` with rest_url/ws_url pointed at a mock OKX on loopback that
// serves the recorded instrument metadata and replays the recorded WebSocket frames, optionally
// with faults injected.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <regex>
#include <thread>

#include "daemon_process.h"
#include "mock_venue.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> okx_lines(const std::string& file) { return fixture_lines("okx", file); }

// Faults the mock injects.
struct Faults {
  int corrupt_btc_update = -1;                // corrupt the checksum of this BTC-USDT books update (0-based)
  bool drop_first_connection = false;         // close the first connection right after the replay
  bool silent_first_connection = false;       // after the first replay, stay connected but send nothing
  bool garbage = false;                       // send a non-JSON frame and a truncated trades frame first
  std::vector<int> instrument_failures = {};  // statuses of the first instrument requests (then 200)
  bool tls = false;                           // wss:// with a self-signed certificate
  bool ws_down = false;                       // refuse WebSocket connections until set_ws_up()
  bool ws_flapping = false;                   // accept WebSocket connections and drop them at once
};

// REST market answers in the shape of OKX's documentation (GET /api/v5/market/ticker, /trades),
// priced away from the recording so the test can tell the sources apart.
constexpr const char* kRestTicker =
    R"({"code":"0","msg":"","data":[{"instType":"SPOT","instId":"BTC-USDT","last":"50001.5","lastSz":"0.1",)"
    R"("askPx":"50002","askSz":"1","bidPx":"50001","bidSz":"2","ts":"1700000000500"}]})";
constexpr const char* kRestTrades =
    R"({"code":"0","msg":"","data":[)"
    R"({"instId":"BTC-USDT","side":"buy","sz":"0.2","px":"50001.5","tradeId":"900000003","ts":"1700000000300"},)"
    R"({"instId":"BTC-USDT","side":"sell","sz":"0.1","px":"50000.5","tradeId":"900000002","ts":"1700000000200"},)"
    R"({"instId":"BTC-USDT","side":"buy","sz":"0.3","px":"50000","tradeId":"900000001","ts":"1700000000100"}]})";

// The mock venue: REST serving the recorded instruments, WebSocket replaying the recorded frames.
class MockOkx {
 public:
  explicit MockOkx(Faults faults = {})
      : faults_(faults), ws_([this](MockConnection& c) { session(c); }, faults.tls) {
    const std::string instruments = okx_lines("rest_instruments.jsonl").at(0);
    rest_.server().Get("/api/v5/public/instruments", [this, instruments](const httplib::Request& req,
                                                                         httplib::Response& res) {
      std::lock_guard lock(mutex_);
      if (!faults_.instrument_failures.empty()) {
        res.status = faults_.instrument_failures.front();
        faults_.instrument_failures.erase(faults_.instrument_failures.begin());
        if (res.status == 429 || res.status == 418) res.set_header("Retry-After", "1");
        res.set_content(R"({"code":"50011","msg":"Too Many Requests"})", "application/json");
        return;
      }
      if (req.get_param_value("instType") != "SPOT") res.status = 400;
      res.set_content(instruments, "application/json");
    });
    rest_.server().Get("/api/v5/market/ticker", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_param_value("instId") != "BTC-USDT") res.status = 400;
      res.set_content(kRestTicker, "application/json");
    });
    rest_.server().Get("/api/v5/market/trades", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_param_value("instId") != "BTC-USDT") res.status = 400;
      res.set_content(kRestTrades, "application/json");
    });
    ws_.set_accepting(!faults_.ws_down);
    rest_.start();
  }
  void set_ws_up() { ws_.set_accepting(true); }
  int refused() const { return ws_.refused(); }
  std::string rest_url() const { return rest_.url(); }
  std::string ws_url() const { return ws_.url("/ws/v5/public"); }
  std::vector<std::string> received() const { return ws_.received(); }
  int connections() const { return ws_.connections(); }
  const std::string& cert_file() const { return ws_.cert_file(); }

 private:
  void session(MockConnection& c) {
    if (faults_.ws_flapping) return c.drop();
    std::string message;
    if (!c.read(message)) return;  // the subscribe request
    std::string btc_snapshot;
    int btc_updates = 0;
    if (faults_.garbage && c.index() == 0) {
      c.write("this is not json");
      const std::string trades = okx_lines("ws_trades.jsonl").at(0);
      c.write(trades.substr(0, trades.size() / 2));  // cut mid-message
    }
    for (const char* file : {"ws_books.jsonl", "ws_tickers.jsonl", "ws_trades.jsonl"}) {
      for (std::string line : okx_lines(file)) {
        const bool btc_book = line.find(R"("channel":"books","instId":"BTC-USDT")") != std::string::npos;
        if (btc_book && line.find(R"("action":"snapshot")") != std::string::npos) btc_snapshot = line;
        if (btc_book && line.find(R"("action":"update")") != std::string::npos &&
            btc_updates++ == faults_.corrupt_btc_update) {
          line = std::regex_replace(line, std::regex(R"("checksum":-?\d+)"), R"("checksum":12345)");
        }
        c.write(line);
      }
    }
    if (faults_.drop_first_connection && c.index() == 0) return c.drop();  // no close frame
    if (faults_.silent_first_connection && c.index() == 0) return c.go_silent();
    while (c.read(message)) {  // answer pings, and a books resubscription with a fresh snapshot
      if (message == "ping") c.write("pong");
      if (message.find(R"("op":"subscribe")") != std::string::npos &&
          message.find(R"("channel":"books")") != std::string::npos) {
        c.write(btc_snapshot);
      }
    }
  }

  Faults faults_;
  std::mutex mutex_;
  MockRest rest_;
  MockWebSocket ws_;
};

// BTC-USDT trades in the recording: how many, and the last price.
std::pair<int, double> recorded_btc_trades() {
  const std::regex trade_entry(R"re("instId":"BTC-USDT","tradeId":"\d+","px":"([0-9.]+)")re");
  int count = 0;
  double last_price = 0;
  for (const auto& line : okx_lines("ws_trades.jsonl")) {
    for (std::sregex_iterator it(line.begin(), line.end(), trade_entry), end; it != end; ++it) {
      ++count;
      last_price = std::stod((*it)[1].str());
    }
  }
  return {count, last_price};
}

std::filesystem::path okx_config(const TempDir& dir, const MockOkx& venue, const std::string& extra = "") {
  return dir.write("okx.toml",
                   "[[feed]]\nexchange = \"okx\"\nsymbols = [\"BTC/USDT\", \"NOPE/USDT\"]\nrest_url = \"" +
                       venue.rest_url() + "\"\nws_url = \"" + venue.ws_url() + "\"\n" + extra);
}

const std::map<std::string, std::string> kBtc{{"exchange", "okx"}, {"symbol", "BTC/USDT"}};
const std::map<std::string, std::string> kOkx{{"exchange", "okx"}};

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
  EXPECT_TRUE(daemon.wait_for_log("okx: unknown symbol, not subscribed"));
  EXPECT_TRUE(daemon.wait_for_log("symbol=NOPE/USDT"));

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
  EXPECT_TRUE(daemon.wait_for_log("okx: book out of sync, resubscribing"));
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
  EXPECT_TRUE(daemon.wait_for_log("okx: disconnected, reconnecting"));
  (void)last_price;
}

TEST(OkxEndToEnd, GarbageAndTruncatedFramesAreCountedAndSkipped) {
  const auto [expected_trades, last_price] = recorded_btc_trades();
  MockOkx venue({.garbage = true});
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBtc, expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), expected_trades) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kBtc), last_price);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "okx"}, {"kind", "parse"}}), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kOkx), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kOkx), 0)
      << "bad frames do not cost the connection";
  EXPECT_TRUE(daemon.wait_for_log("okx: malformed message dropped"));
}

TEST(OkxEndToEnd, SilentVenueIsDetectedAndReconnected) {
  const auto [expected_trades, last_price] = recorded_btc_trades();
  MockOkx venue({.silent_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue, "silence_timeout = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBtc, 2 * expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), 2 * expected_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kOkx), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "okx"}, {"kind", "silence"}}), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kOkx), 1);
  EXPECT_TRUE(daemon.wait_for_log("silence: no data message for 1000 ms"));
  (void)last_price;
}

TEST(OkxEndToEnd, RateLimitedBannedAndFailingMetadataIsRetriedAsTheVenueAsks) {
  const auto [expected_trades, last_price] = recorded_btc_trades();
  MockOkx venue({.instrument_failures = {429, 418, 503}});
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBtc, expected_trades, 30s);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), expected_trades) << daemon.stderr_text();
  const auto requests = [&](const std::string& code) {
    return sum_of(samples, "tickguard_rest_requests_total",
                  {{"exchange", "okx"}, {"endpoint", "instruments"}, {"code", code}});
  };
  EXPECT_EQ(requests("429"), 1);
  EXPECT_EQ(requests("418"), 1);
  EXPECT_EQ(requests("503"), 1);
  EXPECT_EQ(requests("200"), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "okx"}, {"kind", "rate_limited"}}),
            2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "okx"}, {"kind", "http_status"}}),
            1);
  EXPECT_EQ(venue.connections(), 1) << "the stream starts once, after the metadata arrived";
  EXPECT_TRUE(daemon.wait_for_log("rest request failed, retrying"));
  (void)last_price;
}

TEST(OkxEndToEnd, StreamsOverTlsWithAVerifiedCertificate) {
  const auto [expected_trades, last_price] = recorded_btc_trades();
  MockOkx venue({.tls = true});
  ASSERT_EQ(venue.ws_url().substr(0, 6), "wss://");
  TempDir dir;
  // The daemon trusts the mock's self-signed certificate through OpenSSL's SSL_CERT_FILE.
  DaemonProcess daemon({"--config", okx_config(dir, venue).string()}, {"SSL_CERT_FILE=" + venue.cert_file()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBtc, expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), expected_trades) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kBtc), last_price);
}

TEST(OkxEndToEnd, UntrustedCertificateIsRefusedAndCountedAsTls) {
  MockOkx venue({.tls = true});
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples =
      scrape_until(daemon, "tickguard_feed_errors_total", {{"exchange", "okx"}, {"kind", "tls"}}, 1);
  EXPECT_GE(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "okx"}, {"kind", "tls"}}), 1)
      << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kOkx), 0);
  EXPECT_TRUE(daemon.wait_for_log("certificate verify failed")) << daemon.stderr_text();
}

TEST(OkxEndToEnd, PollsPricesOverRestWhileTheStreamIsDownAndStopsWhenItIsBack) {
  MockOkx venue({.ws_down = true});
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue, "rest_poll_interval = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  // Three distinct REST trades, however many times they are polled.
  auto samples = scrape_until(daemon, "tickguard_rest_requests_total",
                              {{"exchange", "okx"}, {"endpoint", "trades"}, {"code", "200"}}, 3);
  EXPECT_GE(sum_of(samples, "tickguard_rest_requests_total",
                   {{"exchange", "okx"}, {"endpoint", "trades"}, {"code", "200"}}),
            3)
      << daemon.stderr_text();
  EXPECT_GE(sum_of(samples, "tickguard_rest_requests_total",
                   {{"exchange", "okx"}, {"endpoint", "ticker"}, {"code", "200"}}),
            3);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), 3);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kBtc), 50001.5);
  EXPECT_NEAR(sum_of(samples, "tickguard_spread_ratio", kBtc), 1.0 / 50001.5, 1e-9);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kOkx), 0);
  EXPECT_GT(venue.refused(), 0);
  EXPECT_TRUE(daemon.wait_for_log("rest fallback: stream down, polling prices over REST"));

  // The venue's stream comes back: the recording flows and polling stops.
  const auto [expected_trades, last_price] = recorded_btc_trades();
  venue.set_ws_up();
  samples = scrape_until(daemon, "tickguard_feed_up", kOkx, 1, 30s);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kOkx), 1) << daemon.stderr_text();
  samples = scrape_until(daemon, "tickguard_trades_total", kBtc, 3 + expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), 3 + expected_trades);
  const double polls = sum_of(daemon.scrape(), "tickguard_rest_requests_total", {{"endpoint", "trades"}});
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(sum_of(daemon.scrape(), "tickguard_rest_requests_total", {{"endpoint", "trades"}}), polls)
      << "no polling once the stream is back";
  EXPECT_TRUE(daemon.wait_for_log("rest fallback: stream is back, polling stopped"));
  (void)last_price;
}

TEST(OkxEndToEnd, PollsOverRestWhenTheVenueAcceptsConnectionsAndDropsThem) {
  MockOkx venue({.ws_flapping = true});
  TempDir dir;
  DaemonProcess daemon({"--config", okx_config(dir, venue, "rest_poll_interval = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  // Each handshake succeeds, but no market data ever arrives: that is not a working stream.
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBtc, 3);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBtc), 3) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kBtc), 50001.5);
  EXPECT_GE(sum_of(samples, "tickguard_feed_reconnects_total", kOkx), 1);
}

}  // namespace
}  // namespace tickguard::testing
