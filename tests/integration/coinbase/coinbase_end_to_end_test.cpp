// Coinbase end to end: `tickguard run` with rest_url/ws_url pointed at a mock Coinbase Exchange on
// loopback that serves the recorded /products listing and replays the recorded feed frames
// (snapshot, l2update, match, last_match, ticker) in recording-time order, with subscription acks
// and heartbeats constructed as the venue sends them, optionally with faults injected. It also
// serves the REST ticker and recent trades the connector polls while the stream is down.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "daemon_process.h"
#include "mock_venue.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> coinbase_lines(const std::string& file) { return fixture_lines("coinbase", file); }

std::string field(const std::string& frame, const std::string& name) {
  std::smatch match;
  const std::regex pattern("\"" + name + R"re(":"?([^",}]*))re");
  return std::regex_search(frame, match, pattern) ? match[1].str() : std::string();
}

bool is_product(const std::string& frame, const std::string& product) {
  return field(frame, "product_id") == product;
}

// Faults the mock injects.
struct Faults {
  int skip_skl_match = -1;                   // leave out this SKL-USD match (0-based, in replay order)
  bool drop_first_connection = false;        // reset the first connection right after the replay
  bool silent_first_connection = false;      // keep the first connection open but send nothing more
  bool garbage_frames = false;               // a non-JSON frame and a truncated frame amid the replay
  int products_rate_limited = 0;             // the first N GET /products answer 429 with Retry-After: 1
  bool malformed_first_dash_ticker = false;  // the first DASH-BTC REST ticker body is cut short
};

// The REST fallback bodies. SKL-USD: the constructed fixtures (5 trades, newest first, none of
// their prices in the WebSocket replay), plus from the third trades request on one newer trade.
// DASH-BTC: a ticker and two trades constructed the same way.
const std::string kSklNewerTrade =
    R"({"time":"2021-04-17T16:45:12.000001Z","trade_id":1568326,"price":"0.7724","size":"8","side":"sell"})";
constexpr int kSklRestTrades = 6;
constexpr double kSklRestLastPrice = 0.7724;
const std::string kDashTicker =
    R"({"ask":"0.00621","bid":"0.00620","volume":"10400.5","trade_id":923577,"price":"0.0062055",)"
    R"("size":"0.5","time":"2021-04-17T16:45:09.000100Z"})";
const std::string kDashTrades =
    R"([{"time":"2021-04-17T16:45:09.000100Z","trade_id":923577,"price":"0.0062055","size":"0.5","side":"buy"},)"
    R"({"time":"2021-04-17T16:45:02.5Z","trade_id":923576,"price":"0.0062101","size":"1.25","side":"sell"}])";
constexpr int kDashRestTrades = 2;
constexpr double kDashRestLastPrice = 0.0062055;

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line;
  return out;
}

// The frames the mock streams after the snapshots: recorded l2updates, matches and tickers of the
// given products, merged in recording-time order (stable, so equal times keep file order).
std::vector<std::string> recorded_stream(const std::set<std::string>& products) {
  std::vector<std::pair<std::string, std::string>> timed;
  for (const char* file : {"ws_l2update.jsonl", "ws_match.jsonl", "ws_ticker.jsonl"}) {
    for (auto& line : coinbase_lines(file)) {
      if (products.contains(field(line, "product_id")))
        timed.emplace_back(field(line, "time"), std::move(line));
    }
  }
  std::stable_sort(timed.begin(), timed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [time, line] : timed) out.push_back(std::move(line));
  return out;
}

const std::set<std::string> kProducts = {"SKL-USD", "DASH-BTC"};

// Recorded trades of a product in replay order: how many, the last price and the last trade id.
struct RecordedTrades {
  int count = 0;
  double last_price = 0;
  std::uint64_t last_trade_id = 0;
};

RecordedTrades recorded_trades(const std::string& product) {
  RecordedTrades out;
  for (const auto& line : recorded_stream(kProducts)) {
    if (field(line, "type") != "match" || !is_product(line, product)) continue;
    ++out.count;
    out.last_price = std::stod(field(line, "price"));
    out.last_trade_id = std::stoull(field(line, "trade_id"));
  }
  return out;
}

std::string heartbeat(const std::string& product, std::uint64_t last_trade_id) {
  return R"({"type":"heartbeat","last_trade_id":)" + std::to_string(last_trade_id) + R"(,"product_id":")" +
         product + R"(","sequence":999999999,"time":"2021-04-17T16:44:00.000000Z"})";
}

// The mock venue: REST /products from the recording, and a WebSocket speaking the Exchange feed.
class MockCoinbase {
 public:
  explicit MockCoinbase(Faults faults = {})
      : faults_(faults), ws_([this](MockConnection& c) { session(c); }) {
    std::string products;
    for (const auto& line : coinbase_lines("rest_products.json")) products += line;
    rest_.server().Get("/products", [this, products](const httplib::Request&, httplib::Response& res) {
      if (products_requests_++ < faults_.products_rate_limited) {
        res.status = 429;
        res.set_header("Retry-After", "1");
        res.set_content(R"({"message":"Public rate limit exceeded"})", "application/json");
        return;
      }
      res.set_content(products, "application/json");
    });
    // The REST fallback: GET /products/{id}/ticker and GET /products/{id}/trades?limit=N.
    rest_.server().Get(R"(/products/([A-Z0-9-]+)/ticker)",
                       [this](const httplib::Request& req, httplib::Response& res) { ticker(req, res); });
    rest_.server().Get(R"(/products/([A-Z0-9-]+)/trades)",
                       [this](const httplib::Request& req, httplib::Response& res) { trades(req, res); });
    rest_.start();
  }
  std::string rest_url() const { return rest_.url(); }
  std::string ws_url() const { return ws_.url("/"); }
  std::vector<std::string> received() const { return ws_.received(); }
  const MockWebSocket& ws() const { return ws_; }
  // While false the WebSocket venue is down: connections are closed before the handshake.
  void set_ws_accepting(bool accepting) { ws_.set_accepting(accepting); }
  int skl_trades_requests() const { return skl_trades_; }
  int trades_limit() const { return trades_limit_; }

 private:
  void ticker(const httplib::Request& req, httplib::Response& res) {
    const std::string product = req.matches[1];
    if (product == "SKL-USD") {
      res.set_content(skl_ticker_, "application/json");
    } else if (product == "DASH-BTC") {
      const bool cut = dash_tickers_++ == 0 && faults_.malformed_first_dash_ticker;
      res.set_content(cut ? kDashTicker.substr(0, 20) : kDashTicker, "application/json");
    } else {
      res.status = 404;
      res.set_content(R"({"message":"NotFound"})", "application/json");
    }
  }

  void trades(const httplib::Request& req, httplib::Response& res) {
    const std::string product = req.matches[1];
    const std::string limit = req.get_param_value("limit");
    trades_limit_ = limit.empty() ? 0 : std::stoi(limit);
    if (product == "SKL-USD") {
      // From the third request on, one trade newer than the fixture's comes first.
      const bool newer = skl_trades_++ >= 2;
      res.set_content(newer ? "[" + kSklNewerTrade + "," + skl_trades_body_.substr(1) : skl_trades_body_,
                      "application/json");
    } else if (product == "DASH-BTC") {
      res.set_content(kDashTrades, "application/json");
    } else {
      res.status = 404;
      res.set_content(R"({"message":"NotFound"})", "application/json");
    }
  }

  static std::vector<std::string> requested_products(const std::string& request) {
    std::smatch list;
    std::vector<std::string> out;
    if (!std::regex_search(request, list, std::regex(R"re("product_ids":\[([^\]]*)\])re"))) return out;
    const std::string ids = list[1].str();
    const std::regex id(R"re("([^"]+)")re");
    for (std::sregex_iterator it(ids.begin(), ids.end(), id), end; it != end; ++it) out.push_back((*it)[1]);
    return out;
  }

  // The venue's acknowledgement: the channels now subscribed, each with its products.
  static std::string subscriptions_ack(const std::vector<std::string>& products) {
    std::string ids;
    for (const auto& p : products) ids += (ids.empty() ? "\"" : ",\"") + p + "\"";
    std::string out = R"({"type":"subscriptions","channels":[)";
    bool first = true;
    for (const char* channel : {"heartbeat", "matches", "ticker", "level2_batch"}) {
      out += std::string(first ? "" : ",") + R"({"name":")" + channel + R"(","product_ids":[)" + ids + "]}";
      first = false;
    }
    return out + "]}";
  }

  static void write_snapshot_and_updates(MockConnection& c, const std::string& product) {
    for (const auto& line : coinbase_lines("ws_snapshot.jsonl")) {
      if (is_product(line, product)) c.write(line);
    }
    for (const auto& line : coinbase_lines("ws_l2update.jsonl")) {
      if (is_product(line, product)) c.write(line);
    }
  }

  void session(MockConnection& c) {
    std::string request;
    if (!c.read(request, 5s)) return;  // the venue disconnects a client that does not subscribe
    const std::vector<std::string> products = requested_products(request);
    c.write(subscriptions_ack(products));
    for (const auto& line : coinbase_lines("ws_snapshot.jsonl")) {
      if (std::find(products.begin(), products.end(), field(line, "product_id")) != products.end())
        c.write(line);
    }
    for (const auto& line : coinbase_lines("ws_last_match.jsonl")) {
      const std::string product = field(line, "product_id");
      if (std::find(products.begin(), products.end(), product) == products.end()) continue;
      c.write(heartbeat(product, std::stoull(field(line, "trade_id"))));
      c.write(line);
    }
    int skl_matches = 0;
    int written = 0;
    for (const auto& line : recorded_stream({products.begin(), products.end()})) {
      if (field(line, "type") == "match" && is_product(line, "SKL-USD") &&
          skl_matches++ == faults_.skip_skl_match) {
        continue;
      }
      if (faults_.garbage_frames && written++ == 100) {
        c.write("this is not JSON at all");
        c.write(line.substr(0, line.size() / 2));  // a truncated copy; the real frame follows
      }
      c.write(line);
    }
    for (const auto& product : products) c.write(heartbeat(product, recorded_trades(product).last_trade_id));
    if (c.index() == 0 && faults_.drop_first_connection) return c.drop();  // no close frame
    if (c.index() == 0 && faults_.silent_first_connection) return c.go_silent();
    std::string message;
    while (c.read(message)) serve_request(c, message);
  }

  // After the replay: acknowledge (un)subscriptions; a book subscription gets a fresh snapshot,
  // the recorded updates again, and one more trade so recovery is visible downstream.
  static void serve_request(MockConnection& c, const std::string& message) {
    const std::vector<std::string> products = requested_products(message);
    c.write(subscriptions_ack(products));
    if (message.find(R"("type":"subscribe")") == std::string::npos) return;
    for (const auto& product : products) {
      write_snapshot_and_updates(c, product);
      const RecordedTrades trades = recorded_trades(product);
      c.write(R"({"type":"match","trade_id":)" + std::to_string(trades.last_trade_id + 1) +
              R"(,"side":"sell","size":"1","price":")" + std::to_string(trades.last_price) +
              R"(","product_id":")" + product + R"(","sequence":1000000000,"time":"2021-04-17T16:44:01Z"})");
      c.write(heartbeat(product, trades.last_trade_id + 1));
    }
  }

  Faults faults_;
  const std::string skl_ticker_ = joined(coinbase_lines("rest_ticker.json"));
  const std::string skl_trades_body_ = joined(coinbase_lines("rest_trades.json"));
  std::atomic<int> products_requests_{0};
  std::atomic<int> dash_tickers_{0};
  std::atomic<int> skl_trades_{0};
  std::atomic<int> trades_limit_{0};
  MockRest rest_;
  MockWebSocket ws_;
};

std::filesystem::path coinbase_config(const TempDir& dir, const MockCoinbase& venue,
                                      const std::string& extra = "") {
  return dir.write("coinbase.toml",
                   "[[feed]]\nexchange = \"coinbase\"\n"
                   "symbols = [\"SKL/USD\", \"DASH/BTC\", \"NOPE/USD\"]\nrest_url = \"" +
                       venue.rest_url() + "\"\nws_url = \"" + venue.ws_url() + "\"\n" + extra);
}

const std::map<std::string, std::string> kSkl{{"exchange", "coinbase"}, {"symbol", "SKL/USD"}};
const std::map<std::string, std::string> kDash{{"exchange", "coinbase"}, {"symbol", "DASH/BTC"}};
const std::map<std::string, std::string> kCoinbase{{"exchange", "coinbase"}};
const std::string kSubscribe = R"({"type":"subscribe","product_ids":["SKL-USD","DASH-BTC"],)"
                               R"("channels":["heartbeat","matches","ticker","level2_batch"]})";
const std::string kBookUnsubscribe =
    R"({"type":"unsubscribe","product_ids":["SKL-USD"],"channels":["level2_batch"]})";
const std::string kBookSubscribe =
    R"({"type":"subscribe","product_ids":["SKL-USD"],"channels":["level2_batch"]})";

// Polls the daemon's log for `needle` (bounded).
bool wait_for_log(const DaemonProcess& daemon, const std::string& needle,
                  std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (daemon.stderr_text().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(CoinbaseEndToEnd, StreamsRecordedTradesTickersAndBooksThroughTheDaemon) {
  const RecordedTrades skl = recorded_trades("SKL-USD");
  const RecordedTrades dash = recorded_trades("DASH-BTC");
  ASSERT_GT(skl.count, 40);
  ASSERT_GT(dash.count, 10);
  MockCoinbase venue;
  TempDir dir;
  DaemonProcess daemon({"--config", coinbase_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  scrape_until(daemon, "tickguard_trades_total", kDash, dash.count);
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kSkl, skl.count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kSkl), skl.count) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kDash), dash.count);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kSkl), skl.last_price);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kDash), dash.last_price);
  // SKL-USD traded near 0.79 with a 0.001 tick: the recorded best bid/ask give about 0.1 %.
  EXPECT_GT(sum_of(samples, "tickguard_spread_ratio", kSkl), 0);
  EXPECT_LT(sum_of(samples, "tickguard_spread_ratio", kSkl), 0.01);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kCoinbase), 1);
  EXPECT_GT(sum_of(samples, "tickguard_feed_messages_total", kCoinbase), skl.count + dash.count);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total",
                   {{"exchange", "coinbase"}, {"endpoint", "products"}, {"code", "200"}}),
            1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kCoinbase), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kCoinbase), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kCoinbase), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kCoinbase), 0);

  const auto received = venue.received();
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(received.front(), kSubscribe);
  EXPECT_EQ(received.size(), 1u) << "nothing but the one subscription was needed";
  EXPECT_TRUE(daemon.wait_for_log("coinbase: unknown symbol, not subscribed"));
  EXPECT_TRUE(daemon.wait_for_log("symbol=NOPE/USD"));

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
}

TEST(CoinbaseEndToEnd, SkippedTradeIdCountsOneGapAndResubscribesThatBookAlone) {
  const RecordedTrades skl = recorded_trades("SKL-USD");
  // The second SKL-USD match: 78 recorded SKL-USD book updates follow it.
  MockCoinbase venue({.skip_skl_match = 1});
  TempDir dir;
  DaemonProcess daemon({"--config", coinbase_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  // The replay minus the skipped trade.
  auto samples = scrape_until(daemon, "tickguard_feed_sequence_gaps_total", kSkl, 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kSkl), 1) << daemon.stderr_text();
  samples = scrape_until(daemon, "tickguard_trades_total", kSkl, skl.count - 1);
  EXPECT_GE(sum_of(samples, "tickguard_trades_total", kSkl), skl.count - 1) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kDash), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kCoinbase), 0);
  EXPECT_TRUE(daemon.wait_for_log("coinbase: book out of sync, resubscribing"));

  // That product's book alone was requested again, and the fresh snapshot put it back in sync.
  EXPECT_TRUE(venue.ws().wait_for_received(kBookSubscribe, 5s));
  EXPECT_TRUE(wait_for_log(daemon, "msg=\"coinbase: book resynchronized\" symbol=SKL/USD"))
      << daemon.stderr_text();
  const auto received = venue.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0], kSubscribe);
  EXPECT_EQ(received[1], kBookUnsubscribe);
  EXPECT_EQ(received[2], kBookSubscribe);
  EXPECT_EQ(std::count_if(received.begin(), received.end(),
                          [](const std::string& m) { return m.find("DASH-BTC") != std::string::npos; }),
            1);

  // After the resync the stream goes on in order: the trade the mock sends after the fresh snapshot
  // counts (back to the recorded total), and no new gap appears.
  samples = scrape_until(daemon, "tickguard_trades_total", kSkl, skl.count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kSkl), skl.count);
  // The SKL-USD book updates that arrived before its fresh snapshot were discarded, and counted.
  EXPECT_GT(sum_of(samples, "tickguard_feed_dropped_messages_total", kCoinbase), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kSkl), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kCoinbase), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kCoinbase), 0);
}

TEST(CoinbaseEndToEnd, DroppedConnectionReconnectsResubscribesAndResumes) {
  const RecordedTrades skl = recorded_trades("SKL-USD");
  MockCoinbase venue({.drop_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", coinbase_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  // The replay is sent twice: once before the drop, once after the reconnect.
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kSkl, 2 * skl.count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kSkl), 2 * skl.count) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kCoinbase), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kCoinbase), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kCoinbase), 0)
      << "the new connection's last_match restarts trade id tracking";
  EXPECT_EQ(venue.ws().connections(), 2);
  const auto received = venue.received();
  EXPECT_EQ(std::count(received.begin(), received.end(), kSubscribe), 2);
  EXPECT_TRUE(daemon.wait_for_log("coinbase: disconnected, reconnecting"));
}

TEST(CoinbaseEndToEnd, GarbageAndTruncatedFramesAreCountedAndTheStreamContinues) {
  const RecordedTrades skl = recorded_trades("SKL-USD");
  MockCoinbase venue({.garbage_frames = true});
  TempDir dir;
  DaemonProcess daemon({"--config", coinbase_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kSkl, skl.count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kSkl), skl.count) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kSkl), skl.last_price);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "coinbase"}, {"kind", "parse"}}), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kCoinbase), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kCoinbase), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kCoinbase), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kCoinbase), 1);
  EXPECT_TRUE(daemon.wait_for_log("coinbase: malformed message dropped"));
}

TEST(CoinbaseEndToEnd, RateLimitedMetadataRequestIsRetriedAfterRetryAfter) {
  const RecordedTrades skl = recorded_trades("SKL-USD");
  MockCoinbase venue({.products_rate_limited = 1});
  TempDir dir;
  DaemonProcess daemon({"--config", coinbase_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kSkl, skl.count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kSkl), skl.count) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total",
                   {{"exchange", "coinbase"}, {"endpoint", "products"}, {"code", "429"}}),
            1);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total",
                   {{"exchange", "coinbase"}, {"endpoint", "products"}, {"code", "200"}}),
            1);
  EXPECT_EQ(
      sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "coinbase"}, {"kind", "rate_limited"}}),
      1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kCoinbase), 1);
}

TEST(CoinbaseEndToEnd, SilentConnectionIsReopenedAfterTheSilenceTimeout) {
  const RecordedTrades skl = recorded_trades("SKL-USD");
  MockCoinbase venue({.silent_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", coinbase_config(dir, venue, "silence_timeout = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kSkl, 2 * skl.count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kSkl), 2 * skl.count) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kCoinbase), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kCoinbase), 1);
  EXPECT_TRUE(daemon.wait_for_log("silence: no data message"));
}

TEST(CoinbaseEndToEnd, RestFallbackKeepsPricesFlowingWhileTheStreamIsDown) {
  const RecordedTrades skl = recorded_trades("SKL-USD");
  ASSERT_NE(skl.last_price, kSklRestLastPrice);
  MockCoinbase venue({.malformed_first_dash_ticker = true});
  venue.set_ws_accepting(false);  // the WebSocket venue is down from the start
  TempDir dir;
  DaemonProcess daemon({"--config", coinbase_config(dir, venue, "rest_poll_interval = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const std::map<std::string, std::string> trades_ok{
      {"exchange", "coinbase"}, {"endpoint", "trades"}, {"code", "200"}};
  const std::map<std::string, std::string> ticker_ok{
      {"exchange", "coinbase"}, {"endpoint", "ticker"}, {"code", "200"}};

  // Every REST trade once: the fixture's five, then the newer one served from the third poll on.
  auto samples = scrape_until(daemon, "tickguard_trades_total", kSkl, kSklRestTrades);
  // Two more rounds, each polling both products: nothing may be emitted twice.
  samples = scrape_until(daemon, "tickguard_rest_requests_total", trades_ok,
                         sum_of(samples, "tickguard_rest_requests_total", trades_ok) + 4);
  EXPECT_GE(venue.skl_trades_requests(), 4);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kSkl), kSklRestTrades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kDash), kDashRestTrades);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kSkl), kSklRestLastPrice);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kDash), kDashRestLastPrice);
  // The REST best bid/ask (0.7716/0.7721) reached the spread gauge.
  EXPECT_NEAR(sum_of(samples, "tickguard_spread_ratio", kSkl), 0.0005 / 0.77185, 1e-9);
  EXPECT_GT(sum_of(samples, "tickguard_rest_requests_total", ticker_ok), 0);
  EXPECT_GT(sum_of(samples, "tickguard_rest_requests_total", trades_ok), 0);
  EXPECT_EQ(venue.trades_limit(), 100);
  // The cut-short DASH-BTC ticker was counted and dropped; the polls went on.
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "coinbase"}, {"kind", "parse"}}), 1);
  EXPECT_TRUE(daemon.wait_for_log("coinbase: malformed REST answer dropped"));
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kCoinbase), 0);
  EXPECT_EQ(venue.ws().connections(), 0);
  EXPECT_GT(venue.ws().refused(), 0);
  EXPECT_TRUE(daemon.wait_for_log("rest fallback: stream down, polling prices over REST"));

  // The venue is back: the stream resumes (its replay adds every recorded trade) and polling stops.
  venue.set_ws_accepting(true);
  samples = scrape_until(daemon, "tickguard_trades_total", kSkl, kSklRestTrades + skl.count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kSkl), kSklRestTrades + skl.count)
      << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kSkl), skl.last_price);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kCoinbase), 1);
  EXPECT_EQ(venue.ws().connections(), 1);
  EXPECT_TRUE(wait_for_log(daemon, "rest fallback: stream is back")) << daemon.stderr_text();
  std::this_thread::sleep_for(300ms);  // a request already on the wire may still land
  const int polled = venue.skl_trades_requests();
  std::this_thread::sleep_for(1500ms);  // more than one poll interval
  EXPECT_EQ(venue.skl_trades_requests(), polled);
  EXPECT_EQ(sum_of(daemon.scrape(), "tickguard_trades_total", kSkl), kSklRestTrades + skl.count);

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
}

}  // namespace
}  // namespace tickguard::testing
