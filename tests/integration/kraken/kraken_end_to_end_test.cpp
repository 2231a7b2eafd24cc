// Kraken end to end: `tickguard run` with rest_url/ws_url pointed at a mock Kraken on loopback. The
// mock serves the recorded AssetPairs excerpt over REST and speaks WebSocket v2: a status frame on
// connect, an acknowledgement per subscribed symbol, pong for ping, and a replay of the recorded
// 2021 frames (book-1000 for KSM/XBT and XMR/USD, then their trades and tickers) re-encoded as v2
// frames. The recording is v1, so each v2 frame is constructed from it (see tests/fixtures/kraken/
// README.md): numbers at the pair's precisions, a depth-10 view of the recorded depth-1000 book
// (the levels that come into scope are sent, as the venue does), and every checksum computed with
// the connector's own checksum code over that view. Faults are injected per test.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "daemon_process.h"
#include "feeds/kraken/kraken_book.h"
#include "feeds/kraken/kraken_parse.h"
#include "mock_venue.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;
using feeds::kraken::KrakenBook;
using feeds::kraken::KrakenBookOptions;
using feeds::kraken::KrakenBookStatus;
using feeds::kraken::KrakenBookSync;
using feeds::kraken::KrakenLevel;
using feeds::kraken::KrakenMessageKind;
using feeds::kraken::KrakenParser;

constexpr const char* kBookFixture = "ws_v1_book-1000_KSM-XBT_XMR-USD.jsonl";
constexpr const char* kTradeTickerFixture = "ws_v1_trade_ticker_KSM-XBT_XMR-USD.jsonl";
constexpr const char* kAssetPairsFixture = "rest_AssetPairs_excerpt.json";
constexpr int kBookDepth = 10;

std::vector<std::string> kraken_lines(const std::string& file) { return fixture_lines("kraken", file); }

// "1618678134.052308" (v1 epoch seconds) -> "2021-04-17T16:48:54.052308Z" (v2 RFC 3339).
std::string rfc3339(const std::string& epoch) {
  const std::size_t point = epoch.find('.');
  const std::time_t seconds = std::stoll(epoch.substr(0, point));
  std::string micros = point == std::string::npos ? "" : epoch.substr(point + 1);
  micros.resize(6, '0');
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return std::string(text) + "." + micros + "Z";
}

// A recorded decimal ("354.80000000") at `decimals` places ("354.80"); the recording pads with
// zeros, so nothing but zeros is cut (checked).
std::string fixed(const std::string& text, int decimals) {
  const std::size_t point = text.find('.');
  std::string whole = text.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
  if (fraction.size() > static_cast<std::size_t>(decimals)) {
    EXPECT_EQ(fraction.find_first_not_of('0', decimals), std::string::npos) << text;
    fraction.resize(decimals);
  } else {
    fraction.resize(decimals, '0');
  }
  return decimals == 0 ? whole : whole + "." + fraction;
}

std::string format_fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// A book level that owns its texts (KrakenLevel only views them).
struct OwnedLevel {
  std::string price;
  std::string qty;
};

struct Precision {
  int price = 0;
  int qty = 0;
};

// One frame of the replay. Book frames also carry the v2 snapshot of that symbol's book as it is
// after the frame, which the mock sends when the client resubscribes the book at that point.
struct Frame {
  std::string symbol;
  std::string text;
  bool book_update = false;
  std::string snapshot_after;
};

// Builds the v2 replay from the recorded v1 frames.
class Replay {
 public:
  Replay() {
    const auto pairs = feeds::kraken::parse_asset_pairs(kraken_lines(kAssetPairsFixture).at(0));
    for (const char* symbol : {"XMR/USD", "KSM/BTC"}) {
      const auto* pair = pairs.find_unified(symbol);
      precisions_[symbol] = Precision{pair->pair_decimals, pair->lot_decimals};
    }
    build_books();
    build_trades_and_tickers();
  }
  const std::vector<Frame>& frames() const { return frames_; }
  int trades(const std::string& symbol) const { return trades_.count(symbol) ? trades_.at(symbol) : 0; }
  double last_price(const std::string& symbol) const { return last_price_.at(symbol); }
  const std::string& last_ticker() const { return last_ticker_; }

 private:
  static std::string levels_json(const std::vector<OwnedLevel>& levels) {
    std::string out = "[";
    for (const OwnedLevel& level : levels) {
      if (out.size() > 1) out += ',';
      out += R"({"price":)" + level.price + R"(,"qty":)" + level.qty + "}";
    }
    return out + "]";
  }

  static std::string book_frame(const std::string& symbol, bool snapshot, const std::vector<OwnedLevel>& bids,
                                const std::vector<OwnedLevel>& asks, std::uint32_t checksum,
                                const std::string& timestamp) {
    std::string frame = R"({"channel":"book","type":")" + std::string(snapshot ? "snapshot" : "update") +
                        R"(","data":[{"symbol":")" + symbol + R"(","bids":)" + levels_json(bids) +
                        R"(,"asks":)" + levels_json(asks) + R"(,"checksum":)" + std::to_string(checksum);
    if (!timestamp.empty()) frame += R"(,"timestamp":")" + timestamp + "\"";
    return frame + "}]}";
  }

  static std::vector<KrakenLevel> views(const std::vector<OwnedLevel>& levels) {
    std::vector<KrakenLevel> out;
    for (const OwnedLevel& level : levels) {
      out.push_back(KrakenLevel{std::stod(level.price), std::stod(level.qty), level.price, level.qty});
    }
    return out;
  }

  static KrakenBook message(const std::string& symbol, bool snapshot, const std::vector<KrakenLevel>& bids,
                            const std::vector<KrakenLevel>& asks) {
    KrakenBook book;
    book.symbol = symbol;
    book.snapshot = snapshot;
    book.bids = bids;
    book.asks = asks;
    return book;
  }

  // The levels of `full`'s top `kBookDepth` that `view` lacks or holds with another quantity.
  static void add_missing(std::span<const feeds::OrderBook::Level> full,
                          std::span<const feeds::OrderBook::Level> view, const Precision& precision,
                          std::vector<OwnedLevel>& out) {
    for (std::size_t i = 0; i < std::min<std::size_t>(full.size(), kBookDepth); ++i) {
      const auto match =
          std::find_if(view.begin(), view.end(), [&](const auto& l) { return l.price == full[i].price; });
      if (match != view.end() && match->size == full[i].size) continue;
      out.push_back({fixed(std::string(full[i].price_text.view()), precision.price),
                     fixed(std::string(full[i].size_text.view()), precision.qty)});
    }
  }

  static std::vector<OwnedLevel> top_levels(std::span<const feeds::OrderBook::Level> side,
                                            const Precision& precision) {
    std::vector<OwnedLevel> out;
    for (std::size_t i = 0; i < std::min<std::size_t>(side.size(), kBookDepth); ++i) {
      out.push_back({fixed(std::string(side[i].price_text.view()), precision.price),
                     fixed(std::string(side[i].size_text.view()), precision.qty)});
    }
    return out;
  }

  void build_books() {
    KrakenParser parser;
    std::map<std::string, KrakenBookSync> full;  // the recorded depth-1000 book
    std::map<std::string, KrakenBookSync> view;  // what a depth-10 subscriber holds
    const std::regex level_time(R"re("(\d{10}\.\d{6})")re");
    for (const std::string& line : kraken_lines(kBookFixture)) {
      const KrakenMessageKind kind = parser.parse_v1_book(line);
      ASSERT_TRUE(kind == KrakenMessageKind::kBookSnapshot || kind == KrakenMessageKind::kBookUpdate) << line;
      const KrakenBook& recorded = parser.books()[0];
      const std::string symbol = feeds::kraken::unified_symbol(recorded.symbol);
      const Precision precision = precisions_.at(symbol);
      KrakenBookSync& full_book = full.try_emplace(symbol, KrakenBookOptions{.depth = 1000}).first->second;
      ASSERT_EQ(full_book.apply(recorded), KrakenBookStatus::kApplied) << "recorded checksum: " << line;
      KrakenBookSync& client = view.try_emplace(symbol, KrakenBookOptions{.depth = kBookDepth,
                                                                          .price_decimals = precision.price,
                                                                          .qty_decimals = precision.qty})
                                   .first->second;
      std::vector<OwnedLevel> bids;
      std::vector<OwnedLevel> asks;
      std::string timestamp;
      if (recorded.snapshot) {
        bids = top_levels(full_book.book().bids(), precision);
        asks = top_levels(full_book.book().asks(), precision);
      } else {
        for (const KrakenLevel& l : recorded.bids) {
          bids.push_back({fixed(std::string(l.price_text), precision.price),
                          fixed(std::string(l.qty_text), precision.qty)});
        }
        for (const KrakenLevel& l : recorded.asks) {
          asks.push_back({fixed(std::string(l.price_text), precision.price),
                          fixed(std::string(l.qty_text), precision.qty)});
        }
        // Levels that come into the subscriber's scope are published too.
        KrakenBookSync trial = client;
        const auto trial_bids = views(bids);
        const auto trial_asks = views(asks);
        trial.apply(message(symbol, false, trial_bids, trial_asks));
        add_missing(full_book.book().bids(), trial.book().bids(), precision, bids);
        add_missing(full_book.book().asks(), trial.book().asks(), precision, asks);
        std::string latest;
        for (std::sregex_iterator it(line.begin(), line.end(), level_time), end; it != end; ++it) {
          latest = std::max(latest, (*it)[1].str());
        }
        timestamp = rfc3339(latest);
      }
      const auto bid_views = views(bids);
      const auto ask_views = views(asks);
      client.apply(message(symbol, recorded.snapshot, bid_views, ask_views));
      // The subscriber's view is the recorded book's top 10, so the checksum is the venue's.
      ASSERT_EQ(client.book().bids().size(),
                std::min<std::size_t>(full_book.book().bids().size(), kBookDepth));
      for (std::size_t i = 0; i < client.book().bids().size(); ++i) {
        ASSERT_EQ(client.book().bids()[i].price, full_book.book().bids()[i].price);
        ASSERT_EQ(client.book().bids()[i].size, full_book.book().bids()[i].size);
      }
      for (std::size_t i = 0; i < client.book().asks().size(); ++i) {
        ASSERT_EQ(client.book().asks()[i].price, full_book.book().asks()[i].price);
        ASSERT_EQ(client.book().asks()[i].size, full_book.book().asks()[i].size);
      }
      Frame frame;
      frame.symbol = symbol;
      frame.book_update = !recorded.snapshot;
      frame.text = book_frame(symbol, recorded.snapshot, bids, asks, client.checksum(), timestamp);
      frame.snapshot_after = book_frame(symbol, true, top_levels(client.book().bids(), precision),
                                        top_levels(client.book().asks(), precision), client.checksum(), "");
      frames_.push_back(std::move(frame));
    }
  }

  void build_trades_and_tickers() {
    const std::regex trade(R"re(\["([0-9.]+)","([0-9.]+)","([0-9.]+)","([bs])","([lm])","[^"]*"\])re");
    const std::regex symbol_at_end(R"re("(trade|ticker)","([A-Z]+/[A-Z]+)"\]$)re");
    const auto pair_of = [](const std::string& line, const char* key) {
      const std::regex re(std::string("\"") + key + R"re(":\["([0-9.]+)",(?:\d+,)?"([0-9.]+)"\])re");
      std::smatch m;
      EXPECT_TRUE(std::regex_search(line, m, re)) << key << " in " << line;
      return std::pair{m[1].str(), m[2].str()};
    };
    std::uint64_t trade_id = 4665846;  // v1 trades have no id; v2 numbers them per book
    for (const std::string& line : kraken_lines(kTradeTickerFixture)) {
      std::smatch tail;
      ASSERT_TRUE(std::regex_search(line, tail, symbol_at_end)) << line;
      const std::string symbol = feeds::kraken::unified_symbol(tail[2].str());
      const Precision precision = precisions_.at(symbol);
      Frame frame;
      frame.symbol = symbol;
      if (tail[1] == "trade") {
        std::string data;
        for (std::sregex_iterator it(line.begin(), line.end(), trade), end; it != end; ++it) {
          const std::smatch& m = *it;
          if (!data.empty()) data += ',';
          data += R"({"symbol":")" + symbol + R"(","side":")" + (m[4] == "b" ? "buy" : "sell") +
                  R"(","price":)" + fixed(m[1].str(), precision.price) + R"(,"qty":)" +
                  fixed(m[2].str(), precision.qty) + R"(,"ord_type":")" + (m[5] == "l" ? "limit" : "market") +
                  R"(","trade_id":)" + std::to_string(trade_id++) + R"(,"timestamp":")" +
                  rfc3339(m[3].str()) + "\"}";
          ++trades_[symbol];
          last_price_[symbol] = std::stod(m[1].str());
        }
        frame.text = R"({"channel":"trade","type":"update","data":[)" + data + "]}";
      } else {
        const auto [ask, ask_qty] = pair_of(line, "a");
        const auto [bid, bid_qty] = pair_of(line, "b");
        const auto [last, last_qty] = pair_of(line, "c");
        const auto [volume_today, volume] = pair_of(line, "v");
        const auto [vwap_today, vwap] = pair_of(line, "p");
        const auto [low_today, low] = pair_of(line, "l");
        const auto [high_today, high] = pair_of(line, "h");
        const auto [open_today, open] = pair_of(line, "o");
        const double change = std::stod(last) - std::stod(open);
        frame.text = R"({"channel":"ticker","type":"update","data":[{"symbol":")" + symbol + R"(","bid":)" +
                     fixed(bid, precision.price) + R"(,"bid_qty":)" + fixed(bid_qty, precision.qty) +
                     R"(,"ask":)" + fixed(ask, precision.price) + R"(,"ask_qty":)" +
                     fixed(ask_qty, precision.qty) + R"(,"last":)" + fixed(last, precision.price) +
                     R"(,"volume":)" + fixed(volume, precision.qty) + R"(,"vwap":)" + vwap + R"(,"low":)" +
                     fixed(low, precision.price) + R"(,"high":)" + fixed(high, precision.price) +
                     R"(,"change":)" + format_fixed(change, precision.price) + R"(,"change_pct":)" +
                     format_fixed(100 * change / std::stod(open), 2) + "}]}";
        last_ticker_ = frame.text;
      }
      frames_.push_back(std::move(frame));
    }
  }

  std::map<std::string, Precision> precisions_;
  std::vector<Frame> frames_;
  std::map<std::string, int> trades_;
  std::map<std::string, double> last_price_;
  std::string last_ticker_;
};

const Replay& replay() {
  static const Replay instance;
  return instance;
}

// One client request, as far as the mock needs it.
struct Request {
  std::string method;  // "subscribe", "unsubscribe", "ping"
  std::string channel;
  std::vector<std::string> symbols;
  std::string req_id;  // as written, empty if none
};

Request parse_request(const std::string& text) {
  static const std::regex method(R"re("method":"(\w+)")re");
  static const std::regex channel(R"re("channel":"(\w+)")re");
  static const std::regex symbols(R"re("symbol":\[([^\]]*)\])re");
  static const std::regex symbol(R"re("([^"]+)")re");
  static const std::regex req_id(R"re("req_id":(\d+))re");
  Request out;
  std::smatch m;
  if (std::regex_search(text, m, method)) out.method = m[1];
  if (std::regex_search(text, m, channel)) out.channel = m[1];
  if (std::regex_search(text, m, req_id)) out.req_id = m[1];
  if (std::regex_search(text, m, symbols)) {
    const std::string list = m[1];
    for (std::sregex_iterator it(list.begin(), list.end(), symbol), end; it != end; ++it) {
      out.symbols.push_back((*it)[1]);
    }
  }
  return out;
}

// Faults the mock injects.
struct Faults {
  int corrupt_xmr_update = -1;           // corrupt the checksum of this XMR/USD book update (0-based)
  bool drop_first_connection = false;    // reset the first connection after the replay
  bool silent_first_connection = false;  // first connection: heartbeats only after the replay
  bool garbage_after_books = false;      // a truncated frame and a non-JSON frame after the books
  int rest_rate_limited = 0;             // answer AssetPairs with 429 + Retry-After this many times,
  int rest_unavailable = 0;              // then with 200 and a venue error in the body this many times
  bool refuse_ws = false;                // close every WebSocket connection at once until allow_ws()
  int rest_garbage_tickers = 0;          // answer this many Ticker requests with 200 and a non-JSON body
};

// The REST fallback's XMR/USD answers (Ticker, Trades), constructed after Kraken's documented shapes
// with prices away from the recording's (its last XMR/USD trade is at 353.81). The first Trades
// answer lists the first two trades, later ones all three: one trade happens between polls.
struct RestTrade {
  const char* price;
  const char* volume;
  const char* time;  // epoch seconds, a JSON number in the body
  const char* side;
  int id;
};
constexpr RestTrade kRestTrades[] = {
    {"360.12000000", "0.50000000", "1700000000.1234567", "b", 70000001},
    {"360.55000000", "1.25000000", "1700000001.5", "s", 70000002},
    {"361.07000000", "0.75000000", "1700000003.0000001", "b", 70000003},
};
constexpr double kRestLastPrice = 361.07;
constexpr const char* kXmrRestKey = "XXMRZUSD";  // the AssetPairs key the connector asks by
constexpr const char* kXmrRestTicker =
    R"({"error":[],"result":{"XXMRZUSD":{"a":["361.20000000","3","3.000"],"b":["360.90000000","2","2.000"],)"
    R"("c":["361.07000000","0.75000000"],"v":["17863.00545423","33467.47183168"],)"
    R"("p":["355.33475327","349.17092588"],"t":[6485,10284],"l":["340.88000000","333.87000000"],)"
    R"("h":["368.00000000","368.00000000"],"o":"340.88000000"}}})";
constexpr const char* kUnknownPair = R"({"error":["EQuery:Unknown asset pair"]})";

class MockKraken {
 public:
  explicit MockKraken(Faults faults = {}) : faults_(faults), ws_([this](MockConnection& c) { session(c); }) {
    const std::string body = kraken_lines(kAssetPairsFixture).at(0);
    rest_.server().Get("/0/public/AssetPairs", [this, body](const httplib::Request&, httplib::Response& res) {
      const int request = rest_requests_++;
      if (request < faults_.rest_rate_limited) {
        res.status = 429;
        res.set_header("Retry-After", "1");
        res.set_content(R"({"error":["EGeneral:Too many requests"]})", "application/json");
        return;
      }
      if (request < faults_.rest_rate_limited + faults_.rest_unavailable) {
        res.set_content(R"({"error":["EService:Unavailable"]})", "application/json");
        return;
      }
      res.set_content(body, "application/json");
    });
    // Kraken answers an unknown pair with 200 and an error in the body.
    rest_.server().Get("/0/public/Ticker", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      if (ticker_requests_++ < faults_.rest_garbage_tickers) {
        return res.set_content("<html>502 Bad Gateway</html>", "text/html");
      }
      res.set_content(req.get_param_value("pair") == kXmrRestKey ? kXmrRestTicker : kUnknownPair,
                      "application/json");
    });
    rest_.server().Get("/0/public/Trades", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      if (req.get_param_value("pair") != kXmrRestKey)
        return res.set_content(kUnknownPair, "application/json");
      const int available = std::min<int>(2 + trades_requests_++, std::size(kRestTrades));
      const int count = req.has_param("count") ? std::stoi(req.get_param_value("count")) : 1000;
      std::string trades;
      for (int i = std::max(0, available - count); i < available; ++i) {
        const RestTrade& t = kRestTrades[i];
        if (!trades.empty()) trades += ',';
        trades += std::string(R"([")") + t.price + R"(",")" + t.volume + R"(",)" + t.time + R"(,")" + t.side +
                  R"(","l","",)" + std::to_string(t.id) + "]";
      }
      res.set_content(
          R"({"error":[],"result":{"XXMRZUSD":[)" + trades + R"(],"last":"1700000003000000100"}})",
          "application/json");
    });
    rest_.start();
  }
  // refuse_ws: from now on WebSocket connections are served.
  void allow_ws() { ws_allowed_ = true; }
  // The REST fallback requests received, as "/0/public/Trades?pair=XXMRZUSD&count=100".
  std::vector<std::string> rest_queries() const {
    std::lock_guard lock(mutex_);
    return rest_queries_;
  }
  std::string rest_url() const { return rest_.url(); }
  std::string ws_url() const { return ws_.url("/v2"); }
  std::vector<std::string> received() const { return ws_.received(); }
  int connections() const { return ws_.connections(); }

 private:
  void record(const httplib::Request& req) {
    std::string query = req.path + "?pair=" + req.get_param_value("pair");
    if (req.has_param("count")) query += "&count=" + req.get_param_value("count");
    std::lock_guard lock(mutex_);
    rest_queries_.push_back(std::move(query));
  }

  static std::string now_rfc3339() { return rfc3339(std::to_string(std::time(nullptr)) + ".000000"); }

  // Answers one request as the venue does: one result per symbol, or pong. Returns it.
  static Request answer(MockConnection& c, const std::string& text) {
    const Request request = parse_request(text);
    const std::string times = R"(,"time_in":")" + now_rfc3339() + R"(","time_out":")" + now_rfc3339() + "\"" +
                              (request.req_id.empty() ? "" : R"(,"req_id":)" + request.req_id);
    if (request.method == "ping") {
      c.write(R"({"method":"pong")" + times + "}");
      return request;
    }
    for (const std::string& symbol : request.symbols) {
      if (symbol != "XMR/USD" && symbol != "KSM/BTC") {
        c.write(R"({"error":"Currency pair not supported )" + symbol + R"(","method":")" + request.method +
                R"(","success":false,"symbol":")" + symbol + "\"" + times + "}");
        continue;
      }
      c.write(R"({"method":")" + request.method + R"(","result":{"channel":")" + request.channel +
              R"(","symbol":")" + symbol + R"("},"success":true)" + times + "}");
    }
    return request;
  }

  void session(MockConnection& c) {
    if (faults_.refuse_ws && !ws_allowed_) return;  // closed right after the handshake
    c.write(R"({"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":)" +
            std::to_string(7000000000000000000ull + c.index()) +
            R"(,"system":"online","version":"2.0.10"}]})");
    std::set<std::string> subscribed;
    std::string message;
    while (subscribed.size() < 3) {  // trade, ticker and book
      if (!c.read(message)) return;
      const Request request = answer(c, message);
      if (request.method == "subscribe") subscribed.insert(request.channel);
    }
    if (!c.write(R"({"channel":"heartbeat"})") || !play(c)) return;
    if (c.index() == 0 && faults_.drop_first_connection) return c.drop();  // no close frame
    if (c.index() == 0 && faults_.silent_first_connection) {
      // Heartbeats only, as the venue sends when a channel is idle: they are not market data.
      while (!c.stopping() && c.write(R"({"channel":"heartbeat"})")) std::this_thread::sleep_for(200ms);
      return;
    }
    if (faults_.silent_first_connection) {
      // Later connections keep market data flowing, so the silence timeout does not fire again.
      while (!c.stopping() && c.write(replay().last_ticker())) std::this_thread::sleep_for(100ms);
      return;
    }
    while (c.read(message)) answer(c, message);
  }

  // Sends the replay; false if the connection went away.
  bool play(MockConnection& c) {
    const auto& frames = replay().frames();
    int xmr_updates = 0;
    bool garbage_sent = false;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const Frame& frame = frames[i];
      if (faults_.garbage_after_books && !garbage_sent &&
          frame.text.find(R"("channel":"book")") == std::string::npos) {
        garbage_sent = true;
        if (!c.write(R"({"channel":"trade","type":"update","data":[{"symbol":"XMR/USD","side":"bu)"))
          return false;
        if (!c.write("<html>502 Bad Gateway</html>")) return false;
      }
      const bool corrupt =
          frame.book_update && frame.symbol == "XMR/USD" && xmr_updates++ == faults_.corrupt_xmr_update;
      std::string text = frame.text;
      if (corrupt) text = std::regex_replace(text, std::regex(R"("checksum":\d+)"), R"("checksum":12345)");
      if (!c.write(text)) return false;
      if (!corrupt) continue;
      // The venue streams on until the client unsubscribes: the next XMR/USD update reaches a book that
      // is resynchronizing. Then the client's resubscription gets a fresh snapshot.
      std::size_t next = i + 1;
      while (next < frames.size() && !(frames[next].book_update && frames[next].symbol == "XMR/USD")) ++next;
      for (std::size_t j = i + 1; j <= next && j < frames.size(); ++j) {
        if (!c.write(frames[j].text)) return false;
      }
      if (next >= frames.size()) return true;
      ++xmr_updates;
      std::string message;
      for (;;) {
        if (!c.read(message)) return false;
        const Request request = answer(c, message);
        if (request.method == "subscribe" && request.channel == "book") break;
      }
      if (!c.write(frames[next].snapshot_after)) return false;
      i = next;
    }
    return true;
  }

  Faults faults_;
  std::atomic<int> rest_requests_{0};
  std::atomic<int> trades_requests_{0};
  std::atomic<int> ticker_requests_{0};
  std::atomic<bool> ws_allowed_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> rest_queries_;
  MockRest rest_;
  MockWebSocket ws_;
};

std::filesystem::path kraken_config(const TempDir& dir, const MockKraken& venue,
                                    const std::string& extra = "") {
  return dir.write("kraken.toml",
                   "[[feed]]\nexchange = \"kraken\"\nsymbols = [\"XMR/USD\", \"KSM/BTC\", \"NOPE/USD\"]\n"
                   "rest_url = \"" +
                       venue.rest_url() + "\"\nws_url = \"" + venue.ws_url() + "\"\n" + extra);
}

const std::map<std::string, std::string> kXmr{{"exchange", "kraken"}, {"symbol", "XMR/USD"}};
const std::map<std::string, std::string> kKsm{{"exchange", "kraken"}, {"symbol", "KSM/BTC"}};
const std::map<std::string, std::string> kKraken{{"exchange", "kraken"}};

int count_containing(const std::vector<std::string>& messages, const std::string& needle) {
  return static_cast<int>(std::count_if(messages.begin(), messages.end(), [&](const std::string& m) {
    return m.find(needle) != std::string::npos;
  }));
}

TEST(KrakenEndToEnd, StreamsRecordedTradesTickersAndBooksThroughTheDaemon) {
  const int expected_trades = replay().trades("XMR/USD");
  ASSERT_EQ(expected_trades, 4);  // every XMR/USD trade of the recording
  MockKraken venue;
  TempDir dir;
  DaemonProcess daemon({"--config", kraken_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();

  const auto samples = scrape_until(daemon, "tickguard_trades_total", kXmr, expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXmr), expected_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kKsm), 0);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kXmr), replay().last_price("XMR/USD"));
  EXPECT_GT(sum_of(samples, "tickguard_spread_ratio", kXmr), 0);
  EXPECT_LT(sum_of(samples, "tickguard_spread_ratio", kXmr), 0.01);
  // KSM/BTC has tickers but no trades: its spread arrives on its own pipeline shard.
  EXPECT_GT(
      sum_of(scrape_until(daemon, "tickguard_spread_ratio", kKsm, 1e-12), "tickguard_spread_ratio", kKsm), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kKraken), 1);
  EXPECT_GT(sum_of(samples, "tickguard_feed_messages_total", kKraken), expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_rest_requests_total",
                   {{"exchange", "kraken"}, {"endpoint", "AssetPairs"}, {"code", "200"}}),
            1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kKraken), 0)
      << "every constructed v2 book message carries a valid checksum";
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kKraken), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kKraken), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kKraken), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", kKraken), 0);

  // One request per channel, both listed symbols, the unknown one left out.
  const auto received = venue.received();
  EXPECT_EQ(count_containing(received, R"({"method":"subscribe","params":{"channel":"trade",)"
                                       R"("symbol":["XMR/USD","KSM/BTC"],"snapshot":false},"req_id":)"),
            1);
  EXPECT_EQ(count_containing(received, R"({"method":"subscribe","params":{"channel":"ticker",)"
                                       R"("symbol":["XMR/USD","KSM/BTC"],"event_trigger":"bbo"},"req_id":)"),
            1);
  EXPECT_EQ(count_containing(received, R"({"method":"subscribe","params":{"channel":"book",)"
                                       R"("symbol":["XMR/USD","KSM/BTC"],"depth":10},"req_id":)"),
            1);
  EXPECT_EQ(count_containing(received, "NOPE"), 0);
  const std::string log = daemon.stderr_text();
  EXPECT_NE(log.find("kraken: unknown symbol, not subscribed"), std::string::npos) << log;
  EXPECT_NE(log.find("symbol=NOPE/USD"), std::string::npos);

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
}

TEST(KrakenEndToEnd, CorruptChecksumResubscribesThatBookAloneAndRecovers) {
  MockKraken venue({.corrupt_xmr_update = 5});
  TempDir dir;
  DaemonProcess daemon({"--config", kraken_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  // The trades come after every book frame: once they are in, the whole replay was processed.
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kXmr, replay().trades("XMR/USD"));
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kXmr), 1) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kKsm), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_sequence_gaps_total", kKraken), 0);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kKraken), 1)
      << "the XMR/USD update that arrived while its book resynchronized";
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kKraken), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kKraken), 0);
  EXPECT_TRUE(daemon.wait_for_log("kraken: book out of sync, resubscribing"));

  // The XMR/USD book alone was unsubscribed and subscribed again.
  const auto received = venue.received();
  EXPECT_EQ(
      count_containing(
          received, R"({"method":"unsubscribe","params":{"channel":"book","symbol":["XMR/USD"],"depth":10})"),
      1);
  EXPECT_EQ(
      count_containing(
          received, R"({"method":"subscribe","params":{"channel":"book","symbol":["XMR/USD"],"depth":10})"),
      1);
  EXPECT_EQ(count_containing(received, R"("channel":"book","symbol":["KSM/BTC"])"), 0);
  EXPECT_EQ(count_containing(received, R"("method":"unsubscribe")"), 1);
}

TEST(KrakenEndToEnd, DroppedConnectionReconnectsResubscribesAndResumes) {
  const int expected_trades = replay().trades("XMR/USD");
  MockKraken venue({.drop_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", kraken_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  // The replay is sent twice: once before the drop, once after the reconnect and resubscription.
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kXmr, 2 * expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXmr), 2 * expected_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kKraken), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kKraken), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_checksum_failures_total", kKraken), 0)
      << "every book was resynchronized from the new connection's snapshot";
  EXPECT_EQ(
      sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "kraken"}, {"kind", "disconnected"}}), 1);
  EXPECT_EQ(venue.connections(), 2);
  EXPECT_EQ(count_containing(venue.received(), R"({"method":"subscribe","params":{"channel":"book",)"), 2);
  EXPECT_TRUE(daemon.wait_for_log("kraken: disconnected, reconnecting"));
}

TEST(KrakenEndToEnd, ConnectionWithOnlyHeartbeatsIsReplacedAfterTheSilenceTimeout) {
  const int expected_trades = replay().trades("XMR/USD");
  MockKraken venue({.silent_first_connection = true});
  TempDir dir;
  DaemonProcess daemon({"--config", kraken_config(dir, venue, "silence_timeout = \"1s\"\n").string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kXmr, 2 * expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXmr), 2 * expected_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kKraken), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "kraken"}, {"kind", "silence"}}), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kKraken), 1);
  EXPECT_TRUE(daemon.wait_for_log("silence: no data message for 1000 ms")) << daemon.stderr_text();
}

TEST(KrakenEndToEnd, MalformedFramesAreCountedAndTheStreamContinues) {
  const int expected_trades = replay().trades("XMR/USD");
  MockKraken venue({.garbage_after_books = true});
  TempDir dir;
  DaemonProcess daemon({"--config", kraken_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kXmr, expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXmr), expected_trades) << daemon.stderr_text();
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "kraken"}, {"kind", "parse"}}), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_dropped_messages_total", kKraken), 2);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kKraken), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_reconnects_total", kKraken), 0);
  EXPECT_TRUE(daemon.wait_for_log("kraken: malformed message dropped"));
}

TEST(KrakenEndToEnd, RefusedMetadataRequestsAreRetried) {
  const int expected_trades = replay().trades("XMR/USD");
  // A 429 with Retry-After (VenueRest waits it out), then a 200 whose body carries a venue error.
  MockKraken venue({.rest_rate_limited = 1, .rest_unavailable = 1});
  TempDir dir;
  DaemonProcess daemon({"--config", kraken_config(dir, venue).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const auto samples = scrape_until(daemon, "tickguard_trades_total", kXmr, expected_trades);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXmr), expected_trades) << daemon.stderr_text();
  const std::map<std::string, std::string> asset_pairs{{"exchange", "kraken"}, {"endpoint", "AssetPairs"}};
  auto with_code = [&](const char* code) {
    auto labels = asset_pairs;
    labels["code"] = code;
    return sum_of(samples, "tickguard_rest_requests_total", labels);
  };
  EXPECT_EQ(with_code("429"), 1);
  EXPECT_EQ(with_code("200"), 2);
  EXPECT_EQ(
      sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "kraken"}, {"kind", "rate_limited"}}), 1);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "kraken"}, {"kind", "venue"}}), 1);
  EXPECT_TRUE(daemon.wait_for_log("kraken: cannot load AssetPairs, retrying"));
  EXPECT_TRUE(daemon.wait_for_log("EService:Unavailable"));
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kKraken), 1);
}

TEST(KrakenEndToEnd, RestFallbackPollsPricesWhileTheStreamIsDownAndStopsOnceItIsBack) {
  const auto started = std::chrono::steady_clock::now();
  MockKraken venue({.refuse_ws = true, .rest_garbage_tickers = 1});
  TempDir dir;
  const auto config = dir.write("kraken.toml",
                                "[[feed]]\nexchange = \"kraken\"\nsymbols = [\"XMR/USD\"]\n"
                                "rest_url = \"" +
                                    venue.rest_url() + "\"\nws_url = \"" + venue.ws_url() +
                                    "\"\nrest_poll_interval = \"1s\"\n");
  DaemonProcess daemon({"--config", config.string()});
  ASSERT_TRUE(daemon.wait_until_serving("/metrics", 30s)) << daemon.stderr_text();
  const int rest_trades = static_cast<int>(std::size(kRestTrades));
  const std::map<std::string, std::string> ticker_200{
      {"exchange", "kraken"}, {"endpoint", "ticker"}, {"code", "200"}};
  const std::map<std::string, std::string> trades_200{
      {"exchange", "kraken"}, {"endpoint", "trades"}, {"code", "200"}};

  // The stream never carries data: after the grace (capped at the 1 s interval), one Ticker and one
  // Trades request per round at the venue's one call per second. Later Trades answers repeat the
  // trades already emitted.
  auto samples = scrape_until(daemon, "tickguard_trades_total", kXmr, rest_trades, 15s);
  ASSERT_EQ(sum_of(samples, "tickguard_trades_total", kXmr), rest_trades) << daemon.stderr_text();
  samples = scrape_until(daemon, "tickguard_rest_requests_total", trades_200, 3, 10s);
  EXPECT_GE(sum_of(samples, "tickguard_rest_requests_total", trades_200), 3);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXmr), rest_trades) << "each REST trade emitted once";
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kXmr), kRestLastPrice);
  EXPECT_GT(sum_of(samples, "tickguard_rest_requests_total", ticker_200), 0);
  EXPECT_GT(sum_of(samples, "tickguard_spread_ratio", kXmr), 0) << "from the REST ticker";
  // The first Ticker answer was not JSON: counted, logged and dropped; the next round asked again.
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "kraken"}, {"kind", "parse"}}), 1);
  EXPECT_TRUE(daemon.wait_for_log("kraken: rest fallback answer dropped"));
  EXPECT_EQ(sum_of(samples, "tickguard_feed_errors_total", {{"exchange", "kraken"}, {"kind", "venue"}}), 0);
  // Each refused connection is up for an instant only: a scrape almost always finds it down.
  bool seen_down = false;
  for (int i = 0; i < 20 && !seen_down; ++i) {
    seen_down = sum_of(daemon.scrape(), "tickguard_feed_up", kKraken) == 0;
    if (!seen_down) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(seen_down);
  EXPECT_TRUE(daemon.wait_for_log("rest fallback: stream down, polling prices over REST"))
      << daemon.stderr_text();
  // Both requests name the pair by its AssetPairs key; Trades asks for the latest 100 only.
  const auto queries = venue.rest_queries();
  EXPECT_EQ(count_containing(queries, "?pair=XXMRZUSD"), static_cast<int>(queries.size()));
  EXPECT_GT(count_containing(queries, "/0/public/Ticker?pair=XXMRZUSD"), 0);
  EXPECT_EQ(count_containing(queries, "/0/public/Trades?pair=XXMRZUSD&count=100"),
            count_containing(queries, "/0/public/Trades"));

  // The stream comes back: its replay flows (REST answers still in flight are ignored), polling stops.
  venue.allow_ws();
  const int expected = rest_trades + replay().trades("XMR/USD");
  samples = scrape_until(daemon, "tickguard_trades_total", kXmr, expected, 10s);
  EXPECT_EQ(sum_of(samples, "tickguard_trades_total", kXmr), expected) << daemon.stderr_text();
  samples = scrape_until(daemon, "tickguard_feed_up", kKraken, 1, 5s);
  EXPECT_EQ(sum_of(samples, "tickguard_feed_up", kKraken), 1);
  EXPECT_DOUBLE_EQ(sum_of(samples, "tickguard_price", kXmr), replay().last_price("XMR/USD"));
  EXPECT_TRUE(daemon.wait_for_log("rest fallback: stream is back")) << daemon.stderr_text();

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.stderr_text();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
}

}  // namespace
}  // namespace tickguard::testing
