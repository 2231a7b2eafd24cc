// The Binance spot public market-data connector.
//
// Start-up: GET /api/v3/exchangeInfo maps the configured BASE/QUOTE symbols to Binance's native
// names. Streaming: combined-stream WebSocket connections (/stream), each carrying at most 1024
// streams (341 symbols × aggTrade, bookTicker, depth@100ms), subscribed with SUBSCRIBE requests paced
// under the venue's 5 incoming messages per second. Books follow the documented procedure: diff
// events are buffered, a REST snapshot (GET /api/v3/depth, limit 1000) is fetched once the first
// one arrives, events up to its lastUpdateId are dropped, and every later event must continue the
// previous one (U == previous u + 1). A gap resyncs that symbol alone with a new snapshot, fetched
// through the venue's shared request-weight budget. The venue pings every 20 s; Beast answers.
//
// REST fallback: while a connection is down (from its close until it delivers market data again, so
// a connection that opens and drops at once still counts as down), every rest_poll_interval the
// symbols it carries are polled with GET /api/v3/ticker/bookTicker (best bid/ask -> Ticker, weight 2)
// and GET /api/v3/aggTrades?limit=100 (weight 4). The aggregate trade ids are those of the aggTrade
// stream; a REST trade is emitted only if it is newer than every trade emitted for the symbol so far
// (by exchange time, or by id within the same millisecond), so each trade is emitted once.
#include "feeds/binance/binance_feed.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <future>
#include <span>
#include <thread>

#include "core/log.h"
#include "feeds/binance/binance_book.h"
#include "feeds/binance/binance_parse.h"
#include "feeds/binance/binance_subscriptions.h"
#include "feeds/binance/binance_symbols.h"
#include "feeds/common/backoff.h"
#include "feeds/common/rest_fallback.h"
#include "feeds/common/venue_rest.h"
#include "feeds/common/websocket_client.h"

namespace tickguard::feeds::binance {

namespace asio = boost::asio;

namespace {

constexpr const char* kExchange = "binance";
// REST request weight per minute and IP, as exchangeInfo's REQUEST_WEIGHT rate limit reports it.
constexpr double kVenueWeightPerMinute = 6000;
// Our share of it: a burst of 1200 plus 75 per second keeps any minute under 5700, and the venue's
// own count (x-mbx-used-weight-1m) shrinks the bucket when other clients on the address use weight.
constexpr RateLimit kRestLimit{1200, 75};
constexpr double kExchangeInfoWeight = 20;
// Snapshot depth per side, and its weight (limit 1-100: 5, 101-500: 25, 501-1000: 50, more: 250).
constexpr std::size_t kSnapshotLimit = 1000;
constexpr double kSnapshotWeight = 50;
constexpr const char* kUsedWeightHeader = "x-mbx-used-weight-1m";
// At most one "malformed message" warning per interval; the others are counted in the next one.
constexpr auto kMalformedLogInterval = std::chrono::seconds(10);
// REST fallback requests and their weights: GET /api/v3/ticker/bookTicker with one symbol costs 2;
// GET /api/v3/aggTrades costs 4 whatever its limit (default 500, max 1000). 100 recent trades cover
// a poll interval on all but the busiest symbols, and keep each answer small (~12 kB).
constexpr double kBookTickerWeight = 2;
constexpr double kAggTradesWeight = 4;
constexpr std::size_t kRestTradesLimit = 100;
// Polling starts once a connection has been down this long (or one poll interval, if shorter).
constexpr std::chrono::milliseconds kRestFallbackGrace{5000};

// One subscribed symbol: its pipeline id, native name and book.
struct Subscription {
  InstrumentId id = 0;
  std::string symbol;  // unified, for logs
  std::string native;  // "BTCUSDT"
  BinanceBookSync book{BookSyncOptions{.max_levels_per_side = kSnapshotLimit}};
  bool snapshot_pending = false;
  std::uint64_t generation = 0;  // bumped whenever the book is discarded; older snapshots are stale
  std::size_t connection = 0;    // index of the connection carrying its streams
  // The newest trade emitted (stream or REST): REST trades at or before it are not emitted again.
  LastTradeTime last_trade;
  std::uint64_t last_trade_id = 0;  // its aggregate trade id (ids grow with time)
};

}  // namespace

struct BinanceFeed::Impl {
  // One WebSocket connection and the symbols it carries.
  struct Connection final : WebSocketHandler {
    Connection(Impl& feed, std::size_t index, std::vector<Subscription*> subscriptions)
        : feed(feed), index(index), subscriptions(std::move(subscriptions)), pacer(feed.io) {
      for (const Subscription* sub : this->subscriptions) {
        for (auto& stream : symbol_streams(sub->native)) streams.push_back(std::move(stream));
      }
    }
    void on_open() override { feed.on_open(*this); }
    bool on_message(std::string_view frame, Timestamp receive_time) override {
      const bool data = feed.on_message(frame, receive_time);
      if (data && !streaming) feed.on_streaming(*this);
      return data;
    }
    void on_close(std::string_view reason) override { feed.on_close(*this, reason); }

    Impl& feed;
    const std::size_t index;
    const std::vector<Subscription*> subscriptions;
    std::vector<std::string> streams;
    std::unique_ptr<WebSocketClient> ws;
    asio::steady_timer pacer;          // spaces SUBSCRIBE requests
    std::deque<std::string> requests;  // not yet sent on this connection
    std::uint64_t session = 0;         // bumped per connection, so a stale pacer tick sends nothing
    bool opened_before = false;        // a later on_open is a reconnect
    bool up = false;
    bool streaming = false;  // delivered market data since it opened: its symbols need no polling
  };

  Impl(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock)
      : rest_url(options.rest_url.empty() ? kDefaultRestUrl : options.rest_url),
        ws_url(options.ws_url.empty() ? kDefaultWsUrl : options.ws_url),
        silence_timeout(options.silence_timeout),
        rest_poll_interval(options.rest_poll_interval),
        book_depth(
            static_cast<std::uint8_t>(std::clamp<int>(options.book_depth, 1, BookSnapshot::kMaxDepth))),
        instruments(std::move(instruments)),
        clock(clock),
        guard(asio::make_work_guard(io)),
        retry(io) {}

  // ---- Start-up: symbol metadata, then the streams ----

  void fetch_exchange_info() {
    rest->get("exchangeInfo", rest_url + "/api/v3/exchangeInfo?showPermissionSets=false", kExchangeInfoWeight,
              [this](const HttpResponse& response) { on_exchange_info(response); });
  }

  void on_exchange_info(const HttpResponse& response) {
    std::vector<SymbolInfo> symbols;
    const ParseStatus status = parser.parse_exchange_info(response.body, symbols);
    if (!status.ok) {
      listener->on_error(kExchange, "parse");
      const auto delay = backoff.next();
      log::error("binance: cannot read exchangeInfo, retrying",
                 {{"url", rest_url},
                  {"err", status.reason},
                  {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
      retry.expires_after(delay);
      retry.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) fetch_exchange_info();
      });
      return;
    }
    backoff.reset();
    subscribe_known(SymbolTable(symbols));
    if (subscriptions.empty()) {
      log::error("binance: no configured symbol is listed, nothing to stream", {{"feed", kExchange}});
      return;
    }
    std::vector<std::string> natives;
    for (const auto& sub : subscriptions) natives.push_back(sub->native);
    index = NativeSymbolIndex(natives);
    open_connections();
    fallback->set_count(subscriptions.size());
  }

  void subscribe_known(const SymbolTable& table) {
    for (const auto& instrument : instruments) {
      const auto native = to_native(instrument.symbol, table);
      if (!native) {
        log::error(
            "binance: unknown symbol, not subscribed",
            {{"feed", kExchange}, {"symbol", instrument.symbol}, {"hint", "not a Binance spot symbol"}});
        continue;
      }
      if (const SymbolInfo* info = table.find_native(*native); info != nullptr && info->status != "TRADING") {
        log::warn("binance: symbol is not trading now, subscribed anyway",
                  {{"symbol", instrument.symbol}, {"status", info->status}});
      }
      auto sub = std::make_unique<Subscription>();
      sub->id = instrument.id;
      sub->symbol = instrument.symbol;
      sub->native = *native;
      subscriptions.push_back(std::move(sub));
    }
  }

  void open_connections() {
    std::size_t next = 0;
    for (const std::size_t size : connection_groups(subscriptions.size(), limits)) {
      std::vector<Subscription*> group;
      for (std::size_t i = next; i < next + size; ++i) {
        subscriptions[i]->connection = connections.size();
        group.push_back(subscriptions[i].get());
      }
      next += size;
      connections.push_back(std::make_unique<Connection>(*this, connections.size(), std::move(group)));
    }
    for (auto& connection : connections) {
      WebSocketOptions ws_options;
      ws_options.url = ws_url;
      ws_options.silence_timeout = silence_timeout;
      connection->ws = std::make_unique<WebSocketClient>(io, ws_options, *connection, clock);
      connection->ws->start();
    }
  }

  // ---- WebSocket connections ----

  void on_open(Connection& connection) {
    if (connection.opened_before) listener->on_reconnect(kExchange);
    connection.opened_before = true;
    connection.up = true;
    ++connections_up;
    ++connection.session;
    log::info("binance: connected",
              {{"url", ws_url},
               {"connection", static_cast<std::uint64_t>(connection.index)},
               {"symbols", static_cast<std::uint64_t>(connection.subscriptions.size())}});
    if (connections_up == connections.size()) listener->on_connection_state(kExchange, true);
    const auto messages = subscribe_messages(connection.streams, limits, next_request_id);
    connection.requests.assign(messages.begin(), messages.end());
    send_next_request(connection);
  }

  // Sends one queued SUBSCRIBE request, and schedules the next one subscribe_interval later.
  void send_next_request(Connection& connection) {
    if (connection.requests.empty()) return;
    connection.ws->send(std::move(connection.requests.front()));
    connection.requests.pop_front();
    if (connection.requests.empty()) return;
    connection.pacer.expires_after(limits.subscribe_interval);
    connection.pacer.async_wait(
        [this, &connection, session = connection.session](const boost::system::error_code& ec) {
          if (!ec && session == connection.session) send_next_request(connection);
        });
  }

  bool on_message(std::string_view text, Timestamp receive_time) {
    const StreamMessage& message = parser.parse_stream(text);
    switch (message.kind) {
      case MessageKind::kTrade:
        if (Subscription* sub = find(message.symbol)) {
          Trade trade = message.trade;
          trade.instrument = sub->id;
          trade.receive_time = receive_time;
          note_trade(*sub, trade);
          listener->on_event(trade);
        }
        return true;
      case MessageKind::kTicker:
        if (Subscription* sub = find(message.symbol)) {
          Ticker ticker = message.ticker;
          ticker.instrument = sub->id;
          ticker.receive_time = receive_time;
          listener->on_event(ticker);
        }
        return true;
      case MessageKind::kDepthUpdate:
        if (Subscription* sub = find(message.symbol)) on_depth(*sub, message.depth, receive_time);
        return true;
      case MessageKind::kKline:  // not subscribed; market data all the same
        return true;
      case MessageKind::kServerShutdown:
        log::info("binance: venue announced a server shutdown; the connection will be re-established");
        return false;
      case MessageKind::kVenueError:
        listener->on_error(kExchange, "venue");
        log::error("binance: venue error", {{"code", message.venue_code}, {"msg", message.venue_message}});
        return false;
      case MessageKind::kError:
        listener->on_error(kExchange, "parse");
        listener->on_dropped_message(kExchange);
        warn_malformed(message.reason);
        return false;
      case MessageKind::kIgnored:
        return false;
    }
    return false;
  }

  void on_close(Connection& connection, std::string_view reason) {
    ++connection.session;
    connection.requests.clear();
    connection.pacer.cancel();
    if (const std::string_view kind = close_error_kind(reason); !kind.empty())
      listener->on_error(kExchange, kind);
    if (stopping) {
      log::info("binance: disconnected", {{"reason", reason}});
    } else {
      log::warn("binance: disconnected, reconnecting",
                {{"reason", reason}, {"connection", static_cast<std::uint64_t>(connection.index)}});
    }
    if (connection.up) {
      connection.up = false;
      --connections_up;
    }
    if (connection.streaming) {
      connection.streaming = false;
      --connections_streaming;
    }
    listener->on_connection_state(kExchange, false);
    for (Subscription* sub : connection.subscriptions) discard_book(*sub);
    fallback->stream_down();  // a no-op once stopped, or while already down
  }

  // The first market data on a connection since it opened: once every connection delivers again,
  // REST polling stops.
  void on_streaming(Connection& connection) {
    connection.streaming = true;
    if (++connections_streaming == connections.size()) fallback->stream_up();
  }

  // ---- REST fallback (RestFallback calls poll while the stream is down) ----

  void poll(std::size_t slot) {
    Subscription& sub = *subscriptions[slot];
    if (!needs_polling(sub)) return;  // its connection is streaming again
    rest->get_once("ticker", rest_url + "/api/v3/ticker/bookTicker?symbol=" + sub.native, kBookTickerWeight,
                   [this, &sub](const HttpResponse& response) { on_rest_ticker(sub, response); });
    rest->get_once(
        "trades",
        rest_url + "/api/v3/aggTrades?symbol=" + sub.native + "&limit=" + std::to_string(kRestTradesLimit),
        kAggTradesWeight, [this, &sub](const HttpResponse& response) { on_rest_trades(sub, response); });
  }

  // Whether REST answers for this symbol are still wanted: not once its stream delivers again.
  bool needs_polling(const Subscription& sub) const {
    return fallback->polling() && sub.connection < connections.size() &&
           !connections[sub.connection]->streaming;
  }

  void on_rest_ticker(const Subscription& sub, const HttpResponse& response) {
    if (!needs_polling(sub)) return;
    BookTickerMessage message;
    if (const ParseStatus status = parser.parse_book_ticker(response.body, message); !status.ok) {
      rest_unreadable("ticker", sub, status.reason);
      return;
    }
    if (message.symbol != sub.native) {
      rest_unreadable("ticker", sub, "answer is for another symbol");
      return;
    }
    // A symbol without bids or asks (halted, delisted) has no best price to report.
    if (message.ticker.bid_price <= 0 || message.ticker.ask_price <= 0) return;
    Ticker ticker = message.ticker;
    ticker.instrument = sub.id;
    ticker.receive_time = clock.now();
    listener->on_event(ticker);
  }

  void on_rest_trades(Subscription& sub, const HttpResponse& response) {
    if (!needs_polling(sub)) return;
    std::span<const Trade> trades;
    if (const ParseStatus status = parser.parse_agg_trades(response.body, trades); !status.ok) {
      rest_unreadable("trades", sub, status.reason);
      return;
    }
    const Timestamp receive_time = clock.now();
    for (Trade trade : trades) {  // oldest first
      if (!is_new(sub, trade)) continue;
      trade.instrument = sub.id;
      trade.receive_time = receive_time;
      note_trade(sub, trade);
      listener->on_event(trade);
    }
  }

  // A REST trade not emitted yet: later than the newest emitted trade or, in its millisecond, with a
  // higher aggregate id (LastTradeTime alone would skip a trade sharing the last one's millisecond).
  static bool is_new(const Subscription& sub, const Trade& trade) {
    return sub.last_trade.is_new(trade.exchange_time) || trade.trade_id > sub.last_trade_id;
  }

  // A trade of this symbol is emitted, from either source.
  static void note_trade(Subscription& sub, const Trade& trade) {
    sub.last_trade.seen(trade.exchange_time);
    sub.last_trade_id = std::max(sub.last_trade_id, trade.trade_id);
  }

  // A 2xx REST fallback answer that cannot be read: counted, logged (at most once per interval),
  // and ignored; the next round asks again.
  void rest_unreadable(std::string_view endpoint, const Subscription& sub, std::string_view reason) {
    listener->on_error(kExchange, "parse");
    const auto now = std::chrono::steady_clock::now();
    if (rest_unreadable_logged && now - last_rest_unreadable_log < kMalformedLogInterval) {
      ++rest_unreadable_suppressed;
      return;
    }
    log::warn("binance: unreadable REST fallback answer, ignored",
              {{"endpoint", endpoint},
               {"symbol", sub.symbol},
               {"err", reason},
               {"suppressed_since_last", rest_unreadable_suppressed}});
    rest_unreadable_logged = true;
    last_rest_unreadable_log = now;
    rest_unreadable_suppressed = 0;
  }

  // ---- Books ----

  void on_depth(Subscription& sub, const DepthUpdate& update, Timestamp receive_time) {
    const std::size_t buffered_before = sub.book.buffered_events();
    const std::uint64_t expected_first = sub.book.last_update_id() + 1;
    const SyncAction action = sync_action(sub.book.on_depth_update(update));
    if (action.dropped) {
      const std::size_t dropped = buffered_before + 1 - sub.book.buffered_events();
      for (std::size_t i = 0; i < dropped; ++i) listener->on_dropped_message(kExchange);
      log::warn("binance: too many updates waited for a snapshot, dropped",
                {{"symbol", sub.symbol}, {"dropped", static_cast<std::uint64_t>(dropped)}});
    }
    if (action.sequence_gap) {
      listener->on_sequence_gap(sub.id);
      log::warn("binance: book out of sync, refetching snapshot",
                {{"symbol", sub.symbol},
                 {"reason", "sequence gap"},
                 {"expected_first_update_id", expected_first},
                 {"first_update_id", update.first_update_id}});
    }
    if (action.crossed) report_crossed(sub);
    if (action.restart) restart_book(sub);
    if (action.fetch_snapshot) request_snapshot(sub);
    if (action.publish) publish(sub, receive_time);
  }

  void request_snapshot(Subscription& sub) {
    if (sub.snapshot_pending) return;
    sub.snapshot_pending = true;
    const std::string url =
        rest_url + "/api/v3/depth?symbol=" + sub.native + "&limit=" + std::to_string(kSnapshotLimit);
    rest->get("depth", url, kSnapshotWeight,
              [this, &sub, generation = sub.generation](const HttpResponse& response) {
                on_snapshot(sub, generation, response);
              });
  }

  void on_snapshot(Subscription& sub, std::uint64_t generation, const HttpResponse& response) {
    // The book was discarded meanwhile: its next buffered update asks for a fresh snapshot.
    if (generation != sub.generation) return;
    sub.snapshot_pending = false;
    DepthSnapshotMessage snapshot;
    if (const ParseStatus status = parser.parse_depth_snapshot(response.body, snapshot); !status.ok) {
      listener->on_error(kExchange, "parse");
      log::warn("binance: cannot read depth snapshot, refetching",
                {{"symbol", sub.symbol}, {"err", status.reason}});
      request_snapshot(sub);
      return;
    }
    const SyncResult result = sub.book.on_snapshot(snapshot);
    if (result == SyncResult::kApplied) {
      publish(sub, clock.now());
      log::info("binance: book synced",
                {{"symbol", sub.symbol}, {"last_update_id", sub.book.last_update_id()}});
      return;
    }
    if (result == SyncResult::kCrossedNeedsResync) {
      report_crossed(sub);
      restart_book(sub);
    } else {
      log::info("binance: snapshot older than the buffered updates, refetching",
                {{"symbol", sub.symbol}, {"last_update_id", snapshot.last_update_id}});
    }
    request_snapshot(sub);
  }

  void report_crossed(const Subscription& sub) {
    listener->on_error(kExchange, "crossed_book");
    log::warn("binance: book out of sync, refetching snapshot",
              {{"symbol", sub.symbol}, {"reason", "crossed book"}});
  }

  // The book was discarded by the sync state machine: answers to earlier requests no longer apply.
  static void restart_book(Subscription& sub) {
    ++sub.generation;
    sub.snapshot_pending = false;
  }

  // The stream carrying this book ended: forget the book and its buffer.
  static void discard_book(Subscription& sub) {
    sub.book.reset();
    restart_book(sub);
  }

  void publish(const Subscription& sub, Timestamp receive_time) {
    BookSnapshot snapshot;
    sub.book.fill_snapshot(snapshot);
    snapshot.bid_count = std::min(snapshot.bid_count, book_depth);
    snapshot.ask_count = std::min(snapshot.ask_count, book_depth);
    snapshot.instrument = sub.id;
    snapshot.receive_time = receive_time;
    listener->on_event(snapshot);
  }

  Subscription* find(std::string_view native) {
    const std::size_t slot = index.find(native);
    return slot == NativeSymbolIndex::kNotFound ? nullptr : subscriptions[slot].get();
  }

  void warn_malformed(std::string_view reason) {
    const auto now = std::chrono::steady_clock::now();
    if (malformed_logged && now - last_malformed_log < kMalformedLogInterval) {
      ++malformed_suppressed;
      return;
    }
    log::warn("binance: malformed message dropped",
              {{"err", reason}, {"suppressed_since_last", malformed_suppressed}});
    malformed_logged = true;
    last_malformed_log = now;
    malformed_suppressed = 0;
  }

  const std::string rest_url;
  const std::string ws_url;
  const std::chrono::milliseconds silence_timeout;
  const std::chrono::milliseconds rest_poll_interval;
  const std::uint8_t book_depth;
  const std::vector<Instrument> instruments;
  const Clock& clock;
  const StreamLimits limits;
  FeedListener* listener = nullptr;
  bool stopping = false;

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  asio::steady_timer retry;  // exchangeInfo retries after an unreadable answer
  Backoff backoff;
  BinanceParser parser;  // used on the io thread only
  std::unique_ptr<VenueRest> rest;
  std::unique_ptr<RestFallback> fallback;  // after io and rest: destroyed before them
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  NativeSymbolIndex index;  // native name -> position in subscriptions
  std::vector<std::unique_ptr<Connection>> connections;
  std::size_t connections_up = 0;
  std::size_t connections_streaming = 0;
  std::uint64_t next_request_id = 1;
  bool malformed_logged = false;
  std::chrono::steady_clock::time_point last_malformed_log{};
  std::uint64_t malformed_suppressed = 0;
  bool rest_unreadable_logged = false;
  std::chrono::steady_clock::time_point last_rest_unreadable_log{};
  std::uint64_t rest_unreadable_suppressed = 0;
  std::thread thread;
  std::promise<void> done;  // set when the io thread returns
  std::future<void> finished;
};

BinanceFeed::BinanceFeed(const config::FeedOptions& options, std::vector<Instrument> instruments,
                         const Clock& clock)
    : impl_(std::make_unique<Impl>(options, std::move(instruments), clock)) {}

BinanceFeed::~BinanceFeed() { stop(); }

Status BinanceFeed::start(FeedListener& listener) {
  if (Status s = WebSocketClient::validate_url(impl_->ws_url); !s.ok()) return s;
  impl_->listener = &listener;
  VenueRestOptions rest_options;
  rest_options.exchange = kExchange;
  rest_options.limit = kRestLimit;
  rest_options.used_weight_header = kUsedWeightHeader;
  rest_options.venue_weight_limit = kVenueWeightPerMinute;
  impl_->rest = std::make_unique<VenueRest>(impl_->io, rest_options, listener);
  RestFallbackOptions fallback_options;
  fallback_options.interval = impl_->rest_poll_interval;
  fallback_options.grace = std::min(kRestFallbackGrace, impl_->rest_poll_interval);
  impl_->fallback = std::make_unique<RestFallback>(
      impl_->io, fallback_options, [impl = impl_.get()](std::size_t slot) { impl->poll(slot); },
      [impl = impl_.get()] { return impl->rest->waiting(); });
  asio::post(impl_->io, [impl = impl_.get()] { impl->fetch_exchange_info(); });
  impl_->finished = impl_->done.get_future();
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->io.run();
    impl->done.set_value();
  });
  return Status::Ok();
}

void BinanceFeed::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->rest->stop();
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->stopping = true;
    impl->retry.cancel();
    impl->fallback->stop();  // before the connections close: their on_close must not start polling
    for (auto& connection : impl->connections) {
      connection->pacer.cancel();
      connection->ws->stop();
    }
    impl->guard.reset();
  });
  // The clients' coroutines finish once their sockets close; bound the wait so stop stays prompt.
  if (impl_->finished.wait_for(std::chrono::seconds(2)) != std::future_status::ready) impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tickguard::feeds::binance
