// Bybit end to end: `tickguard run` with rest_url/ws_url pointed at a mock Bybit v5 on loopback.
// The mock serves spot instrument metadata in two pages and the REST fallback's tickers and
// recent-trade replies, answers the subscription handshake, pings and orderbook resubscriptions as
// Bybit documents them, and replays tests/fixtures/bybit/v5_ws_spot_replay.jsonl (the recorded
// LTCUSDT/XTZUSDT session rewritten to v5, see the README there), optionally with faults injected.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "daemon_process.h"
#include "mock_venue.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::vector<std::string> bybit_lines(const std::string& file) { return fixture_lines("bybit", file); }

constexpr const char* kSecondPageCursor = "eyJwYWdlIjoyfQ==";
// The subscription the connector must send for the configured LTC/USDT and XTZ/USDT (config order).
constexpr const char* kSubscribe =
    R"({"op":"subscribe","args":["publicTrade.LTCUSDT","tickers.LTCUSDT","orderbook.50.LTCUSDT",)"
    R"("publicTrade.XTZUSDT","tickers.XTZUSDT","orderbook.50.XTZUSDT"]})";
constexpr const char* kLtcBookSubscribe = R"({"op":"subscribe","args":["orderbook.50.LTCUSDT"]})";
constexpr const char* kLtcBookUnsubscribe = R"({"op":"unsubscribe","args":["orderbook.50.LTCUSDT"]})";

// What Bybit pushes after a book (re)subscription: a fresh snapshot, then deltas continuing its u.
// Constructed per the v5 docs. The final top is bid 300.10, ask 300.40.
const std::vector<std::string> kFreshLtcBook = {
    R"({"topic":"orderbook.50.LTCUSDT","ts":1618677830000,"type":"snapshot","data":{"s":"LTCUSDT",)"
    R"("b":[["300.00","1.5"],["299.90","2"]],"a":[["300.30","1"],["300.40","3"]],"u":5000000,"seq":864200000},)"
    R"("cts":1618677830000})",
    R"({"topic":"orderbook.50.LTCUSDT","ts":1618677830020,"type":"delta","data":{"s":"LTCUSDT",)"
    R"("b":[["300.10","0.5"]],"a":[],"u":5000001,"seq":864200010},"cts":1618677830020})",
    R"({"topic":"orderbook.50.LTCUSDT","ts":1618677830040,"type":"delta","data":{"s":"LTCUSDT",)"
    R"("b":[],"a":[["300.30","0"]],"u":5000002,"seq":864200020},"cts":1618677830040})",
};
constexpr double kFreshLtcSpread = (300.40 - 300.10) / ((300.40 + 300.10) / 2);

// Faults the mock injects.
struct Faults {
  int skip_ltc_delta = -1;                 // leave out this LTCUSDT orderbook delta (0-based): a gap in u
  bool drop_first_connection = false;      // reset the first connection right after the replay
  bool silent_first_connection = false;    // after the first replay, stay connected but send nothing
  bool garbage = false;                    // a non-JSON frame and a truncated trade frame come first
  std::vector<int> instrument_failures{};  // statuses of the first instruments-info requests (then 200)
  bool tls = false;                        // wss:// with a self-signed certificate
  bool refuse_stream = false;              // drop every connection right after its handshake, until
                                           // MockBybit::accept_stream()
  int garbled_recent_trades = 0;           // the first recent-trade replies are cut in half
};

// The REST fallback's replies (one per line, by symbol) and the WebSocket replay's last prices.
std::string reply_for(const std::vector<std::string>& replies, const std::string& venue_symbol) {
  for (const auto& reply : replies) {
    if (reply.find(R"("symbol":")" + venue_symbol + "\"") != std::string::npos) return reply;
  }
  return {};
}

class MockBybit {
 public:
  explicit MockBybit(Faults faults = {})
      : faults_(std::move(faults)), ws_([this](MockConnection& c) { session(c); }, faults_.tls) {
    pages_[""] = bybit_lines("v5_instruments_info_spot_page1.json").at(0);
    pages_[kSecondPageCursor] = bybit_lines("v5_instruments_info_spot_page2.json").at(0);
    rest_.server().Get(
        "/v5/market/instruments-info",
        [this](const httplib::Request& req, httplib::Response& res) { instruments(req, res); });
    rest_.server().Get("/v5/market/tickers", [](const httplib::Request& req, httplib::Response& res) {
      serve_symbol(req, res, bybit_lines("v5_market_tickers_spot.jsonl"));
    });
    rest_.server().Get(
        "/v5/market/recent-trade", [this](const httplib::Request& req, httplib::Response& res) {
          // Spot accepts limit 1..60.
          const std::string limit = req.get_param_value("limit");
          if (!limit.empty() && (std::atoi(limit.c_str()) < 1 || std::atoi(limit.c_str()) > 60)) {
            res.status = 400;
            return;
          }
          serve_symbol(req, res, bybit_lines("v5_market_recent_trade_spot.jsonl"));
          if (garbled_served_++ < faults_.garbled_recent_trades) res.body.resize(res.body.size() / 2);
        });
    rest_.start();
  }
  // Lets the WebSocket sessions run normally from now on (see Faults::refuse_stream).
  void accept_stream() { refuse_stream_ = false; }
  std::string rest_url() const { return rest_.url(); }
  std::string ws_url() const { return ws_.url("/v5/public/spot"); }
  std::vector<std::string> received() const { return ws_.received(); }
  bool wait_for_received(const std::string& needle) const { return ws_.wait_for_received(needle, 10s); }
  int connections() const { return ws_.connections(); }
  const std::string& cert_file() const { return ws_.cert_file(); }
  std::vector<Clock::time_point> rest_request_times() const {
    std::lock_guard lock(mutex_);
    return request_times_;
  }

 private:
  void instruments(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    request_times_.push_back(Clock::now());
    if (failures_served_ < faults_.instrument_failures.size()) {
      res.status = faults_.instrument_failures[failures_served_++];
      if (res.status == 429) res.set_header("Retry-After", "3");
      res.set_content(R"({"retCode":10006,"retMsg":"Too many visits!"})", "application/json");
      return;
    }
    const auto page = pages_.find(req.get_param_value("cursor"));
    if (req.get_param_value("category") != "spot" || page == pages_.end()) {
      res.status = 400;
      return;
    }
    res.set_content(page->second, "application/json");
  }

  // A fallback reply for category=spot&symbol=S; Bybit's answer for a symbol it does not list.
  static void serve_symbol(const httplib::Request& req, httplib::Response& res,
                           const std::vector<std::string>& replies) {
    if (req.get_param_value("category") != "spot") {
      res.status = 400;
      return;
    }
    std::string body = reply_for(replies, req.get_param_value("symbol"));
    if (body.empty()) {
      body =
          R"({"retCode":10001,"retMsg":"Not supported symbols","result":{},"retExtInfo":{},"time":1618678012400})";
    }
    res.set_content(body, "application/json");
  }

  static void reply(MockConnection& c, const std::string& request) {
    std::smatch op;
    if (!std::regex_search(request, op, std::regex(R"re("op":"(\w+)")re"))) return;
    if (op[1] == "ping") {
      c.write(R"({"success":true,"ret_msg":"pong","conn_id":"mock","req_id":"","op":"ping"})");
      return;
    }
    c.write(R"({"success":true,"ret_msg":"","conn_id":"mock","req_id":"","op":")" + op[1].str() + R"("})");
    if (request == kLtcBookSubscribe) {
      for (const auto& line : kFreshLtcBook) c.write(line);
    }
  }

  void session(MockConnection& c) {
    if (refuse_stream_) return c.drop();  // handshake done, then a reset: not a working stream
    std::string request;
    if (!c.read(request)) return;  // the subscription (6 args: one request)
    reply(c, request);
    if (faults_.garbage && c.index() == 0) {
      c.write("this is not json");
      const std::string trade = bybit_lines("v5_ws_spot_replay.jsonl").at(0);
      c.write(trade.substr(0, trade.size() / 2));  // cut mid-message
    }
    int ltc_deltas = 0;
    for (const auto& line : bybit_lines("v5_ws_spot_replay.jsonl")) {
      const bool ltc_delta = line.find(R"("topic":"orderbook.50.LTCUSDT")") != std::string::npos &&
                             line.find(R"("type":"delta")") != std::string::npos;
      if (ltc_delta && ltc_deltas++ == faults_.skip_ltc_delta) continue;
      c.write(line);
    }
    if (faults_.drop_first_connection && c.index() == 0) return c.drop();  // no close frame
    if (faults_.silent_first_connection && c.index() == 0) return c.go_silent();
    while (c.read(request)) reply(c, request);
  }

  const Faults faults_;
  std::atomic<bool> refuse_stream_{faults_.refuse_stream};
  std::atomic<int> garbled_served_{0};
  std::map<std::string, std::string> pages_;  // instruments-info body by cursor
  mutable std::mutex mutex_;
  std::size_t failures_served_ = 0;
  std::vector<Clock::time_point> request_times_;
  MockRest rest_;
  MockWebSocket ws_;
};

// Trades of `venue_symbol` in the replay: how many, and the last price.
std::pair<int, double> replayed_trades(const std::string& venue_symbol) {
  const std::regex trade(R"re("p":"([0-9.]+)","v":"[0-9.]+","S":"(Buy|Sell)","s":")re" + venue_symbol + "\"");
  int count = 0;
  double last_price = 0;
  for (const auto& line : bybit_lines("v5_ws_spot_replay.jsonl")) {
    for (std::sregex_iterator it(line.begin(), line.end(), trade), end; it != end; ++it) {
      ++count;
      last_price = std::stod((*it)[1].str());
    }
  }
  return {count, last_price};
}

// Trades of `venue_symbol` the mock's recent-trade reply lists: how many distinct ones, and the
// price of the newest.
std::pair<int, double> rest_trades(const std::string& venue_symbol) {
  const std::string reply = reply_for(bybit_lines("v5_market_recent_trade_spot.jsonl"), venue_symbol);
  const std::regex trade(
      R"re("execId":"(\d+)","symbol":")re" + venue_symbol +
      R"re(","price":"([0-9.]+)","size":"[0-9.]+","side":"(?:Buy|Sell)","time":"(\d+)")re");
  std::set<std::string> ids;
  long long newest = -1;
  double price = 0;
  for (std::sregex_iterator it(reply.begin(), reply.end(), trade), end; it != end; ++it) {
    ids.insert((*it)[1].str());
    if (const long long time = std::stoll((*it)[3].str()); time > newest) {
      newest = time;
      price = std::stod((*it)[2].str());
    }
  }
  return {static_cast<int>(ids.size()), price};
}

int replayed_ltc_deltas() {
  int count = 0;
  for (const auto& line : bybit_lines("v5_ws_spot_replay.jsonl")) {
    count += line.find(R"("topic":"orderbook.50.LTCUSDT")") != std::string::npos &&
             line.find(R"("type":"delta")") != std::string::npos;
  }
  return count;
}

std::filesystem::path bybit_config(const TempDir& dir, const MockBybit& venue,
                                   const std::string& extra = "") {
  return dir.write("bybit.toml",
                   "[[feed]]\nexchange = \"bybit\"\n"
                   "symbols = [\"LTC/USDT\", \"XTZ/USDT\", \"NOPE/USDT\", \"OLD/USDT\"]\nrest_url = \"" +
                       venue.rest_url() + "\"\nws_url = \"" + venue.ws_url() + "\"\n" + extra);
}

const std::map<std::string, std::string> kLtc{{"exchange", "bybit"}, {"symbol", "LTC/USDT"}};
const std::map<std::string, std::string> kXtz{{"exchange", "bybit"}, {"symbol", "XTZ/USDT"}};
const std::map<std::string, std::string> kBybit{{"exchange", "bybit"}};

std::map<std::string, std::string> rest_code(const std::string& code) {
  return {{"exchange", "bybit"}, {"endpoint", "instruments-info"}, {"code", code}};
}
std::map<std::string, std::string> rest_endpoint(const std::string& endpoint, const std::string& code) {
  return {{"exchange", "bybit"}, {"endpoint", endpoint}, {"code", code}};
}
std::map<std::string, std::string> error_kind(const std::string& kind) {
  return {{"exchange", "bybit"}, {"kind", kind}};
}

// Sets an environment variable of this process (inherited by the daemon) for one scope.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

int count_equal(const std::vector<std::string>& messages, const std::string& wanted) {
  return static_cast<int>(std::count(messages.begin(), messages.end(), wanted));
}

TEST(BybitEndToEnd, StreamsTradesTickersAndBooksThroughTheDaemon) {
  const auto [ltc_trades, ltc_last_price] = replayed_trades("LTCUSDT");
  const auto [xtz_trades, xtz_last_price] = replayed_trades("XTZUSDT");
  ASSERT_EQ(ltc_trades + xtz_trades, 58);
  MockBybit venue;
  TempDir dir;
  DaemonProcess daemon({"--config", bybit_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  scrape_until(daemon, "tickguard_trades_total", kXtz, xtz_trades);
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kLtc, ltc_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), ltc_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXtz), xtz_trades);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kLtc), ltc_last_price);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kXtz), xtz_last_price);
  for (const auto& symbol : {kLtc, kXtz}) {  // from the top of each book
    EXPECT_GT(sum_of(samples, "tickguard_spread_ratio", symbol), 0);
    EXPECT_LT(sum_of(samples, "tickguard_spread_ratio", symbol), 0.01);
  }
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBybit), 1);
  EXPECT_GT(sum_of(samples, "tickguard_feed_messages_total", kBybit), ltc_trades + xtz_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", rest_code("200")), 2) << "two metadata pages";
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kLtc), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kXtz), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kBybit), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kBybit), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBybit), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", kBybit), 0);

  const auto received = venue.received();
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(received.front(), kSubscribe);
  EXPECT_EQ(venue.connections(), 1);
  const std::string log = daemon.stderr_text();
  EXPECT_NE(log.find("bybit: unknown symbol, not subscribed"), std::string::npos) << log;
  EXPECT_NE(log.find("symbol=NOPE/USDT"), std::string::npos);
  EXPECT_NE(log.find("symbol=OLD/USDT hint=\"listed on Bybit spot but not trading\""), std::string::npos)
      << log;

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
}

TEST(BybitEndToEnd, SkippedUpdateIdIsAGapAndOnlyThatBookIsResubscribed) {
  constexpr int kSkipped = 10;
  MockBybit venue({.skip_ltc_delta = kSkipped});
  TempDir dir;
  DaemonProcess daemon({"--config", bybit_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  auto samples = scrape_until(daemon, "tickguard_feed_sequence_gaps_total", kLtc, 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kLtc), 1) << daemon.stderr_text();
  EXPECT_TRUE(daemon.wait_for_log("bybit: book out of sync, resubscribing"));
  ASSERT_TRUE(venue.wait_for_received(kLtcBookSubscribe)) << daemon.stderr_text();

  // The fresh book arrives and its deltas apply: the spread settles on the fresh book's top.
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline &&
         std::abs(sum_of(daemon.scrape(), "tickguard_spread_ratio", kLtc) - kFreshLtcSpread) > 1e-9) {
    std::this_thread::sleep_for(50ms);
  }
  samples = daemon.scrape();
  EXPECT_NEAR(sum_of(samples, "tickguard_spread_ratio", kLtc), kFreshLtcSpread, 1e-9) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kLtc), 1) << "no further failure";
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kXtz), 0);
  // Dropped: the delta that showed the gap and every later LTCUSDT delta of the replay, which
  // arrived before the fresh snapshot.
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kBybit),
            replayed_ltc_deltas() - kSkipped - 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBybit), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBybit), 0);

  // Only the LTCUSDT book was resubscribed, once: unsubscribe, then subscribe.
  const auto received = venue.received();
  EXPECT_EQ(count_equal(received, kLtcBookUnsubscribe), 1);
  EXPECT_EQ(count_equal(received, kLtcBookSubscribe), 1);
  int other_ops = 0;
  for (const auto& m : received) {
    other_ops += m != kSubscribe && m != kLtcBookSubscribe && m != kLtcBookUnsubscribe &&
                 m.find(R"("op":"ping")") == std::string::npos;
  }
  EXPECT_EQ(other_ops, 0);
  EXPECT_LT(std::find(received.begin(), received.end(), kLtcBookUnsubscribe),
            std::find(received.begin(), received.end(), kLtcBookSubscribe));
}

TEST(BybitEndToEnd, DroppedConnectionReconnectsResubscribesAndResumes) {
  const auto [ltc_trades, last_price] = replayed_trades("LTCUSDT");
  MockBybit venue({.drop_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", bybit_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  // The replay is sent twice: once before the drop, once after the reconnect.
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kLtc, 2 * ltc_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), 2 * ltc_trades) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kLtc), last_price);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBybit), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBybit), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", error_kind("disconnected")), 1);
  // Both books restart from the second connection's snapshots: no gap, nothing dropped.
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kBybit), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kBybit), 0);
  EXPECT_EQ(count_equal(venue.received(), kSubscribe), 2);
  EXPECT_EQ(venue.connections(), 2);
  EXPECT_TRUE(daemon.wait_for_log("bybit: disconnected, reconnecting"));
}

TEST(BybitEndToEnd, GarbageAndTruncatedFramesAreCountedAndSkipped) {
  const auto [ltc_trades, last_price] = replayed_trades("LTCUSDT");
  MockBybit venue({.garbage = true});
  TempDir dir;
  DaemonProcess daemon({"--config", bybit_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kLtc, ltc_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), ltc_trades) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kLtc), last_price);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", error_kind("parse")), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kBybit), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBybit), 0) << "bad frames cost no connection";
  EXPECT_TRUE(daemon.wait_for_log("bybit: malformed message dropped"));
}

TEST(BybitEndToEnd, SilentVenueIsDetectedAndReconnected) {
  const auto [ltc_trades, last_price] = replayed_trades("LTCUSDT");
  MockBybit venue({.silent_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", bybit_config(dir, venue, "silence_timeout = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kLtc, 2 * ltc_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), 2 * ltc_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBybit), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", error_kind("silence")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBybit), 1);
  EXPECT_TRUE(daemon.wait_for_log("silence: no data message for 1000 ms"));
  (void)last_price;
}

TEST(BybitEndToEnd, FailingThenRateLimitedMetadataIsRetriedAsTheVenueAsks) {
  const auto [ltc_trades, last_price] = replayed_trades("LTCUSDT");
  MockBybit venue({.instrument_failures = {503, 429}});
  TempDir dir;
  DaemonProcess daemon({"--config", bybit_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kLtc, ltc_trades, 30s);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), ltc_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", rest_code("503")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", rest_code("429")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", rest_code("200")), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", error_kind("http_status")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", error_kind("rate_limited")), 1);
  // Retry-After: 3 was honoured (the backoff alone would have retried within 2 s).
  const auto times = venue.rest_request_times();
  ASSERT_EQ(times.size(), 4u);
  EXPECT_GE(times[2] - times[1], 2900ms);
  EXPECT_EQ(venue.connections(), 1) << "the stream starts once, after the metadata arrived";
  EXPECT_TRUE(daemon.wait_for_log("rest request failed, retrying"));
  (void)last_price;
}

TEST(BybitEndToEnd, StreamsOverTlsWithAVerifiedCertificate) {
  const auto [ltc_trades, last_price] = replayed_trades("LTCUSDT");
  MockBybit venue({.tls = true});
  ASSERT_EQ(venue.ws_url().substr(0, 6), "wss://");
  TempDir dir;
  // The daemon trusts the mock's self-signed certificate through OpenSSL's SSL_CERT_FILE. The
  // harness appends its environment entries after ours, and getenv() finds the first one, so an
  // SSL_CERT_FILE already set here (CI images often set one) must be replaced, not added to.
  const ScopedEnvironment trust("SSL_CERT_FILE", venue.cert_file());
  DaemonProcess daemon({"--config", bybit_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kLtc, ltc_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), ltc_trades) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kLtc), last_price);
}

TEST(BybitEndToEnd, RestFallbackPollsPricesWhileTheStreamIsDownAndStopsWhenItIsBack) {
  const auto started = Clock::now();
  const auto [ltc_rest_trades, ltc_rest_price] = rest_trades("LTCUSDT");
  const auto [xtz_rest_trades, xtz_rest_price] = rest_trades("XTZUSDT");
  const auto [ltc_trades, ltc_last_price] = replayed_trades("LTCUSDT");
  ASSERT_EQ(ltc_rest_trades, 5);
  ASSERT_EQ(xtz_rest_trades, 3);
  ASSERT_NE(ltc_rest_price, ltc_last_price);
  // The best bid/ask of the LTCUSDT tickers reply.
  constexpr double kRestLtcSpread = (315.49 - 315.43) / ((315.49 + 315.43) / 2);

  MockBybit venue({.refuse_stream = true, .garbled_recent_trades = 1});
  TempDir dir;
  DaemonProcess daemon({"--config", bybit_config(dir, venue, "rest_poll_interval = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  // Every connection is reset after its handshake: after the grace (1 s, the poll interval), both
  // symbols are polled every second. Each REST trade counts once however many rounds list it; the
  // first, truncated, recent-trade reply is counted as a parse error and skipped.
  scrape_until(daemon, "tickguard_trades_total", kXtz, xtz_rest_trades, 10s);
  scrape_until(daemon, "tickguard_trades_total", kLtc, ltc_rest_trades, 10s);
  auto samples =
      scrape_until(daemon, "tickguard_rest_requests_total", rest_endpoint("trades", "200"), 3 * 2, 10s);
  EXPECT_GE(sum_of(samples, "tickguard_rest_requests_total", rest_endpoint("trades", "200")), 3 * 2)
      << "three rounds of two symbols" << daemon.stderr_text();
  EXPECT_GE(sum_of(samples, "tickguard_rest_requests_total", rest_endpoint("ticker", "200")), 3 * 2);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), ltc_rest_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXtz), xtz_rest_trades);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kLtc), ltc_rest_price);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kXtz), xtz_rest_price);
  EXPECT_NEAR(sum_of(samples, "tickguard_spread_ratio", kLtc), kRestLtcSpread, 1e-9)
      << "from the REST ticker";
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", error_kind("parse")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", error_kind("venue")), 0);
  EXPECT_TRUE(daemon.wait_for_log(R"(msg="bybit: unusable REST fallback reply" endpoint=trades)"))
      << daemon.stderr_text();
  EXPECT_GE(venue.connections(), 2) << "the stream kept being retried";
  // A refused connection is up between its handshake and its reset, a blink a scrape can land in.
  const auto feed_down_by = Clock::now() + 2s;
  while (Clock::now() < feed_down_by && sum_of(samples, "tickguard_feed_up", kBybit) != 0) {
    std::this_thread::sleep_for(50ms);
    samples = daemon.scrape();
  }
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBybit), 0);
  EXPECT_TRUE(daemon.wait_for_log("rest fallback: stream down, polling prices over REST"))
      << daemon.stderr_text();

  // The stream works again: it takes over (its replay is older than the REST trades, but streamed
  // trades always count) and polling stops.
  venue.accept_stream();
  samples = scrape_until(daemon, "tickguard_trades_total", kLtc, ltc_rest_trades + ltc_trades, 10s);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), ltc_rest_trades + ltc_trades)
      << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kLtc), ltc_last_price);
  samples = scrape_until(daemon, "tickguard_feed_up", kBybit, 1, 5s);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBybit), 1);
  EXPECT_TRUE(daemon.wait_for_log("rest fallback: stream is back")) << daemon.stderr_text();
  const double polled = sum_of(samples, "tickguard_rest_requests_total", rest_endpoint("trades", "200"));
  std::this_thread::sleep_for(2500ms);  // two and a half poll intervals
  samples = daemon.scrape();
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", rest_endpoint("trades", "200")), polled);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLtc), ltc_rest_trades + ltc_trades);

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
  EXPECT_LT(Clock::now() - started, 20s);
}

}  // namespace
}  // namespace tickguard::testing
