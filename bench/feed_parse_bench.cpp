// Per-message cost of the exchange connectors' hot path on recorded venue payloads
// (tests/fixtures/<venue>/): decoding a trades frame with the venue's parser, and decoding a book
// update and applying it to the venue's book sync the way the connector does (route by symbol,
// apply, verify the checksum where the venue sends one, fill the top of book the connector
// publishes). Every fixture is read from disk, and every frame classified, before any timed loop.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocation_counter.h"
#include "feeds/binance/binance_book.h"
#include "feeds/binance/binance_parse.h"
#include "feeds/bybit/bybit_book.h"
#include "feeds/bybit/bybit_parse.h"
#include "feeds/coinbase/coinbase_book.h"
#include "feeds/coinbase/coinbase_parse.h"
#include "feeds/kraken/kraken_book.h"
#include "feeds/kraken/kraken_parse.h"
#include "feeds/okx/okx_book.h"
#include "feeds/okx/okx_parse.h"
#include "tickguard/event.h"

namespace tickguard::bench {
namespace {

namespace binance = feeds::binance;
namespace bybit = feeds::bybit;
namespace coinbase = feeds::coinbase;
namespace kraken = feeds::kraken;
namespace okx = feeds::okx;

// ---- Fixtures ----

std::filesystem::path fixture_path(std::string_view venue, std::string_view name) {
  return std::filesystem::path(TICKGUARD_SOURCE_DIR) / "tests" / "fixtures" / venue / name;
}

// The whole file, or nothing when it cannot be read.
std::optional<std::string> read_fixture(std::string_view venue, std::string_view name) {
  std::ifstream in(fixture_path(venue, name), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The non-empty lines (one frame each) of a .jsonl fixture that contain `needle` (every line when
// it is empty); none when the file cannot be read.
std::vector<std::string> read_frames(std::string_view venue, std::string_view name,
                                     std::string_view needle = {}) {
  std::ifstream in(fixture_path(venue, name), std::ios::binary);
  std::vector<std::string> frames;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.find(needle) != std::string::npos) frames.push_back(line);
  }
  return frames;
}

// ---- Trade parsing ----

// Parses `frames` round-robin, one frame per iteration (items = frames). `parse` returns the
// number of trades the frame held, 0 when it did not decode as trades.
template <typename Parse>
void run_trade_parse(benchmark::State& state, const std::vector<std::string>& frames, Parse parse) {
  if (frames.empty()) {
    state.SkipWithError("recorded trade frames not found");
    return;
  }
  // Warm-up: one pass sizes the parser's buffers for the largest frame, and checks every frame.
  for (const std::string& frame : frames) {
    if (parse(frame) == 0) {
      state.SkipWithError("a recorded trade frame did not decode as trades");
      return;
    }
  }
  std::size_t next = 0;
  std::uint64_t trades = 0;
  std::uint64_t bytes = 0;
  AllocationProbe probe;
  for (auto _ : state) {
    const std::string& frame = frames[next];
    trades += parse(frame);
    bytes += frame.size();
    if (++next == frames.size()) next = 0;
  }
  probe.report(state, state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["trades_per_item"] =
      benchmark::Counter(static_cast<double>(trades), benchmark::Counter::kAvgIterations);
}

// ---- Book sessions ----

// What the connector does with one book frame.
enum class Outcome : std::uint8_t {
  kPublished,  // the book changed and its top was filled for publication
  kDropped,    // nothing to publish (a stale diff, another channel, an unknown symbol)
  kFailed,     // undecodable, or the book needs a resync: the recording did not replay cleanly
};

// One symbol's book sync and the recorded snapshot (a frame, or for Binance a REST body) that
// (re)starts it.
template <typename Sync>
struct SymbolBook {
  template <typename... Args>
  SymbolBook(std::string_view name, std::string snapshot_text, Args&&... args)
      : symbol(name), snapshot(std::move(snapshot_text)), sync(std::forward<Args>(args)...) {}

  std::string symbol;  // as the venue writes it in its frames
  std::string snapshot;
  Sync sync;
};

// A venue's recorded book session: one snapshot per book, then the updates in recorded order.
// Venues derive from it and add restart() (reset every book and apply its snapshot), apply(i)
// (decode update i and handle it as the connector does) and check() (after one lap: nullptr, or
// why the lap does not count as a clean replay).
template <typename Sync>
class BookSession {
 public:
  const std::vector<std::string>& updates() const { return updates_; }
  std::size_t snapshot_count() const { return books_.size(); }

 protected:
  // A linear search: the sessions hold 2 to 10 books.
  SymbolBook<Sync>* find(std::string_view symbol) const {
    for (const auto& book : books_) {
      if (book->symbol == symbol) return book.get();
    }
    return nullptr;
  }

  std::vector<std::unique_ptr<SymbolBook<Sync>>> books_;
  std::vector<std::string> updates_;
};

// Fills the top of book as the connector does before publishing it.
template <typename Fill>
Outcome publish(Fill fill) {
  BookSnapshot snapshot;
  fill(snapshot);
  benchmark::DoNotOptimize(snapshot);
  return Outcome::kPublished;
}

// CPU time of the calling thread, in seconds: what the library's CPU column measures, without the
// time other processes hold the core (the measuring machine is shared).
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Replays a session's updates one per iteration (items = update frames). When the recording runs
// out, the books are reset and their snapshots applied again, outside the measured time: the
// benchmark uses manual time, the thread's CPU time read only at the two ends of each lap of
// updates, so the reported time per iteration is that of the updates alone (the CPU column also
// holds the snapshots). The snapshots are measured separately (us_per_snapshot, thread CPU time,
// and allocs_per_snapshot). allocs_per_item counts the allocations made during the laps only.
template <typename Session>
void run_book_apply(benchmark::State& state, Session& session) {
  const std::vector<std::string>& updates = session.updates();
  if (updates.empty() || session.snapshot_count() == 0) {
    state.SkipWithError("recorded book frames not found");
    return;
  }
  // Warm-up lap, checked: sizes every buffer, and the recording must replay without a resync.
  if (!session.restart()) {
    state.SkipWithError("a recorded snapshot did not apply");
    return;
  }
  for (std::size_t i = 0; i < updates.size(); ++i) {
    if (session.apply(i) == Outcome::kFailed) {
      state.SkipWithError("a recorded update did not decode or needed a resync");
      return;
    }
  }
  if (const char* problem = session.check(); problem != nullptr) {
    state.SkipWithError(problem);
    return;
  }

  std::size_t next = updates.size();  // the first iteration starts a lap
  bool in_lap = false;
  double lap_start = 0;
  std::uint64_t lap_start_allocations = 0;
  std::uint64_t allocations = 0;
  std::uint64_t published = 0;
  std::uint64_t bytes = 0;
  std::uint64_t restarts = 0;
  std::uint64_t restart_allocations = 0;
  double restart_seconds = 0;
  const auto end_lap = [&] {
    const double now = thread_cpu_seconds();
    allocations += allocation_count() - lap_start_allocations;
    state.SetIterationTime(now - lap_start);
  };
  for (auto _ : state) {
    if (next == updates.size()) {
      if (in_lap) end_lap();
      const std::uint64_t allocations_before = allocation_count();
      const double restart_start = thread_cpu_seconds();
      const bool restarted = session.restart();
      restart_seconds += thread_cpu_seconds() - restart_start;
      restart_allocations += allocation_count() - allocations_before;
      ++restarts;
      in_lap = restarted;
      if (!restarted) {
        state.SkipWithError("a recorded snapshot did not apply");
        break;
      }
      next = 0;
      lap_start_allocations = allocation_count();
      lap_start = thread_cpu_seconds();
    }
    published += session.apply(next) == Outcome::kPublished ? 1 : 0;
    bytes += updates[next].size();
    ++next;
  }
  if (in_lap) end_lap();

  const auto items = static_cast<double>(state.iterations());
  const auto snapshots = static_cast<double>(restarts * session.snapshot_count());
  state.counters["allocs_per_item"] = items > 0 ? static_cast<double>(allocations) / items : 0.0;
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["published_per_item"] =
      benchmark::Counter(static_cast<double>(published), benchmark::Counter::kAvgIterations);
  if (snapshots > 0) {
    state.counters["us_per_snapshot"] = restart_seconds * 1e6 / snapshots;
    state.counters["allocs_per_snapshot"] = static_cast<double>(restart_allocations) / snapshots;
  }
}

// ---- Binance ----

void BM_BinanceParse_Trades(benchmark::State& state) {
  // <symbol>@aggTrade frames: binance.com (2) and binance.us (11, the same shape).
  std::vector<std::string> frames = read_frames("binance", "ws_aggTrade.jsonl");
  for (std::string& frame : read_frames("binance", "us_ws_aggTrade.jsonl"))
    frames.push_back(std::move(frame));
  binance::BinanceParser parser;
  run_trade_parse(state, frames, [&parser](std::string_view frame) -> std::size_t {
    const binance::StreamMessage& message = parser.parse_stream(frame);
    if (message.kind != binance::MessageKind::kTrade) return 0;
    Trade trade = message.trade;
    benchmark::DoNotOptimize(trade);
    return 1;
  });
}
BENCHMARK(BM_BinanceParse_Trades);

// NKNUSDT and LRCBTC: the REST depth snapshot (limit 1000: 609 and 176 bids, 1000 asks) of each,
// then their @depth@100ms diffs in recorded order (165 frames; the first diffs of each end at or
// before the snapshot and are dropped as stale, as the venue's procedure says: 3 of 165).
class BinanceBookSession : public BookSession<binance::BinanceBookSync> {
 public:
  BinanceBookSession() {
    for (const std::string_view symbol : {"NKNUSDT", "LRCBTC"}) {
      std::optional<std::string> body =
          read_fixture("binance", "rest_depth_" + std::string(symbol) + ".json");
      if (!body) continue;
      books_.push_back(std::make_unique<SymbolBook<binance::BinanceBookSync>>(
          symbol, std::move(*body), binance::BookSyncOptions{.max_levels_per_side = 1000}));
    }
    for (std::string& frame : read_frames("binance", "ws_depth_100ms.jsonl")) {
      for (const auto& book : books_) {
        if (frame.find("\"s\":\"" + book->symbol + "\"") != std::string::npos) {
          updates_.push_back(std::move(frame));
          break;
        }
      }
    }
  }

  bool restart() {
    for (const auto& book : books_) {
      book->sync.reset();
      binance::DepthSnapshotMessage snapshot;
      if (!parser_.parse_depth_snapshot(book->snapshot, snapshot).ok) return false;
      if (book->sync.on_snapshot(snapshot) != binance::SyncResult::kApplied) return false;
    }
    return true;
  }

  Outcome apply(std::size_t index) {
    const binance::StreamMessage& message = parser_.parse_stream(updates_[index]);
    if (message.kind == binance::MessageKind::kError) return Outcome::kFailed;
    if (message.kind != binance::MessageKind::kDepthUpdate) return Outcome::kDropped;
    SymbolBook<binance::BinanceBookSync>* book = find(message.symbol);
    if (book == nullptr) return Outcome::kDropped;
    const binance::SyncAction action = binance::sync_action(book->sync.on_depth_update(message.depth));
    if (action.fetch_snapshot || action.restart || action.sequence_gap || action.crossed || action.dropped) {
      return Outcome::kFailed;
    }
    if (!action.publish) return Outcome::kDropped;
    return publish([&book](BookSnapshot& out) { book->sync.fill_snapshot(out); });
  }

  const char* check() const { return nullptr; }

 private:
  binance::BinanceParser parser_;
};

void BM_BinanceBook_Apply(benchmark::State& state) {
  BinanceBookSession session;
  run_book_apply(state, session);
}
BENCHMARK(BM_BinanceBook_Apply)->UseManualTime();

// ---- Coinbase ----

void BM_CoinbaseParse_Trades(benchmark::State& state) {
  const std::vector<std::string> frames = read_frames("coinbase", "ws_match.jsonl");  // 97 "match" frames
  coinbase::CoinbaseParser parser;
  coinbase::WsMessage message;
  run_trade_parse(state, frames, [&parser, &message](std::string_view frame) -> std::size_t {
    if (parser.parse(frame, message) != coinbase::ParseError::kNone) return 0;
    if (message.kind != coinbase::MessageKind::kMatch) return 0;
    Trade trade = message.match.trade;
    benchmark::DoNotOptimize(trade);
    return 1;
  });
}
BENCHMARK(BM_CoinbaseParse_Trades);

// 10 products: the level2 snapshot of each (trimmed to 40 levels per side), then the 300 recorded
// l2update frames, in recorded order.
class CoinbaseBookSession : public BookSession<coinbase::CoinbaseBookSync> {
 public:
  CoinbaseBookSession() {
    for (std::string& frame : read_frames("coinbase", "ws_snapshot.jsonl")) {
      if (parser_.parse(frame, message_) != coinbase::ParseError::kNone) continue;
      if (message_.kind != coinbase::MessageKind::kSnapshot) continue;
      const std::string product(message_.product_id);
      books_.push_back(std::make_unique<SymbolBook<coinbase::CoinbaseBookSync>>(product, std::move(frame),
                                                                                std::size_t{1000}));
    }
    updates_ = read_frames("coinbase", "ws_l2update.jsonl");
  }

  bool restart() {
    for (const auto& book : books_) {
      book->sync.reset();
      if (parser_.parse(book->snapshot, message_) != coinbase::ParseError::kNone) return false;
      if (book->sync.apply(message_) != coinbase::BookStatus::kApplied) return false;
    }
    return true;
  }

  Outcome apply(std::size_t index) {
    if (parser_.parse(updates_[index], message_) != coinbase::ParseError::kNone) return Outcome::kFailed;
    if (message_.kind != coinbase::MessageKind::kSnapshot &&
        message_.kind != coinbase::MessageKind::kL2Update) {
      return Outcome::kDropped;
    }
    SymbolBook<coinbase::CoinbaseBookSync>* book = find(message_.product_id);
    if (book == nullptr) return Outcome::kDropped;
    switch (book->sync.apply(message_)) {
      case coinbase::BookStatus::kApplied:
        return publish([&book](BookSnapshot& out) { book->sync.fill(out); });
      case coinbase::BookStatus::kNeedsSnapshot:
        return Outcome::kDropped;
      case coinbase::BookStatus::kNeedsResync:
        return Outcome::kFailed;
    }
    return Outcome::kFailed;
  }

  const char* check() const { return nullptr; }

 private:
  coinbase::CoinbaseParser parser_;
  coinbase::WsMessage message_;
};

void BM_CoinbaseBook_Apply(benchmark::State& state) {
  CoinbaseBookSession session;
  run_book_apply(state, session);
}
BENCHMARK(BM_CoinbaseBook_Apply)->UseManualTime();

// ---- Kraken ----

// "1618678142.557535" (v1 epoch seconds) -> "2021-04-17T16:49:02.557535Z" (v2 RFC 3339).
std::string rfc3339(std::string_view epoch) {
  const std::size_t point = epoch.find('.');
  std::string micros = point == std::string_view::npos ? std::string() : std::string(epoch.substr(point + 1));
  micros.resize(6, '0');
  const auto seconds = static_cast<std::time_t>(std::stoll(std::string(epoch.substr(0, point))));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return std::string(text, length) + "." + micros + "Z";
}

// A recorded decimal ("354.11000000") at `decimals` places ("354.11"). The recording pads with
// zeros; a text whose cut digits are not all zeros is kept whole.
std::string fixed(std::string_view text, int decimals) {
  const std::size_t point = text.find('.');
  const std::string whole(text.substr(0, point));
  std::string fraction =
      point == std::string_view::npos ? std::string() : std::string(text.substr(point + 1));
  const auto places = static_cast<std::size_t>(decimals);
  if (fraction.size() > places) {
    if (fraction.find_first_not_of('0', places) != std::string::npos) return std::string(text);
    fraction.resize(places);
  } else {
    fraction.resize(places, '0');
  }
  return decimals == 0 ? whole : whole + "." + fraction;
}

// The recorded trades are WebSocket v1, which KrakenParser does not decode (the connector speaks
// v2): each recorded v1 trade frame is re-encoded as the v2 frame the venue would send, the way the
// mock venue of tests/integration/kraken does (prices and quantities at the pair's precision from
// the recorded AssetPairs, RFC 3339 times, trade ids numbered from the mock's first). Empty when a
// fixture is missing or not of the recorded shape.
std::vector<std::string> kraken_v2_trade_frames() {
  const std::optional<std::string> asset_pairs = read_fixture("kraken", "rest_AssetPairs_excerpt.json");
  if (!asset_pairs) return {};
  const kraken::KrakenAssetPairs pairs = kraken::parse_asset_pairs(*asset_pairs);
  simdjson::dom::parser json;
  std::uint64_t trade_id = 4665846;
  std::vector<std::string> frames;
  // [channelID, [[price, volume, time, side, orderType, misc], ...], "trade", pair]
  for (const std::string& line : read_frames("kraken", "ws_v1_trade_ticker_KSM-XBT_XMR-USD.jsonl")) {
    simdjson::dom::array outer;
    std::string_view channel;
    std::string_view v1_symbol;
    if (json.parse(line).get_array().get(outer) != simdjson::SUCCESS || outer.size() != 4) return {};
    if (outer.at(2).get_string().get(channel) != simdjson::SUCCESS) return {};
    if (channel != "trade") continue;
    simdjson::dom::array trades;
    if (outer.at(1).get_array().get(trades) != simdjson::SUCCESS) return {};
    if (outer.at(3).get_string().get(v1_symbol) != simdjson::SUCCESS) return {};
    const std::string symbol = kraken::unified_symbol(v1_symbol);
    const kraken::KrakenAssetPair* pair = pairs.find_unified(symbol);
    if (pair == nullptr) return {};
    std::string data;
    for (const simdjson::dom::element trade : trades) {
      std::string_view price;
      std::string_view volume;
      std::string_view time;
      std::string_view side;
      std::string_view order_type;
      if (trade.at(0).get_string().get(price) != simdjson::SUCCESS ||
          trade.at(1).get_string().get(volume) != simdjson::SUCCESS ||
          trade.at(2).get_string().get(time) != simdjson::SUCCESS ||
          trade.at(3).get_string().get(side) != simdjson::SUCCESS ||
          trade.at(4).get_string().get(order_type) != simdjson::SUCCESS) {
        return {};
      }
      if (!data.empty()) data += ',';
      data += R"({"symbol":")" + symbol + R"(","side":")" + (side == "b" ? "buy" : "sell") + R"(","price":)" +
              fixed(price, pair->pair_decimals) + R"(,"qty":)" + fixed(volume, pair->lot_decimals) +
              R"(,"ord_type":")" + (order_type == "l" ? "limit" : "market") + R"(","trade_id":)" +
              std::to_string(trade_id++) + R"(,"timestamp":")" + rfc3339(time) + "\"}";
    }
    frames.push_back(R"({"channel":"trade","type":"update","data":[)" + data + "]}");
  }
  return frames;
}

void BM_KrakenParse_Trades(benchmark::State& state) {
  const std::vector<std::string> frames = kraken_v2_trade_frames();  // 3 frames, 4 XMR/USD trades
  kraken::KrakenParser parser;
  run_trade_parse(state, frames, [&parser](std::string_view frame) -> std::size_t {
    if (parser.parse(frame) != kraken::KrakenMessageKind::kTrade || parser.snapshot()) return 0;
    std::size_t count = 0;
    for (const kraken::KrakenTrade& trade : parser.trades()) {
      Trade normalized = kraken::to_trade(trade, 1, Timestamp{});
      benchmark::DoNotOptimize(normalized);
      ++count;
    }
    return count;
  });
}
BENCHMARK(BM_KrakenParse_Trades);

// The recorded WebSocket v1 book-1000 session of KSM/XBT and XMR/USD: a snapshot of each (193 to
// 654 levels per side), then 120 updates whose CRC32 checksums are verified. Decoded with
// parse_v1_book into books of depth 1000, checksum texts as sent (the tests' v1 path; the connector
// subscribes v2 at depth 10, whose frames and books are smaller).
class KrakenBookSession : public BookSession<kraken::KrakenBookSync> {
 public:
  KrakenBookSession() {
    for (std::string& frame : read_frames("kraken", "ws_v1_book-1000_KSM-XBT_XMR-USD.jsonl")) {
      const kraken::KrakenMessageKind kind = parser_.parse_v1_book(frame);
      if (kind == kraken::KrakenMessageKind::kBookSnapshot && parser_.books().size() == 1) {
        const std::string symbol(parser_.books()[0].symbol);
        books_.push_back(std::make_unique<SymbolBook<kraken::KrakenBookSync>>(
            symbol, std::move(frame), kraken::KrakenBookOptions{.depth = 1000}));
      } else {
        updates_.push_back(std::move(frame));
      }
    }
  }

  bool restart() {
    for (const auto& book : books_) {
      book->sync.reset();
      if (parser_.parse_v1_book(book->snapshot) != kraken::KrakenMessageKind::kBookSnapshot) return false;
      for (const kraken::KrakenBook& message : parser_.books()) {
        if (book->sync.apply(message) != kraken::KrakenBookStatus::kApplied) return false;
      }
    }
    return true;
  }

  Outcome apply(std::size_t index) {
    const kraken::KrakenMessageKind kind = parser_.parse_v1_book(updates_[index]);
    if (kind == kraken::KrakenMessageKind::kInvalid) return Outcome::kFailed;
    if (kind != kraken::KrakenMessageKind::kBookSnapshot && kind != kraken::KrakenMessageKind::kBookUpdate) {
      return Outcome::kDropped;
    }
    Outcome outcome = Outcome::kDropped;
    for (const kraken::KrakenBook& message : parser_.books()) {
      SymbolBook<kraken::KrakenBookSync>* book = find(message.symbol);
      if (book == nullptr) continue;
      switch (book->sync.apply(message)) {
        case kraken::KrakenBookStatus::kApplied:
          outcome = publish([&book](BookSnapshot& out) { book->sync.fill(out); });
          break;
        case kraken::KrakenBookStatus::kAwaitingSnapshot:
          break;
        case kraken::KrakenBookStatus::kChecksumMismatchNeedsResync:
        case kraken::KrakenBookStatus::kCrossedNeedsResync:
          return Outcome::kFailed;
      }
    }
    return outcome;
  }

  // Every update carried a checksum, and it matched (apply() fails on a mismatch): after one lap,
  // the snapshot (v1 snapshots carry none) is each book's only unverified message.
  const char* check() const {
    for (const auto& book : books_) {
      if (book->sync.unverified_messages() != 1) return "a recorded Kraken update carried no checksum";
    }
    return nullptr;
  }

 private:
  kraken::KrakenParser parser_;
};

void BM_KrakenBook_Apply(benchmark::State& state) {
  KrakenBookSession session;
  run_book_apply(state, session);
}
BENCHMARK(BM_KrakenBook_Apply)->UseManualTime();

// ---- OKX ----

void BM_OkxParse_Trades(benchmark::State& state) {
  const std::vector<std::string> frames = read_frames("okx", "ws_trades.jsonl");  // 74 "trades" frames
  okx::OkxParser parser;
  run_trade_parse(state, frames, [&parser](std::string_view frame) -> std::size_t {
    const okx::OkxFrame& parsed = parser.parse(frame);
    if (parsed.kind != okx::FrameKind::kTrades) return 0;
    for (Trade trade : parsed.trades) benchmark::DoNotOptimize(trade);
    return parsed.trades.size();
  });
}
BENCHMARK(BM_OkxParse_Trades);

// The recorded "books" session of BTC-USD-220527, UNI-USD-SWAP and BTC-USDT: a snapshot of each (up
// to 400 levels per side), then 77 updates, each verified against its CRC32 checksum of the top 25.
class OkxBookSession : public BookSession<okx::OkxBookSync> {
 public:
  OkxBookSession() {
    for (std::string& frame : read_frames("okx", "ws_books.jsonl")) {
      const okx::OkxFrame& parsed = parser_.parse(frame);
      if (parsed.kind == okx::FrameKind::kBook && parsed.book.snapshot) {
        const std::string inst_id(parsed.inst_id);
        books_.push_back(std::make_unique<SymbolBook<okx::OkxBookSync>>(inst_id, std::move(frame)));
      } else {
        updates_.push_back(std::move(frame));
      }
    }
  }

  bool restart() {
    for (const auto& book : books_) {
      book->sync.reset();
      const okx::OkxFrame& parsed = parser_.parse(book->snapshot);
      if (parsed.kind != okx::FrameKind::kBook) return false;
      if (book->sync.apply(parsed.book) != okx::BookSyncResult::kApplied) return false;
    }
    return true;
  }

  Outcome apply(std::size_t index) {
    const okx::OkxFrame& parsed = parser_.parse(updates_[index]);
    if (parsed.kind == okx::FrameKind::kMalformed) return Outcome::kFailed;
    SymbolBook<okx::OkxBookSync>* book = find(parsed.inst_id);
    if (parsed.kind != okx::FrameKind::kBook || book == nullptr) return Outcome::kDropped;
    const okx::BookSyncResult result = book->sync.apply(parsed.book);
    if (okx::needs_resync(result)) return Outcome::kFailed;
    if (result == okx::BookSyncResult::kNotSynced) return Outcome::kDropped;
    return publish([&book](BookSnapshot& out) { book->sync.fill_snapshot(out); });
  }

  // Every update's checksum was present and matched (none applied unverified).
  const char* check() const {
    for (const auto& book : books_) {
      const okx::OkxBookSyncCounters& counters = book->sync.counters();
      if (counters.checksums_absent != 0 || counters.checksums_unverifiable != 0) {
        return "a recorded OKX update was applied without a verified checksum";
      }
    }
    return nullptr;
  }

 private:
  okx::OkxParser parser_;
};

void BM_OkxBook_Apply(benchmark::State& state) {
  OkxBookSession session;
  run_book_apply(state, session);
}
BENCHMARK(BM_OkxBook_Apply)->UseManualTime();

// ---- Bybit ----

void BM_BybitParse_Trades(benchmark::State& state) {
  // The publicTrade frames of the v5 replay (33 frames, 58 trades).
  const std::vector<std::string> frames =
      read_frames("bybit", "v5_ws_spot_replay.jsonl", R"("topic":"publicTrade.)");
  bybit::BybitParser parser;
  bybit::BybitMessage message;
  run_trade_parse(state, frames, [&parser, &message](std::string_view frame) -> std::size_t {
    if (parser.parse_ws(frame, message) != bybit::ParseStatus::kOk) return 0;
    if (message.kind != bybit::MessageKind::kTrades) return 0;
    for (Trade trade : message.trades) benchmark::DoNotOptimize(trade);
    return message.trades.size();
  });
}
BENCHMARK(BM_BybitParse_Trades);

// The orderbook.50 frames of the v5 replay: a snapshot of LTCUSDT and of XTZUSDT (25 levels per
// side), then 120 deltas with consecutive update ids, into books of the connector's capacity (100
// levels per side).
class BybitBookSession : public BookSession<bybit::BybitBookSync> {
 public:
  BybitBookSession() {
    for (std::string& frame : read_frames("bybit", "v5_ws_spot_replay.jsonl", R"("topic":"orderbook.)")) {
      if (parser_.parse_ws(frame, message_) != bybit::ParseStatus::kOk) continue;
      if (message_.kind == bybit::MessageKind::kBookSnapshot) {
        const std::string symbol = message_.symbol;
        books_.push_back(
            std::make_unique<SymbolBook<bybit::BybitBookSync>>(symbol, std::move(frame), std::size_t{100}));
      } else {
        updates_.push_back(std::move(frame));
      }
    }
  }

  bool restart() {
    for (const auto& book : books_) {
      book->sync.reset();
      if (parser_.parse_ws(book->snapshot, message_) != bybit::ParseStatus::kOk) return false;
      if (book->sync.apply(message_.book) != bybit::BookSyncResult::kReset) return false;
    }
    return true;
  }

  Outcome apply(std::size_t index) {
    if (parser_.parse_ws(updates_[index], message_) != bybit::ParseStatus::kOk) return Outcome::kFailed;
    if (message_.kind != bybit::MessageKind::kBookSnapshot &&
        message_.kind != bybit::MessageKind::kBookDelta) {
      return Outcome::kDropped;
    }
    SymbolBook<bybit::BybitBookSync>* book = find(message_.symbol);
    if (book == nullptr) return Outcome::kDropped;
    const bybit::BookSyncResult result = book->sync.apply(message_.book);
    switch (bybit::book_action(result, false)) {
      case bybit::BookAction::kPublish:
        return publish([&book](BookSnapshot& out) { book->sync.fill(out); });
      case bybit::BookAction::kDrop:
        return Outcome::kDropped;
      case bybit::BookAction::kResync:
        return Outcome::kFailed;
    }
    return Outcome::kFailed;
  }

  const char* check() const { return nullptr; }

 private:
  bybit::BybitParser parser_;
  bybit::BybitMessage message_;
};

void BM_BybitBook_Apply(benchmark::State& state) {
  BybitBookSession session;
  run_book_apply(state, session);
}
BENCHMARK(BM_BybitBook_Apply)->UseManualTime();

}  // namespace
}  // namespace tickguard::bench
