// The Bybit v5 public spot connector.
//
// Start-up: REST /v5/market/instruments-info?category=spot, every page (nextPageCursor), maps each
// configured BASE/QUOTE to Bybit's symbol from the venue's baseCoin/quoteCoin; an unknown or
// non-trading symbol is logged and skipped. Every REST request goes through VenueRest (token
// bucket, retries honouring Retry-After, per-request metrics).
// Stream: wss://stream.bybit.com/v5/public/spot, topics publicTrade.S, tickers.S and
// orderbook.50.S per symbol, at most 10 args per subscribe request (the spot limit), and as many
// connections as the 21,000-character args limit per connection needs (one up to ~350 symbols).
// Bybit asks for {"op":"ping"} every 20 s. WebSocketClient reconnects; each (re)connection
// subscribes again and every book waits for its fresh snapshot.
// Books: a snapshot (or u == 1, Bybit's restart) replaces the book, deltas must continue u by
// exactly one. A gap or a crossed book resubscribes that symbol's orderbook topic alone (Bybit
// answers a subscribe with a snapshot); the deltas in between are dropped and counted.
// Tickers: the spot ticker stream has no best bid/offer, so the Ticker is the top of the book
// (the ticker stream's own bid/offer wins wherever it carries one).
// REST fallback: while a connection is down (from its close until it delivers a frame again: a
// connection that opens and drops at once is still down), RestFallback polls each of its symbols
// every rest_poll_interval with /v5/market/tickers (best bid/ask -> Ticker) and
// /v5/market/recent-trade (limit 60, the spot maximum; trades later than the newest one already
// emitted, from either source, become Trades). Each costs one request of the per-IP budget.
#include "feeds/bybit/bybit_feed.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <thread>

#include "core/log.h"
#include "feeds/bybit/bybit_book.h"
#include "feeds/bybit/bybit_parse.h"
#include "feeds/bybit/bybit_subscriptions.h"
#include "feeds/bybit/bybit_symbols.h"
#include "feeds/common/backoff.h"
#include "feeds/common/rest_fallback.h"
#include "feeds/common/venue_rest.h"
#include "feeds/common/websocket_client.h"

namespace tickguard::feeds::bybit {

namespace asio = boost::asio;

namespace {

constexpr const char* kExchange = "bybit";
constexpr const char* kInstrumentsEndpoint = "instruments-info";
constexpr const char* kTickerEndpoint = "ticker";
constexpr const char* kTradesEndpoint = "trades";
// Bybit recommends a ping every 20 s to keep a connection alive.
constexpr auto kPingInterval = std::chrono::seconds(20);
// Bybit allows 600 REST requests per 5 s window per IP, shared with everything else on the host,
// and advises against running at the edge: a 50-request burst refilled at 50/s can send at most
// 300 requests in any 5 s.
constexpr RateLimit kRestLimit{50, 50};
// A guard against a venue that never stops paging (Bybit lists about a thousand spot pairs).
constexpr int kMaxInstrumentPages = 100;
// Bybit keeps orderbook.50 at 50 levels per side; spare room never evicts a level it still holds.
constexpr std::size_t kBookCapacity = std::size_t{2} * kOrderbookDepth;
constexpr auto kParseWarnInterval = std::chrono::seconds(10);
// A stream reconnecting faster than this needs no REST polling (shorter poll intervals shorten it).
constexpr std::chrono::milliseconds kRestFallbackGrace{5000};

// At most one warning per kParseWarnInterval; the ones in between are counted.
struct WarnThrottle {
  // True when a warning may be logged now; `suppressed` is then how many were held back before it.
  bool allow(std::uint64_t& suppressed) {
    const auto now = std::chrono::steady_clock::now();
    if (warned && now - last < kParseWarnInterval) {
      ++held_back;
      return false;
    }
    suppressed = held_back;
    warned = true;
    last = now;
    held_back = 0;
    return true;
  }

  bool warned = false;
  std::chrono::steady_clock::time_point last{};
  std::uint64_t held_back = 0;
};

std::string endpoint_or(const std::string& configured, const char* fallback) {
  std::string url = configured.empty() ? std::string(fallback) : configured;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool same_top(const Ticker& last, const BookLevel& bid, const BookLevel& ask) {
  return last.bid_price == bid.price && last.bid_size == bid.size && last.ask_price == ask.price &&
         last.ask_size == ask.size;
}

}  // namespace

struct BybitFeed::Impl {
  struct Connection;

  // One subscribed symbol: its pipeline id, Bybit symbol, book and connection.
  struct Subscription {
    InstrumentId id = 0;
    std::string symbol;        // unified, for logs
    std::string venue_symbol;  // "BTCUSDT"
    std::string book_topic;    // "orderbook.50.BTCUSDT"
    Connection* connection = nullptr;
    BybitBookSync book{kBookCapacity};
    bool awaiting_snapshot = true;  // (re)subscribed, snapshot not in yet
    bool venue_bbo = false;         // the ticker stream carries a best bid/offer: do not derive one
    Ticker last_top;                // the last Ticker derived from the book
    LastTradeTime last_trade;       // newest trade emitted (stream or REST), to emit REST trades once
  };

  // One WebSocket connection and the symbols it carries.
  struct Connection final : WebSocketHandler {
    Connection(Impl& impl, std::size_t index) : impl(impl), index(index), ping(impl.io) {}
    void on_open() override { impl.on_open(*this); }
    bool on_message(std::string_view frame, Timestamp receive_time) override {
      impl.on_frame(*this);
      return impl.on_message(frame, receive_time);
    }
    void on_close(std::string_view reason) override { impl.on_close(*this, reason); }

    Impl& impl;
    const std::size_t index;
    std::vector<Subscription*> subscriptions;
    std::unique_ptr<WebSocketClient> ws;
    asio::steady_timer ping;
    bool opened_before = false;  // a later on_open is a reconnect
    bool open = false;
    bool live = false;  // a frame arrived since it opened: its symbols need no REST polling
  };

  Impl(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock)
      : rest_url(endpoint_or(options.rest_url, kDefaultRestUrl)),
        ws_url(options.ws_url.empty() ? kDefaultWsUrl : options.ws_url),
        silence_timeout(options.silence_timeout),
        rest_poll_interval(options.rest_poll_interval),
        book_depth(
            static_cast<std::uint8_t>(std::clamp<int>(options.book_depth, 1, BookSnapshot::kMaxDepth))),
        instruments(std::move(instruments)),
        clock(clock),
        guard(asio::make_work_guard(io)),
        retry(io) {}

  // ---- Start-up: instrument metadata, then the stream ----

  void fetch_instruments(const std::string& cursor) {
    rest->get(kInstrumentsEndpoint, instruments_info_url(rest_url, cursor), 1,
              [this, cursor](const HttpResponse& response) { on_instruments_page(cursor, response); });
  }

  void on_instruments_page(const std::string& cursor, const HttpResponse& response) {
    const ParseStatus status = parser.parse_instruments(response.body, page);
    if (status != ParseStatus::kOk) return retry_instruments(status);
    std::move(page.instruments.begin(), page.instruments.end(), std::back_inserter(listed));
    if (!page.next_page_cursor.empty() && page.next_page_cursor != cursor) {
      if (++pages < kMaxInstrumentPages) return fetch_instruments(page.next_page_cursor);
      log::warn("bybit: instrument metadata still paging, using what was read",
                {{"pages", pages}, {"instruments", static_cast<std::uint64_t>(listed.size())}});
    }
    backoff.reset();
    resolve_symbols();
    start_streams();
  }

  // A 2xx answer that is not usable metadata: start over after a backoff.
  void retry_instruments(ParseStatus status) {
    listener->on_error(kExchange, status == ParseStatus::kVenueError ? "venue" : "parse");
    const auto delay = backoff.next();
    log::error("bybit: cannot read instrument metadata, retrying",
               {{"url", rest_url},
                {"err", to_string(status)},
                {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
    listed.clear();
    pages = 0;
    retry.expires_after(delay);
    retry.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) fetch_instruments({});
    });
  }

  void resolve_symbols() {
    const BybitSymbolMap map(listed);
    for (const auto& instrument : instruments) {
      const SymbolLookup venue = map.to_venue(instrument.symbol);
      if (!venue.ok()) {
        log::error("bybit: unknown symbol, not subscribed",
                   {{"feed", kExchange},
                    {"symbol", instrument.symbol},
                    {"hint", venue.error == SymbolError::kNotTrading ? "listed on Bybit spot but not trading"
                                                                     : "not a Bybit spot instrument"}});
        continue;
      }
      auto sub = std::make_unique<Subscription>();
      sub->id = instrument.id;
      sub->symbol = instrument.symbol;
      sub->venue_symbol = std::string(venue.symbol);
      sub->book_topic = book_topic(venue.symbol);
      if (by_venue_symbol.emplace(sub->venue_symbol, sub.get()).second)
        subscriptions.push_back(std::move(sub));
    }
    listed.clear();
    fallback->set_count(subscriptions.size());
  }

  void start_streams() {
    if (subscriptions.empty()) {
      log::error("bybit: no symbol to stream", {{"feed", kExchange}});
      return;
    }
    std::vector<std::size_t> chars;
    for (const auto& sub : subscriptions) chars.push_back(args_chars(symbol_topics(sub->venue_symbol)));
    for (const auto& group : plan_connections(chars)) {
      auto connection = std::make_unique<Connection>(*this, connections.size());
      for (const std::size_t i : group) {
        connection->subscriptions.push_back(subscriptions[i].get());
        subscriptions[i]->connection = connection.get();
      }
      WebSocketOptions options;
      options.url = ws_url;
      options.silence_timeout = silence_timeout;
      connection->ws = std::make_unique<WebSocketClient>(io, options, *connection, clock);
      connection->ws->start();
      schedule_ping(*connection);
      connections.push_back(std::move(connection));
    }
    log::info("bybit: streaming", {{"url", ws_url},
                                   {"symbols", static_cast<std::uint64_t>(subscriptions.size())},
                                   {"connections", static_cast<std::uint64_t>(connections.size())}});
  }

  void schedule_ping(Connection& connection) {
    connection.ping.expires_after(kPingInterval);
    connection.ping.async_wait([this, &connection](const boost::system::error_code& ec) {
      if (ec) return;
      connection.ws->send(R"({"op":"ping"})");
      schedule_ping(connection);
    });
  }

  // ---- WebSocket events ----

  void on_open(Connection& connection) {
    if (connection.opened_before) listener->on_reconnect(kExchange);
    connection.opened_before = true;
    connection.open = true;
    log::info("bybit: connected",
              {{"url", ws_url},
               {"connection", static_cast<std::uint64_t>(connection.index)},
               {"instruments", static_cast<std::uint64_t>(connection.subscriptions.size())}});
    if (++open_connections == connections.size()) listener->on_connection_state(kExchange, true);
    std::vector<std::string> topics;
    for (Subscription* sub : connection.subscriptions) {
      sub->book.reset();
      sub->awaiting_snapshot = true;
      for (auto& topic : symbol_topics(sub->venue_symbol)) topics.push_back(std::move(topic));
    }
    for (auto& request : op_requests("subscribe", topics)) connection.ws->send(std::move(request));
  }

  bool on_message(std::string_view text, Timestamp receive_time) {
    const ParseStatus status = parser.parse_ws(text, message);
    if (status == ParseStatus::kUnsupportedTopic) return false;  // a topic we never asked for
    if (status != ParseStatus::kOk) {
      on_malformed(status, text.size());
      return false;
    }
    switch (message.kind) {
      case MessageKind::kTrades:
        if (Subscription* sub = find(message.symbol)) {
          for (Trade& trade : message.trades) {
            trade.instrument = sub->id;
            trade.receive_time = receive_time;
            sub->last_trade.seen(trade.exchange_time);
            listener->on_event(trade);
          }
        }
        return true;
      case MessageKind::kTicker:
        if (Subscription* sub = find(message.symbol)) {
          Ticker ticker;
          if (to_ticker(message.ticker, sub->id, receive_time, ticker)) {
            sub->venue_bbo = true;
            listener->on_event(ticker);
          }
        }
        return true;
      case MessageKind::kBookSnapshot:
      case MessageKind::kBookDelta:
        if (Subscription* sub = find(message.symbol)) on_book(*sub, receive_time);
        return true;
      case MessageKind::kOpError:
        listener->on_error(kExchange, "venue");
        log::error("bybit: venue rejected a request", {{"msg", message.op_message}});
        return false;
      case MessageKind::kPong:
      case MessageKind::kSubscribed:
      case MessageKind::kIgnored:
        return false;
    }
    return false;
  }

  void on_book(Subscription& sub, Timestamp receive_time) {
    const BookSyncResult result = sub.book.apply(message.book);
    switch (book_action(result, sub.awaiting_snapshot)) {
      case BookAction::kDrop:
        listener->on_dropped_message(kExchange);
        return;
      case BookAction::kResync:
        listener->on_dropped_message(kExchange);
        resync(sub, result);
        return;
      case BookAction::kPublish:
        break;
    }
    sub.awaiting_snapshot = false;
    BookSnapshot snapshot;
    sub.book.fill(snapshot);
    snapshot.bid_count = std::min(snapshot.bid_count, book_depth);
    snapshot.ask_count = std::min(snapshot.ask_count, book_depth);
    snapshot.instrument = sub.id;
    snapshot.receive_time = receive_time;
    listener->on_event(snapshot);
    publish_top(sub, snapshot);
  }

  // The book's best bid and offer as a Ticker, when it changed.
  void publish_top(Subscription& sub, const BookSnapshot& snapshot) {
    if (sub.venue_bbo || snapshot.bid_count == 0 || snapshot.ask_count == 0) return;
    const BookLevel& bid = snapshot.bids[0];
    const BookLevel& ask = snapshot.asks[0];
    if (same_top(sub.last_top, bid, ask)) return;
    Ticker& top = sub.last_top;
    top.instrument = sub.id;
    top.exchange_time = snapshot.exchange_time;
    top.receive_time = snapshot.receive_time;
    top.bid_price = bid.price;
    top.bid_size = bid.size;
    top.ask_price = ask.price;
    top.ask_size = ask.size;
    listener->on_event(top);
  }

  // Resubscribes this symbol's book alone; Bybit answers a subscribe with a fresh snapshot.
  void resync(Subscription& sub, BookSyncResult why) {
    if (why == BookSyncResult::kGapNeedsResync) listener->on_sequence_gap(sub.id);
    log::warn("bybit: book out of sync, resubscribing",
              {{"symbol", sub.symbol}, {"reason", to_string(why)}, {"update_id", message.book.update_id}});
    sub.book.reset();
    sub.awaiting_snapshot = true;
    const std::string topics[] = {sub.book_topic};
    for (auto& request : op_requests("unsubscribe", topics)) sub.connection->ws->send(std::move(request));
    for (auto& request : op_requests("subscribe", topics)) sub.connection->ws->send(std::move(request));
  }

  void on_malformed(ParseStatus status, std::size_t bytes) {
    listener->on_error(kExchange, "parse");
    listener->on_dropped_message(kExchange);
    std::uint64_t suppressed = 0;
    if (!parse_warnings.allow(suppressed)) return;
    log::warn("bybit: malformed message dropped", {{"err", to_string(status)},
                                                   {"bytes", static_cast<std::uint64_t>(bytes)},
                                                   {"suppressed", suppressed}});
  }

  // The first frame since a connection opened: it works again. Once every connection does, the
  // stream is back and REST polling stops.
  void on_frame(Connection& connection) {
    if (connection.live) return;
    connection.live = true;
    if (++live_connections == connections.size()) fallback->stream_up();
  }

  // ---- REST fallback (RestFallback calls poll while the stream is down) ----

  void poll(std::size_t index) {
    if (index >= subscriptions.size()) return;
    Subscription& sub = *subscriptions[index];
    if (sub.connection != nullptr && sub.connection->live) return;  // its own connection works
    rest->get_once(kTickerEndpoint, tickers_url(rest_url, sub.venue_symbol), 1,
                   [this, &sub](const HttpResponse& response) { on_rest_ticker(sub, response); });
    rest->get_once(kTradesEndpoint, recent_trades_url(rest_url, sub.venue_symbol), 1,
                   [this, &sub](const HttpResponse& response) { on_rest_trades(sub, response); });
  }

  // An answer that arrives once the symbol streams again is stale: the stream has the news.
  bool streaming(const Subscription& sub) const {
    return !fallback->polling() || (sub.connection != nullptr && sub.connection->live);
  }

  void on_rest_ticker(Subscription& sub, const HttpResponse& response) {
    if (streaming(sub)) return;
    const ParseStatus status = parser.parse_rest_tickers(response.body, rest_tickers);
    if (status != ParseStatus::kOk) return on_rest_unusable(kTickerEndpoint, sub, status);
    const auto row = std::find_if(rest_tickers.begin(), rest_tickers.end(),
                                  [&sub](const RestTicker& t) { return t.symbol == sub.venue_symbol; });
    if (row == rest_tickers.end()) return on_rest_unusable(kTickerEndpoint, sub, ParseStatus::kMissingField);
    Ticker ticker;
    if (to_ticker(row->ticker, sub.id, clock.now(), ticker)) listener->on_event(ticker);
  }

  void on_rest_trades(Subscription& sub, const HttpResponse& response) {
    if (streaming(sub)) return;
    const ParseStatus status = parser.parse_rest_trades(response.body, rest_trades);
    if (status != ParseStatus::kOk) return on_rest_unusable(kTradesEndpoint, sub, status);
    if (!rest_trades.symbol.empty() && rest_trades.symbol != sub.venue_symbol) {
      return on_rest_unusable(kTradesEndpoint, sub, ParseStatus::kBadValue);
    }
    sort_oldest_first(rest_trades.trades);
    // Judged against the newest trade before this answer: trades of one millisecond all pass.
    const LastTradeTime before = sub.last_trade;
    const Timestamp now = clock.now();
    for (Trade& trade : rest_trades.trades) {
      if (!before.is_new(trade.exchange_time)) continue;
      trade.instrument = sub.id;
      trade.receive_time = now;
      sub.last_trade.seen(trade.exchange_time);
      listener->on_event(trade);
    }
  }

  // A 2xx REST answer that carries no usable data: counted and logged, the next round asks again.
  void on_rest_unusable(const char* endpoint, const Subscription& sub, ParseStatus status) {
    listener->on_error(kExchange, status == ParseStatus::kVenueError ? "venue" : "parse");
    std::uint64_t suppressed = 0;
    if (!rest_warnings.allow(suppressed)) return;
    log::warn("bybit: unusable REST fallback reply", {{"endpoint", endpoint},
                                                      {"symbol", sub.symbol},
                                                      {"err", to_string(status)},
                                                      {"suppressed", suppressed}});
  }

  void on_close(Connection& connection, std::string_view reason) {
    if (const std::string_view kind = close_error_kind(reason); !kind.empty())
      listener->on_error(kExchange, kind);
    if (connection.open) {
      connection.open = false;
      --open_connections;
    }
    if (connection.live) {
      connection.live = false;
      --live_connections;
    }
    fallback->stream_down();
    if (!stopping) log::warn("bybit: disconnected, reconnecting", {{"reason", reason}});
    listener->on_connection_state(kExchange, false);
    for (Subscription* sub : connection.subscriptions) {
      sub->book.reset();
      sub->awaiting_snapshot = true;
    }
  }

  Subscription* find(std::string_view venue_symbol) {
    const auto it = by_venue_symbol.find(venue_symbol);
    return it == by_venue_symbol.end() ? nullptr : it->second;
  }

  const std::string rest_url;
  const std::string ws_url;
  const std::chrono::milliseconds silence_timeout;
  const std::chrono::milliseconds rest_poll_interval;
  const std::uint8_t book_depth;
  const std::vector<Instrument> instruments;
  const Clock& clock;
  FeedListener* listener = nullptr;
  bool stopping = false;

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  asio::steady_timer retry;  // metadata that could not be read
  Backoff backoff;
  // Used on the io thread only, and reused: steady-state parsing does not allocate.
  BybitParser parser;
  BybitMessage message;
  InstrumentsPage page;
  std::vector<InstrumentInfo> listed;  // metadata pages read so far
  int pages = 0;
  std::unique_ptr<VenueRest> rest;
  std::unique_ptr<RestFallback> fallback;  // after io: its timer goes first
  std::vector<RestTicker> rest_tickers;    // reused REST fallback answers
  RestTrades rest_trades;
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  std::map<std::string, Subscription*, std::less<>> by_venue_symbol;
  std::vector<std::unique_ptr<Connection>> connections;
  std::size_t open_connections = 0;
  std::size_t live_connections = 0;
  WarnThrottle parse_warnings;
  WarnThrottle rest_warnings;
  std::thread thread;
  std::promise<void> done;  // set when the io thread returns
  std::future<void> finished;
};

BybitFeed::BybitFeed(const config::FeedOptions& options, std::vector<Instrument> instruments,
                     const Clock& clock)
    : impl_(std::make_unique<Impl>(options, std::move(instruments), clock)) {}

BybitFeed::~BybitFeed() { stop(); }

Status BybitFeed::start(FeedListener& listener) {
  if (Status s = WebSocketClient::validate_url(impl_->ws_url); !s.ok()) return s;
  if (!impl_->rest_url.starts_with("http://") && !impl_->rest_url.starts_with("https://")) {
    return Status::InvalidArgument("bybit: rest_url is not an http:// or https:// URL: " + impl_->rest_url);
  }
  impl_->listener = &listener;
  VenueRestOptions rest_options;
  rest_options.exchange = kExchange;
  rest_options.limit = kRestLimit;
  rest_options.ban_status = 403;  // "access too frequent": an IP ban lifted after 10 minutes
  impl_->rest = std::make_unique<VenueRest>(impl_->io, rest_options, listener);
  RestFallbackOptions fallback_options;
  fallback_options.interval = impl_->rest_poll_interval;
  fallback_options.grace = std::min(kRestFallbackGrace, impl_->rest_poll_interval);
  impl_->fallback = std::make_unique<RestFallback>(
      impl_->io, fallback_options, [impl = impl_.get()](std::size_t index) { impl->poll(index); },
      [impl = impl_.get()] { return impl->rest->waiting(); });
  asio::post(impl_->io, [impl = impl_.get()] { impl->fetch_instruments({}); });
  impl_->finished = impl_->done.get_future();
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->io.run();
    impl->done.set_value();
  });
  return Status::Ok();
}

void BybitFeed::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->rest->stop();
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->stopping = true;
    impl->retry.cancel();
    impl->fallback->stop();
    for (auto& connection : impl->connections) {
      connection->ping.cancel();
      connection->ws->stop();
    }
    impl->guard.reset();
  });
  // The client's coroutines finish once their sockets close; bound the wait so stop stays prompt.
  if (impl_->finished.wait_for(std::chrono::seconds(2)) != std::future_status::ready) impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tickguard::feeds::bybit
