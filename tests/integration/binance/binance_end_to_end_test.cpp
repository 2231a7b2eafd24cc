// Binance end to end: `tickguard run` with rest_url/ws_url pointed at a mock Binance on loopback. The
// mock serves the recorded exchangeInfo, answers SUBSCRIBE requests like the venue, replays the
// recorded combined-stream frames (diff depth, bookTicker, aggTrade) and serves depth snapshots of
// its own book, which follows the recorded snapshot and every diff it has sent, and the REST
// fallback's bookTicker and aggTrades answers; faults are injected on request.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include "daemon_process.h"
#include "mock_venue.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> binance_lines(const std::string& file) { return fixture_lines("binance", file); }

// The value of string field `name` in a frame ("stream", "s").
std::string string_field(const std::string& frame, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(frame, match, std::regex("\"" + name + R"re(":"([^"]*)")re"))) return {};
  return match[1].str();
}

// The venue's own order book of one symbol: the recorded REST snapshot plus every diff sent since.
class VenueBook {
 public:
  explicit VenueBook(const std::string& snapshot) {
    simdjson::dom::parser parser;
    const simdjson::dom::element doc = parser.parse(snapshot);
    last_update_id_ = doc["lastUpdateId"].get_uint64();
    set_levels(bids_, doc["bids"]);
    set_levels(asks_, doc["asks"]);
  }

  // Applies a combined-stream depthUpdate frame unless the book already contains it.
  void apply(const std::string& frame) {
    simdjson::dom::parser parser;
    const simdjson::dom::element data = parser.parse(frame)["data"];
    const std::uint64_t final_update_id = data["u"].get_uint64();
    if (final_update_id <= last_update_id_) return;
    set_levels(bids_, data["b"]);
    set_levels(asks_, data["a"]);
    last_update_id_ = final_update_id;
  }

  // A GET /api/v3/depth body with at most `limit` levels per side.
  std::string json(std::size_t limit) const {
    std::string out = R"({"lastUpdateId":)" + std::to_string(last_update_id_) + R"(,"bids":[)";
    append_levels(out, bids_.rbegin(), bids_.rend(), limit);
    out += R"(],"asks":[)";
    append_levels(out, asks_.begin(), asks_.end(), limit);
    return out + "]}";
  }

 private:
  using Side = std::map<double, std::pair<std::string, std::string>>;  // price -> (price, qty) texts

  static void set_levels(Side& side, simdjson::dom::element levels) {
    for (const simdjson::dom::element level : levels.get_array()) {
      const std::string price(level.at(0).get_string().value());
      const std::string quantity(level.at(1).get_string().value());
      if (std::stod(quantity) == 0) {
        side.erase(std::stod(price));
      } else {
        side[std::stod(price)] = {price, quantity};
      }
    }
  }

  template <typename It>
  static void append_levels(std::string& out, It begin, It end, std::size_t limit) {
    std::size_t count = 0;
    for (auto it = begin; it != end && count < limit; ++it, ++count) {
      out +=
          std::string(count == 0 ? "" : ",") + "[\"" + it->second.first + "\",\"" + it->second.second + "\"]";
    }
  }

  std::uint64_t last_update_id_ = 0;
  Side bids_;
  Side asks_;
};

// Faults the mock injects.
struct Faults {
  int skip_nkn_update = -1;            // leave out this NKNUSDT depth update (0-based): a sequence gap
  int exchange_info_outages = 0;       // this many exchangeInfo requests get 503 first
  bool rate_limit_depth = false;       // the first depth request gets 429, the second 418 (Retry-After: 1)
  bool garbage_frames = false;         // a truncated frame, a non-JSON frame and a venue error before trades
  bool drop_first_connection = false;  // reset the first connection right after the replay
  bool silence_first_connection = false;  // the first connection goes quiet after the replay
  // Hold the stream (until release()) before these NKNUSDT depth updates are sent.
  std::vector<int> hold_before_nkn_update{};
};

// Recorded symbols whose depth streams have a recorded snapshot.
const std::map<std::string, std::string> kSnapshots{{"NKNUSDT", "rest_depth_NKNUSDT.json"},
                                                    {"LRCBTC", "rest_depth_LRCBTC.json"}};

// REST fallback answers by symbol: GET /api/v3/ticker/bookTicker and GET /api/v3/aggTrades bodies.
// NKNUSDT's are the constructed fixtures; the other subscribed symbols quote a fixed book, OMGBUSD
// has no recent trades and LRCBTC's trades answer is cut short (a malformed body).
struct RestAnswers {
  std::string ticker;
  std::string trades;
};
std::map<std::string, RestAnswers> rest_answers() {
  return {{"NKNUSDT",
           {binance_lines("rest_bookTicker_NKNUSDT.json").at(0),
            binance_lines("rest_aggTrades_NKNUSDT.json").at(0)}},
          {"LRCBTC",
           {R"({"symbol":"LRCBTC","bidPrice":"0.00002118","bidQty":"2000.00000000","askPrice":"0.00002120",)"
            R"("askQty":"1500.00000000"})",
            R"([{"a":9216401,"p":"0.00002119","q":"41.0)"}},
          {"OMGBUSD",
           {R"({"symbol":"OMGBUSD","bidPrice":"13.71000000","bidQty":"40.00000000","askPrice":"13.73000000",)"
            R"("askQty":"25.00000000"})",
            "[]"}}};
}

class MockBinance {
 public:
  // `streams`: how many streams the connector is expected to subscribe per connection.
  MockBinance(std::size_t streams, Faults faults = {})
      : expected_streams_(streams),
        faults_(std::move(faults)),
        ws_([this](MockConnection& c) { session(c); }) {
    const std::string exchange_info = binance_lines("rest_exchangeInfo_trimmed.json").at(0);
    rest_.server().Get(
        "/api/v3/exchangeInfo", [this, exchange_info](const httplib::Request&, httplib::Response& res) {
          std::lock_guard lock(mutex_);
          if (exchange_info_requests_++ < faults_.exchange_info_outages) {
            res.status = 503;
            res.set_content(
                R"({"code":-1001,"msg":"Internal error; unable to process your request. Please try again."})",
                "application/json");
            return;
          }
          res.set_header("x-mbx-used-weight-1m", "20");
          res.set_content(exchange_info, "application/json");
        });
    rest_.server().Get("/api/v3/depth", [this](const httplib::Request& req, httplib::Response& res) {
      serve_depth(req, res);
    });
    rest_.server().Get("/api/v3/ticker/bookTicker",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         serve_fallback(req, res, &RestAnswers::ticker);
                       });
    rest_.server().Get("/api/v3/aggTrades", [this](const httplib::Request& req, httplib::Response& res) {
      serve_fallback(req, res, &RestAnswers::trades);
    });
    rest_.start();
  }
  ~MockBinance() {
    std::lock_guard lock(mutex_);
    closing_ = true;
    changed_.notify_all();
  }
  MockBinance(const MockBinance&) = delete;
  MockBinance& operator=(const MockBinance&) = delete;

  std::string rest_url() const { return rest_.url(); }
  std::string ws_url() const { return ws_.url("/stream"); }
  std::vector<std::string> received() const { return ws_.received(); }
  int depth_requests(const std::string& symbol) const {
    std::lock_guard lock(mutex_);
    const auto it = depth_requests_.find(symbol);
    return it == depth_requests_.end() ? 0 : it->second;
  }
  // The largest `limit` any aggTrades request asked for (0: none asked).
  std::size_t largest_trades_limit() const {
    std::lock_guard lock(mutex_);
    return largest_trades_limit_;
  }
  // Lets the stream continue past the next hold point.
  void release() {
    std::lock_guard lock(mutex_);
    ++releases_;
    changed_.notify_all();
  }

 private:
  void serve_depth(const httplib::Request& req, httplib::Response& res) {
    const std::string symbol = req.get_param_value("symbol");
    const std::size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : 100;
    std::lock_guard lock(mutex_);
    const int request = ++depth_requests_total_;
    ++depth_requests_[symbol];
    if (faults_.rate_limit_depth && request <= 2) {
      res.status = request == 1 ? 429 : 418;
      res.set_header("Retry-After", "1");
      res.set_content(R"({"code":-1003,"msg":"Too much request weight used; please use the websocket."})",
                      "application/json");
      return;
    }
    const auto book = books_.find(symbol);
    if (book == books_.end() || limit == 0 || limit > 5000) {
      res.status = 400;
      res.set_content(R"({"code":-1121,"msg":"Invalid symbol."})", "application/json");
      return;
    }
    res.set_header("x-mbx-used-weight-1m", std::to_string(20 + 50 * request));
    res.set_content(book->second.json(limit), "application/json");
  }

  // GET /api/v3/ticker/bookTicker?symbol= and GET /api/v3/aggTrades?symbol=&limit= (1..1000).
  void serve_fallback(const httplib::Request& req, httplib::Response& res, std::string RestAnswers::*body) {
    const auto answer = rest_answers_.find(req.get_param_value("symbol"));
    if (answer == rest_answers_.end()) {
      res.status = 400;
      res.set_content(R"({"code":-1121,"msg":"Invalid symbol."})", "application/json");
      return;
    }
    if (req.has_param("limit")) {
      const std::size_t limit = std::stoul(req.get_param_value("limit"));
      std::lock_guard lock(mutex_);
      largest_trades_limit_ = std::max(largest_trades_limit_, limit);
      if (limit == 0 || limit > 1000) {
        res.status = 400;
        res.set_content(R"({"code":-1100,"msg":"Illegal characters found in parameter 'limit'."})",
                        "application/json");
        return;
      }
    }
    res.set_content(answer->second.*body, "application/json");
  }

  // Reads SUBSCRIBE requests until the expected streams are subscribed, acknowledging each.
  bool subscribe(MockConnection& c, std::set<std::string>& streams) {
    const std::regex stream_name(R"re("([a-z0-9]+@[A-Za-z0-9@]+)")re");
    const std::regex request_id(R"re("id":(\d+))re");
    std::string message;
    while (streams.size() < expected_streams_) {
      if (!c.read(message)) return false;
      std::smatch id;
      if (message.find(R"("method":"SUBSCRIBE")") == std::string::npos ||
          !std::regex_search(message, id, request_id)) {
        c.write(R"({"error":{"code":2,"msg":"Invalid request"},"id":null})");
        continue;
      }
      for (std::sregex_iterator it(message.begin(), message.end(), stream_name), end; it != end; ++it) {
        streams.insert((*it)[1].str());
      }
      c.write(R"({"result":null,"id":)" + id[1].str() + "}");
    }
    return true;
  }

  // Blocks until release() was called `gate` times (bounded, so a broken connector fails, not hangs).
  void hold(int gate) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 15s, [&] { return releases_ >= gate || closing_; });
  }

  void session(MockConnection& c) {
    std::set<std::string> streams;
    if (!subscribe(c, streams)) return;
    {
      std::lock_guard lock(mutex_);
      books_.clear();
      for (const auto& [symbol, file] : kSnapshots)
        books_.emplace(symbol, VenueBook(binance_lines(file).at(0)));
    }
    const auto subscribed = [&streams](const std::string& line) {
      return streams.count(string_field(line, "stream")) > 0;
    };
    int nkn_update = 0;
    int gates = 0;
    for (const std::string& line : depth_replay()) {
      if (!subscribed(line)) continue;
      const std::string symbol = string_field(line, "s");
      if (symbol == "NKNUSDT") {
        const int index = nkn_update++;
        const auto& holds = faults_.hold_before_nkn_update;
        if (std::find(holds.begin(), holds.end(), index) != holds.end()) hold(++gates);
        if (index == faults_.skip_nkn_update) {  // the venue's book moves on; the client never hears of it
          std::lock_guard lock(mutex_);
          books_.at(symbol).apply(line);
          continue;
        }
      }
      {
        std::lock_guard lock(mutex_);
        books_.at(symbol).apply(line);
      }
      c.write(line);
    }
    for (const std::string& line : binance_lines("ws_bookTicker.jsonl")) {
      if (subscribed(line)) c.write(line);
    }
    if (faults_.garbage_frames) {
      c.write(R"({"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1633998523963,"s":"NKNU)");
      c.write("this is not json");
      c.write(R"({"code":2,"msg":"Invalid request: too many parameters","id":9})");
    }
    for (const char* file : {"ws_aggTrade.jsonl", "us_ws_aggTrade.jsonl"}) {
      for (const std::string& line : binance_lines(file)) {
        if (subscribed(line)) c.write(line);
      }
    }
    if (c.index() == 0 && faults_.drop_first_connection) return c.drop();  // no close frame
    if (c.index() == 0 && faults_.silence_first_connection) return c.go_silent();
    if (faults_.silence_first_connection) return keep_streaming(c);
    std::string message;
    while (c.read(message)) {  // stay connected; later requests are recorded
    }
  }

  // The recorded diff-depth frames, NKNUSDT's last: a hold in its stream then finds every other book
  // fully replayed, so the tests can count NKNUSDT's book events exactly.
  static std::vector<std::string> depth_replay() {
    std::vector<std::string> lines = binance_lines("ws_depth_100ms.jsonl");
    std::stable_partition(lines.begin(), lines.end(),
                          [](const std::string& line) { return string_field(line, "s") != "NKNUSDT"; });
    return lines;
  }

  // Sends the last recorded NKNUSDT bookTicker every 200 ms, so a short silence timeout never fires.
  static void keep_streaming(MockConnection& c) {
    std::string ticker;
    for (const std::string& line : binance_lines("ws_bookTicker.jsonl")) {
      if (string_field(line, "s") == "NKNUSDT") ticker = line;
    }
    while (!c.stopping() && c.write(ticker)) std::this_thread::sleep_for(200ms);
  }

  const std::size_t expected_streams_;
  const Faults faults_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, VenueBook> books_;  // the venue's books on the current connection
  const std::map<std::string, RestAnswers> rest_answers_ = rest_answers();
  std::size_t largest_trades_limit_ = 0;
  std::map<std::string, int> depth_requests_;
  int depth_requests_total_ = 0;
  int exchange_info_requests_ = 0;
  int releases_ = 0;
  bool closing_ = false;
  MockRest rest_;
  MockWebSocket ws_;
};

// A TCP front for the mock's WebSocket endpoint. While closed it accepts every connection and closes
// it at once, before the WebSocket handshake: as far as the client can tell, the venue's stream is
// unreachable. Once opened it relays every new connection to the mock, byte for byte.
class WebSocketGate {
 public:
  explicit WebSocketGate(const std::string& target_url) {
    std::smatch match;
    if (!std::regex_match(target_url, match, std::regex(R"(ws://127\.0\.0\.1:(\d+)(/.*))"))) {
      throw std::runtime_error("unexpected mock URL " + target_url);
    }
    target_port_ = static_cast<unsigned short>(std::stoi(match[1].str()));
    path_ = match[2].str();
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~WebSocketGate() {
    stopping_ = true;
    thread_.join();
    {
      std::lock_guard lock(mutex_);
      for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);  // ends every relay
    }
    for (auto& relay : relays_) relay.join();
    ::close(listener_);
  }
  WebSocketGate(const WebSocketGate&) = delete;
  WebSocketGate& operator=(const WebSocketGate&) = delete;

  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + path_; }
  void open() { open_ = true; }
  int refused() const { return refused_; }

 private:
  static sockaddr_in loopback(unsigned short port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  void serve() {
    while (!stopping_) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      if (!open_) {
        ++refused_;
        ::close(client);
        continue;
      }
      const int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
      const sockaddr_in target = loopback(target_port_);
      if (upstream < 0 ||
          ::connect(upstream, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
        if (upstream >= 0) ::close(upstream);
        ::close(client);
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        open_fds_.insert(client);
        open_fds_.insert(upstream);
      }
      relays_.emplace_back([this, client, upstream] { relay(client, upstream); });
    }
  }

  // Copies bytes both ways until either side ends, then closes both.
  void relay(int client, int upstream) {
    std::vector<char> buffer(65536);
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    for (bool open = true; open;) {
      if (::poll(fds, 2, 1000) < 0) break;
      for (int i = 0; i < 2 && open; ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = ::recv(fds[i].fd, buffer.data(), buffer.size(), 0);
        open = n > 0 && send_all(fds[1 - i].fd, buffer.data(), static_cast<std::size_t>(n));
      }
    }
    std::lock_guard lock(mutex_);
    for (const int fd : {client, upstream}) {
      open_fds_.erase(fd);
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
    }
  }

  static bool send_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
      if (n <= 0) return false;
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }

  unsigned short target_port_ = 0;
  std::string path_;
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> open_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> refused_{0};
  std::mutex mutex_;
  std::set<int> open_fds_;           // relay sockets not closed yet
  std::vector<std::thread> relays_;  // touched by the serve thread, then by the destructor
  std::thread thread_;
};

// What the recording holds for the subscribed symbols.
struct Recorded {
  int trades = 0;
  std::map<std::string, double> last_price;  // by native symbol
  std::map<std::string, int> tickers;
  std::map<std::string, int> depth_updates;
};

Recorded recorded() {
  const std::set<std::string> symbols{"NKNUSDT", "LRCBTC", "OMGBUSD"};
  Recorded out;
  for (const char* file : {"ws_aggTrade.jsonl", "us_ws_aggTrade.jsonl"}) {
    for (const auto& line : binance_lines(file)) {
      const std::string symbol = string_field(line, "s");
      if (symbols.count(symbol) == 0) continue;
      ++out.trades;
      out.last_price[symbol] = std::stod(string_field(line, "p"));
    }
  }
  for (const auto& line : binance_lines("ws_bookTicker.jsonl")) ++out.tickers[string_field(line, "s")];
  for (const auto& line : binance_lines("ws_depth_100ms.jsonl")) ++out.depth_updates[string_field(line, "s")];
  return out;
}

// NKN/USDT, LRC/BTC and OMG/BUSD are listed, NOPE/USDT is not: 3 symbols x 3 streams.
constexpr std::size_t kStreams = 9;
std::string subscribe_request(int id) {
  return R"({"method":"SUBSCRIBE","params":["nknusdt@aggTrade","nknusdt@bookTicker","nknusdt@depth@100ms",)"
         R"("lrcbtc@aggTrade","lrcbtc@bookTicker","lrcbtc@depth@100ms",)"
         R"("omgbusd@aggTrade","omgbusd@bookTicker","omgbusd@depth@100ms"],"id":)" +
         std::to_string(id) + "}";
}

// `ws_url`: where the daemon connects for the stream (default: the mock itself).
std::filesystem::path binance_config(const TempDir& dir, const MockBinance& venue,
                                     const std::string& extra = "", const std::string& ws_url = "") {
  return dir.write("binance.toml",
                   "[[feed]]\nexchange = \"binance\"\n"
                   "symbols = [\"NKN/USDT\", \"LRC/BTC\", \"NOPE/USDT\", \"OMG/BUSD\"]\nrest_url = \"" +
                       venue.rest_url() + "\"\nws_url = \"" + (ws_url.empty() ? venue.ws_url() : ws_url) +
                       "\"\n" + extra);
}

const std::map<std::string, std::string> kBinance{{"exchange", "binance"}};
const std::map<std::string, std::string> kNkn{{"exchange", "binance"}, {"symbol", "NKN/USDT"}};
const std::map<std::string, std::string> kLrc{{"exchange", "binance"}, {"symbol", "LRC/BTC"}};
const std::map<std::string, std::string> kOmg{{"exchange", "binance"}, {"symbol", "OMG/BUSD"}};

std::map<std::string, std::string> with(std::map<std::string, std::string> labels, const std::string& key,
                                        const std::string& value) {
  labels[key] = value;
  return labels;
}

int occurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

// Waits (bounded) until the daemon's log holds `count` copies of `needle`.
bool wait_for_log(const DaemonProcess& daemon, const std::string& needle, int count) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (occurrences(daemon.stderr_text(), needle) < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Waits (bounded) until `needle` is logged after the `nth` copy of `marker`.
bool wait_for_log_after(const DaemonProcess& daemon, const std::string& marker, int nth,
                        const std::string& needle) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  for (;;) {
    const std::string text = daemon.stderr_text();
    std::size_t at = std::string::npos;
    for (int i = 0; i < nth; ++i) {
      at = text.find(marker, at == std::string::npos ? 0 : at + 1);
      if (at == std::string::npos) break;
    }
    if (at != std::string::npos && text.find(needle, at) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

constexpr const char* kNknSynced = R"(binance: book synced" symbol=NKN/USDT)";
constexpr const char* kLrcSynced = R"(binance: book synced" symbol=LRC/BTC)";

TEST(BinanceEndToEnd, StreamsRecordedTradesTickersAndBooksThroughTheDaemon) {
  const Recorded r = recorded();
  ASSERT_EQ(r.trades, 13);
  MockBinance venue(kStreams);
  TempDir dir;
  DaemonProcess daemon({"--config", binance_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  auto samples = scrape_until(daemon, "tickguard_trades_total", kBinance, r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), r.trades) << daemon.stderr_text();
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kOmg), r.last_price.at("OMGBUSD"));
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kNkn), r.last_price.at("NKNUSDT"));
  EXPECT_GT(sum_of(samples, "tickguard_spread_ratio", kNkn), 0);
  EXPECT_LT(sum_of(samples, "tickguard_spread_ratio", kNkn), 0.01);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBinance), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total",
                   with(with(kBinance, "endpoint", "exchangeInfo"), "code", "200")),
            1);

  // Both books synced from a snapshot and were published, on top of every ticker and trade.
  ASSERT_TRUE(wait_for_log(daemon, kNknSynced, 1)) << daemon.stderr_text();
  ASSERT_TRUE(wait_for_log(daemon, kLrcSynced, 1)) << daemon.stderr_text();
  const int tickers_and_trades = r.tickers.at("NKNUSDT") + r.tickers.at("LRCBTC") + r.trades;
  samples = daemon.scrape();
  EXPECT_GE(sum_of(samples, "tickguard_feed_messages_total", kBinance), tickers_and_trades + 2);
  EXPECT_LE(sum_of(samples, "tickguard_feed_messages_total", kBinance),
            tickers_and_trades + r.depth_updates.at("NKNUSDT") + r.depth_updates.at("LRCBTC"));
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total",
                   with(with(kBinance, "endpoint", "depth"), "code", "200")),
            2);
  EXPECT_EQ(venue.depth_requests("NKNUSDT"), 1);
  EXPECT_EQ(venue.depth_requests("LRCBTC"), 1);
  EXPECT_EQ(venue.depth_requests("OMGBUSD"), 0) << "no diff event, no snapshot yet";
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kBinance), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kBinance), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", kBinance), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kBinance), 0);

  ASSERT_FALSE(venue.received().empty());
  EXPECT_EQ(venue.received().front(), subscribe_request(1));
  EXPECT_EQ(venue.received().size(), 1U) << "one request subscribes every stream";
  EXPECT_TRUE(daemon.wait_for_log("binance: unknown symbol, not subscribed"));
  EXPECT_TRUE(daemon.wait_for_log("symbol=NOPE/USDT"));

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
}

TEST(BinanceEndToEnd, SkippedUpdateIdIsAGapThatRefetchesOnlyThatSnapshot) {
  const Recorded r = recorded();
  constexpr int kSkipped = 40;
  // The stream holds after NKNUSDT's first update (until its book synced) and after the update that
  // reveals the gap (until it synced again), so NKNUSDT's book events can be counted exactly.
  MockBinance venue(kStreams, {.skip_nkn_update = kSkipped, .hold_before_nkn_update = {1, kSkipped + 2}});
  TempDir dir;
  DaemonProcess daemon({"--config", binance_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  ASSERT_TRUE(wait_for_log(daemon, kNknSynced, 1)) << daemon.stderr_text();
  ASSERT_TRUE(wait_for_log(daemon, kLrcSynced, 1)) << daemon.stderr_text();
  const double before = sum_of(daemon.scrape(), "tickguard_feed_messages_total", kBinance);
  venue.release();
  auto samples = scrape_until(daemon, "tickguard_feed_sequence_gaps_total", kNkn, 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kNkn), 1) << daemon.stderr_text();
  ASSERT_TRUE(wait_for_log(daemon, kNknSynced, 2)) << daemon.stderr_text();
  // Updates 1..39 applied one by one; the update after the gap only triggered the resync snapshot.
  samples = daemon.scrape();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_messages_total", kBinance), before + (kSkipped - 1) + 1);
  EXPECT_EQ(venue.depth_requests("NKNUSDT"), 2);
  venue.release();

  // Every later update applies to the recovered book: one book event each, and no further gap.
  const int later_updates = r.depth_updates.at("NKNUSDT") - (kSkipped + 2);
  const int tickers_and_trades = r.tickers.at("NKNUSDT") + r.tickers.at("LRCBTC") + r.trades;
  const double expected = before + kSkipped + later_updates + tickers_and_trades;
  samples = scrape_until(daemon, "tickguard_feed_messages_total", kBinance, expected);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_messages_total", kBinance), expected) << daemon.stderr_text();
  // Messages are counted as they arrive, trades once the detector thread has taken them: wait.
  samples = scrape_until(daemon, "tickguard_trades_total", kBinance, r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kNkn), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kLrc), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kBinance), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 1);
  EXPECT_EQ(venue.depth_requests("NKNUSDT"), 2);
  EXPECT_EQ(venue.depth_requests("LRCBTC"), 1) << "only the broken book is resynced";
  EXPECT_EQ(occurrences(daemon.stderr_text(), kNknSynced), 2);
  EXPECT_EQ(occurrences(daemon.stderr_text(), kLrcSynced), 1);
  EXPECT_TRUE(daemon.wait_for_log("binance: book out of sync, refetching snapshot"));
  EXPECT_TRUE(daemon.wait_for_log("detector=feed_integrity"));
  EXPECT_EQ(venue.received().size(), 1U) << "a resync needs no new subscription";
}

TEST(BinanceEndToEnd, DroppedConnectionReconnectsResubscribesAndResumes) {
  const Recorded r = recorded();
  MockBinance venue(kStreams, {.drop_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", binance_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  // The replay is sent twice: once before the drop, once after the reconnect.
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBinance, 2 * r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), 2 * r.trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBinance), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", with(kBinance, "kind", "disconnected")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kBinance), 0)
      << "books restart from a new snapshot after a reconnect";
  ASSERT_EQ(venue.received().size(), 2U);
  EXPECT_EQ(venue.received()[0], subscribe_request(1));
  EXPECT_EQ(venue.received()[1], subscribe_request(2)) << "the same streams again, on the new connection";
  // The books restart from snapshots fetched on the new connection (an answer that arrives after the
  // drop belongs to the old stream and is discarded).
  EXPECT_TRUE(wait_for_log_after(daemon, "binance: connected", 2, kNknSynced)) << daemon.stderr_text();
  EXPECT_TRUE(wait_for_log_after(daemon, "binance: connected", 2, kLrcSynced)) << daemon.stderr_text();
  EXPECT_TRUE(daemon.wait_for_log("binance: disconnected, reconnecting"));
}

TEST(BinanceEndToEnd, RateLimitedSnapshotRequestsWaitForRetryAfterThenSync) {
  MockBinance venue(kStreams, {.rate_limit_depth = true});
  TempDir dir;
  DaemonProcess daemon({"--config", binance_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto depth = with(kBinance, "endpoint", "depth");
  const auto samples = scrape_until(daemon, "tickguard_rest_requests_total", with(depth, "code", "200"), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", with(depth, "code", "429")), 1)
      << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", with(depth, "code", "418")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", with(depth, "code", "200")), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", with(kBinance, "kind", "rate_limited")), 2);
  EXPECT_TRUE(wait_for_log(daemon, kNknSynced, 1)) << daemon.stderr_text();
  EXPECT_TRUE(wait_for_log(daemon, kLrcSynced, 1)) << daemon.stderr_text();
  EXPECT_EQ(sum_of(daemon.scrape(), "tickguard_feed_sequence_gaps_total", kBinance), 0);
  EXPECT_EQ(sum_of(daemon.scrape(), "tickguard_feed_up", kBinance), 1);
}

TEST(BinanceEndToEnd, MalformedFramesAndVenueErrorsAreCountedAndTheStreamContinues) {
  const Recorded r = recorded();
  MockBinance venue(kStreams, {.garbage_frames = true});
  TempDir dir;
  DaemonProcess daemon({"--config", binance_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBinance, r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), r.trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", with(kBinance, "kind", "parse")), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kBinance), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", with(kBinance, "kind", "venue")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBinance), 0);
  EXPECT_TRUE(daemon.wait_for_log("binance: malformed message dropped"));
  EXPECT_TRUE(daemon.wait_for_log("binance: venue error"));
}

TEST(BinanceEndToEnd, MetadataOutageIsRetriedUntilTheVenueAnswers) {
  const Recorded r = recorded();
  MockBinance venue(kStreams, {.exchange_info_outages = 1});
  TempDir dir;
  DaemonProcess daemon({"--config", binance_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBinance, r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), r.trades) << daemon.stderr_text();
  const auto exchange_info = with(kBinance, "endpoint", "exchangeInfo");
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", with(exchange_info, "code", "503")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", with(exchange_info, "code", "200")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", with(kBinance, "kind", "http_status")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 1);
}

TEST(BinanceEndToEnd, SilentConnectionIsReplacedAfterTheSilenceTimeout) {
  const Recorded r = recorded();
  MockBinance venue(kStreams, {.silence_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", binance_config(dir, venue, "silence_timeout = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kBinance, 2 * r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), 2 * r.trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kBinance), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", with(kBinance, "kind", "silence")), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 1);
}

TEST(BinanceEndToEnd, RestFallbackKeepsPricesFlowingWhileTheStreamIsDown) {
  const Recorded r = recorded();
  // The REST trades: distinct ids; the last one's price is not NKNUSDT's last recorded stream price.
  simdjson::dom::parser json;
  const simdjson::dom::array rest_trades =
      json.parse(binance_lines("rest_aggTrades_NKNUSDT.json").at(0)).get_array();
  const int rest_trade_count = static_cast<int>(rest_trades.size());
  const double rest_last_price =
      std::stod(std::string(rest_trades.at(rest_trades.size() - 1)["p"].get_string().value()));
  ASSERT_EQ(rest_trade_count, 5);
  ASSERT_NE(rest_last_price, r.last_price.at("NKNUSDT"));

  MockBinance venue(kStreams);
  WebSocketGate gate(venue.ws_url());  // refuses every connection until opened
  TempDir dir;
  DaemonProcess daemon(
      {"--config", binance_config(dir, venue, "rest_poll_interval = \"1s\"\n", gate.url()).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  // One second after the first refusal, and every second since, each symbol is polled (3 symbols
  // per round). After four rounds, every REST trade has been emitted, and only once.
  const auto ticker_ok = with(with(kBinance, "endpoint", "ticker"), "code", "200");
  const auto trades_ok = with(with(kBinance, "endpoint", "trades"), "code", "200");
  auto samples = scrape_until(daemon, "tickguard_rest_requests_total", trades_ok, 4 * 3);
  ASSERT_GE(sum_of(samples, "tickguard_rest_requests_total", trades_ok), 4 * 3) << daemon.stderr_text();
  // A poll's trades are counted once the detector thread has taken them: wait for them.
  samples = scrape_until(daemon, "tickguard_trades_total", kBinance, rest_trade_count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), rest_trade_count);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kNkn), rest_trade_count);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kNkn), rest_last_price);
  EXPECT_GT(sum_of(samples, "tickguard_rest_requests_total", ticker_ok), 0);
  EXPECT_GT(sum_of(samples, "tickguard_spread_ratio", kNkn), 0) << "REST tickers reach the pipeline";
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 0);
  // LRCBTC's malformed trades answer: counted each round, logged once (throttled), nothing emitted.
  EXPECT_GE(sum_of(samples, "tickguard_feed_errors_total", with(kBinance, "kind", "parse")), 3);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kLrc), 0);
  EXPECT_EQ(occurrences(daemon.stderr_text(), "binance: unreadable REST fallback answer, ignored"), 1);
  EXPECT_TRUE(daemon.wait_for_log("endpoint=trades symbol=LRC/BTC"));
  EXPECT_GE(gate.refused(), 2);
  EXPECT_EQ(venue.largest_trades_limit(), 100U) << "a cheap request: 100 recent trades, not the default 500";
  EXPECT_EQ(occurrences(daemon.stderr_text(), "rest fallback: stream down, polling prices over REST"), 1);

  // The stream is back: its recorded trades flow (the REST ones are not emitted again) and polling
  // stops.
  gate.open();
  samples = scrape_until(daemon, "tickguard_trades_total", kBinance, rest_trade_count + r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), rest_trade_count + r.trades)
      << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 1);
  ASSERT_TRUE(wait_for_log(daemon, "rest fallback: stream is back", 1)) << daemon.stderr_text();
  const double polled = sum_of(daemon.scrape(), "tickguard_rest_requests_total", trades_ok);
  std::this_thread::sleep_for(1500ms);  // longer than a poll interval
  samples = daemon.scrape();
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total", trades_ok), polled)
      << "no polling once streaming";
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kBinance), rest_trade_count + r.trades);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kBinance), 1);
}

}  // namespace
}  // namespace tickguard::testing
