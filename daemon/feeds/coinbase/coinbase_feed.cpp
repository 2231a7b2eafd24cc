// The Coinbase Exchange public feed. Start-up: GET /products (through VenueRest, within the
// public REST limit of 10 requests/s per IP, bursts of 15) maps each unified symbol to a product id.
// Stream: one WebSocket subscribed to heartbeat, matches, ticker and level2_batch for every product
// (up to 100 product ids per request; requests paced to the documented 10 client messages/s).
// Books: a snapshot then l2updates, which carry no sequence; trade ids are contiguous per product,
// so a match or heartbeat revealing a skipped trade id means the connection lost messages of that
// product: the gap is counted and that product's book alone is resubscribed for a fresh snapshot.
// REST fallback: while the stream is down (after a grace period), every rest_poll_interval each
// product's GET /products/{id}/ticker and GET /products/{id}/trades?limit=100 (one request each of
// the same public budget) keep its best bid/ask and trades flowing; a REST trade is emitted only if
// it is newer than every trade already emitted for the product (from either source).
#include "feeds/coinbase/coinbase_feed.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <future>
#include <map>
#include <thread>

#include "core/log.h"
#include "feeds/coinbase/coinbase_book.h"
#include "feeds/coinbase/coinbase_parse.h"
#include "feeds/coinbase/coinbase_subscribe.h"
#include "feeds/coinbase/coinbase_symbols.h"
#include "feeds/common/backoff.h"
#include "feeds/common/rate_limiter.h"
#include "feeds/common/rest_fallback.h"
#include "feeds/common/venue_rest.h"
#include "feeds/common/websocket_client.h"

namespace tickguard::feeds::coinbase {

namespace asio = boost::asio;

namespace {

constexpr const char* kExchange = "coinbase";
// Public REST endpoints: 10 requests per second per IP, bursts up to 15.
constexpr RateLimit kRestLimit{15, 10};
// Client messages on the feed (subscribe, unsubscribe): 10 per second. The venue tolerates larger
// bursts; staying at the sustained rate keeps a burst of resyncs from ever being cut off.
constexpr RateLimit kSendLimit{10, 10};
// A book resubscription that brought no snapshot within this time is sent again.
constexpr auto kResyncTimeout = std::chrono::seconds(15);
constexpr auto kHousekeepingInterval = std::chrono::seconds(5);
// Malformed frames are counted one by one but logged at most once per interval.
constexpr auto kMalformedLogInterval = std::chrono::seconds(10);
constexpr std::size_t kBookLevelsPerSide = 1000;
// Recent trades asked for per fallback poll: one request whatever the limit (the venue's default
// and maximum are 1000); 100 covers a 5 s poll interval of all but the busiest products.
constexpr int kRestTradesLimit = 100;

// One subscribed product: its pipeline id, ids, book and the marks of its sequenced channels.
struct Subscription {
  InstrumentId id = 0;
  std::string symbol;
  std::string product_id;
  CoinbaseBookSync book{kBookLevelsPerSide};
  SequenceMark trades{SequenceMark::Policy::kContiguous};  // trade_id: contiguous per product
  SequenceMark tickers{SequenceMark::Policy::kMonotonic};  // ticker `sequence`: drops stale ones
  ResyncRequest resync{kResyncTimeout};
  LastTradeTime last_trade;  // newest trade emitted, from the stream or REST: kept across reconnects

  // After a disconnect: everything restarts from the next subscription.
  void reset() {
    book.reset();
    trades.reset();
    tickers.reset();
    resync.reset();
  }
};

}  // namespace

struct CoinbaseFeed::Impl final : WebSocketHandler {
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
        retry(io),
        housekeeping(io),
        send_timer(io),
        send_limit(kSendLimit) {}

  // ---- Start-up: product metadata, then the stream ----

  void fetch_products() {
    rest->get("products", rest_url + "/products", 1,
              [this](const HttpResponse& response) { on_products(response); });
  }

  void on_products(const HttpResponse& response) {
    std::vector<Product> products;
    if (const ParseError error = parser.parse_products(response.body, products); error != ParseError::kNone) {
      listener->on_error(kExchange, "parse");
      const auto delay = backoff.next();
      log::error("coinbase: cannot read product metadata, retrying",
                 {{"url", rest_url},
                  {"err", to_string(error)},
                  {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
      retry.expires_after(delay);
      retry.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) fetch_products();
      });
      return;
    }
    backoff.reset();
    subscribe_known(SymbolMap(products));
    fallback->set_count(subscriptions.size());
    if (subscriptions.empty()) {
      log::error("coinbase: no listed symbol to subscribe, not connecting", {{"feed", kExchange}});
      return;
    }
    WebSocketOptions ws_options;
    ws_options.url = ws_url;
    ws_options.silence_timeout = silence_timeout;
    ws = std::make_unique<WebSocketClient>(io, ws_options, *this, clock);
    ws->start();
    schedule_housekeeping();
  }

  void subscribe_known(const SymbolMap& map) {
    for (const auto& instrument : instruments) {
      std::string_view native;
      if (const SymbolError error = map.to_native(instrument.symbol, native); error != SymbolError::kNone) {
        log::error("coinbase: unknown symbol, not subscribed",
                   {{"feed", kExchange}, {"symbol", instrument.symbol}, {"err", to_string(error)}});
        continue;
      }
      if (by_product.contains(native)) continue;  // the same product twice: subscribed once
      if (!map.tradable(native)) {
        log::warn("coinbase: product is not trading now, subscribed anyway",
                  {{"symbol", instrument.symbol}, {"product", native}});
      }
      auto sub = std::make_unique<Subscription>();
      sub->id = instrument.id;
      sub->symbol = instrument.symbol;
      sub->product_id = std::string(native);
      by_product.emplace(sub->product_id, sub.get());
      subscriptions.push_back(std::move(sub));
    }
    for (const auto& sub : subscriptions) product_ids.emplace_back(sub->product_id);
  }

  // Re-requests books whose resubscription brought no snapshot in time.
  void schedule_housekeeping() {
    housekeeping.expires_after(kHousekeepingInterval);
    housekeeping.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      const auto now = ResyncRequest::Clock::now();
      for (auto& sub : subscriptions) {
        if (connected && sub->resync.overdue(now)) {
          log::warn("coinbase: no fresh book snapshot, resubscribing again", {{"symbol", sub->symbol}});
          request_book(*sub);
        }
      }
      schedule_housekeeping();
    });
  }

  // ---- Outgoing requests, paced to the venue's client message limit ----

  void send(std::string text) {
    outbox.push_back(std::move(text));
    drain();
  }

  void drain() {
    if (send_waiting) return;
    while (!outbox.empty()) {
      const auto wait = send_limit.try_acquire(1, RateLimiter::Clock::now());
      if (wait > RateLimiter::Clock::duration::zero()) {
        send_waiting = true;
        send_timer.expires_after(wait);
        send_timer.async_wait([this](const boost::system::error_code& ec) {
          if (ec) return;  // cancelled by a disconnect, which also cleared the outbox
          send_waiting = false;
          drain();
        });
        return;
      }
      ws->send(std::move(outbox.front()));
      outbox.pop_front();
    }
  }

  // Unsubscribe then subscribe the product's book channel: the venue answers with a new snapshot.
  void request_book(const Subscription& sub) {
    const std::string_view product[] = {sub.product_id};
    const std::string_view channel[] = {kBookChannel};
    send(subscription_request(RequestType::kUnsubscribe, product, channel));
    send(subscription_request(RequestType::kSubscribe, product, channel));
  }

  // ---- WebSocketHandler ----

  void on_open() override {
    if (opened_before) listener->on_reconnect(kExchange);
    opened_before = true;
    connected = true;
    log::info("coinbase: connected",
              {{"url", ws_url}, {"products", static_cast<std::uint64_t>(subscriptions.size())}});
    listener->on_connection_state(kExchange, true);
    // The venue disconnects a client that has not subscribed within 5 s: the first request goes now.
    for (std::string& request : subscription_requests(RequestType::kSubscribe, product_ids, kChannels)) {
      send(std::move(request));
    }
  }

  bool on_message(std::string_view text, Timestamp receive_time) override {
    const bool data = handle_message(text, receive_time);
    // The stream is back once it delivers market data, not at the handshake: a venue that accepts
    // connections and drops them at once must not keep the REST fallback from starting.
    if (data && !streaming) {
      streaming = true;
      fallback->stream_up();
    }
    return data;
  }

  bool handle_message(std::string_view text, Timestamp receive_time) {
    if (const ParseError error = parser.parse(text, message); error != ParseError::kNone) {
      on_malformed(error);
      return false;
    }
    switch (message.kind) {
      case MessageKind::kMatch:
        if (Subscription* sub = find(message.product_id)) on_match(*sub, message.match, receive_time);
        return true;
      case MessageKind::kTicker:
        if (Subscription* sub = find(message.product_id)) on_ticker(*sub, message.ticker, receive_time);
        return true;
      case MessageKind::kSnapshot:
      case MessageKind::kL2Update:
        if (Subscription* sub = find(message.product_id)) on_book(*sub, receive_time);
        return true;
      case MessageKind::kHeartbeat:
        if (Subscription* sub = find(message.product_id)) on_heartbeat(*sub, message.heartbeat);
        return false;  // liveness only: does not hold off the silence timeout
      case MessageKind::kError:
        listener->on_error(kExchange, "venue");
        log::error("coinbase: venue error",
                   {{"msg", message.error_message}, {"reason", message.error_reason}});
        return false;
      case MessageKind::kSubscriptions:
      case MessageKind::kUnknown:
        return false;
    }
    return false;
  }

  void on_match(Subscription& sub, const MatchMessage& match, Timestamp receive_time) {
    const SequenceVerdict verdict = sub.trades.observe(match.trade.trade_id);
    // last_match repeats the latest trade from before the subscription: it only seeds the mark.
    if (match.last_match) return;
    if (verdict == SequenceVerdict::kStale) {  // a duplicate, or a trade already reported missed
      listener->on_dropped_message(kExchange);
      return;
    }
    Trade trade = match.trade;
    trade.instrument = sub.id;
    trade.receive_time = receive_time;
    listener->on_event(trade);
    sub.last_trade.seen(trade.exchange_time);
    if (verdict == SequenceVerdict::kGap) on_gap(sub, "trade id gap on matches");
  }

  void on_ticker(Subscription& sub, const TickerMessage& ticker, Timestamp receive_time) {
    if (sub.tickers.observe(ticker.sequence) == SequenceVerdict::kStale) {
      listener->on_dropped_message(kExchange);
      return;
    }
    listener->on_event(to_ticker(ticker, sub.id, receive_time));
  }

  void on_heartbeat(Subscription& sub, const HeartbeatMessage& heartbeat) {
    if (sub.trades.catch_up(heartbeat.last_trade_id) == SequenceVerdict::kGap) {
      on_gap(sub, "heartbeat reports trades never received");
    }
  }

  void on_book(Subscription& sub, Timestamp receive_time) {
    switch (sub.book.apply(message)) {
      case BookStatus::kNeedsSnapshot:  // an update while the book waits for its fresh snapshot
        listener->on_dropped_message(kExchange);
        return;
      case BookStatus::kNeedsResync:
        resync(sub, "crossed or invalid book");
        return;
      case BookStatus::kApplied:
        break;
    }
    if (message.kind == MessageKind::kSnapshot && sub.resync.complete()) {
      log::info("coinbase: book resynchronized", {{"symbol", sub.symbol}});
    }
    BookSnapshot snapshot;
    sub.book.fill(snapshot);
    snapshot.bid_count = std::min(snapshot.bid_count, book_depth);
    snapshot.ask_count = std::min(snapshot.ask_count, book_depth);
    snapshot.instrument = sub.id;
    snapshot.receive_time = receive_time;
    listener->on_event(snapshot);
  }

  // Messages of this product were lost on the connection; its book may have missed updates too.
  void on_gap(Subscription& sub, const char* reason) {
    listener->on_sequence_gap(sub.id);
    resync(sub, reason);
  }

  void resync(Subscription& sub, const char* reason) {
    sub.book.reset();
    const bool send_now = sub.resync.request(ResyncRequest::Clock::now());
    log::warn("coinbase: book out of sync, resubscribing",
              {{"symbol", sub.symbol}, {"reason", reason}, {"already_requested", !send_now}});
    if (send_now) request_book(sub);
  }

  void on_malformed(ParseError error) {
    listener->on_error(kExchange, "parse");
    listener->on_dropped_message(kExchange);
    ++malformed_since_log;
    const auto now = std::chrono::steady_clock::now();
    if (malformed_logged && now - last_malformed_log < kMalformedLogInterval) return;
    log::warn("coinbase: malformed message dropped",
              {{"err", to_string(error)}, {"dropped_since_last_log", malformed_since_log}});
    malformed_logged = true;
    last_malformed_log = now;
    malformed_since_log = 0;
  }

  void on_close(std::string_view reason) override {
    log::warn("coinbase: disconnected, reconnecting", {{"reason", reason}});
    connected = false;
    listener->on_connection_state(kExchange, false);
    streaming = false;
    fallback->stream_down();
    for (auto& sub : subscriptions) sub->reset();
    // Requests for the old connection are void: the next on_open subscribes everything again.
    outbox.clear();
    send_timer.cancel();
    send_waiting = false;
  }

  // ---- REST fallback while the stream is down ----

  void poll(std::size_t index) {
    Subscription* sub = subscriptions[index].get();
    const std::string base = rest_url + "/products/" + sub->product_id;
    rest->get_once("ticker", base + "/ticker", 1,
                   [this, sub](const HttpResponse& response) { on_rest_ticker(*sub, response); });
    rest->get_once("trades", base + "/trades?limit=" + std::to_string(kRestTradesLimit), 1,
                   [this, sub](const HttpResponse& response) { on_rest_trades(*sub, response); });
  }

  void on_rest_ticker(const Subscription& sub, const HttpResponse& response) {
    if (!fallback->polling()) return;  // the stream came back meanwhile and is fresher
    if (const ParseError error = parser.parse_rest_ticker(response.body, rest_ticker);
        error != ParseError::kNone) {
      on_rest_malformed(sub, "ticker", error);
      return;
    }
    listener->on_event(to_ticker(rest_ticker, sub.id, clock.now()));
  }

  // Emits, oldest first, the polled trades newer than every trade already emitted for the product.
  // Newness is judged against the time before this batch: trades of one taker order share a time.
  void on_rest_trades(Subscription& sub, const HttpResponse& response) {
    if (!fallback->polling()) return;
    if (const ParseError error = parser.parse_rest_trades(response.body, rest_trades);
        error != ParseError::kNone) {
      on_rest_malformed(sub, "trades", error);
      return;
    }
    std::sort(rest_trades.begin(), rest_trades.end(), [](const Trade& a, const Trade& b) {
      return a.exchange_time != b.exchange_time ? a.exchange_time < b.exchange_time : a.trade_id < b.trade_id;
    });
    const LastTradeTime before = sub.last_trade;
    const Timestamp now = clock.now();
    for (Trade& trade : rest_trades) {
      if (!before.is_new(trade.exchange_time)) continue;
      trade.instrument = sub.id;
      trade.receive_time = now;
      listener->on_event(trade);
      sub.last_trade.seen(trade.exchange_time);
    }
  }

  void on_rest_malformed(const Subscription& sub, const char* endpoint, ParseError error) {
    listener->on_error(kExchange, "parse");
    log::warn("coinbase: malformed REST answer dropped",
              {{"endpoint", endpoint}, {"symbol", sub.symbol}, {"err", to_string(error)}});
  }

  Subscription* find(std::string_view product_id) {
    const auto it = by_product.find(product_id);
    return it == by_product.end() ? nullptr : it->second;
  }

  const std::string rest_url;
  const std::string ws_url;
  const std::chrono::milliseconds silence_timeout;
  const std::chrono::milliseconds rest_poll_interval;
  const std::uint8_t book_depth;
  const std::vector<Instrument> instruments;
  const Clock& clock;
  FeedListener* listener = nullptr;
  bool opened_before = false;  // a later on_open is a reconnect
  bool connected = false;

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  asio::steady_timer retry;         // metadata that could not be read
  asio::steady_timer housekeeping;  // overdue book resyncs
  asio::steady_timer send_timer;    // the next paced request
  Backoff backoff;
  RateLimiter send_limit;
  std::deque<std::string> outbox;  // requests waiting for the send budget
  bool send_waiting = false;       // send_timer is armed
  CoinbaseParser parser;           // used on the io thread only
  WsMessage message;               // the last parsed frame, reused
  bool malformed_logged = false;
  std::chrono::steady_clock::time_point last_malformed_log{};
  std::uint64_t malformed_since_log = 0;
  std::unique_ptr<VenueRest> rest;
  std::unique_ptr<RestFallback> fallback;  // polls through `rest` while the stream is down
  bool streaming = false;                  // market data arrived on the current connection
  RestTicker rest_ticker;                  // the last polled ticker, reused
  std::vector<Trade> rest_trades;          // the last polled trades, reused
  std::unique_ptr<WebSocketClient> ws;
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  std::map<std::string, Subscription*, std::less<>> by_product;  // product id -> subscription
  std::vector<std::string_view> product_ids;                     // views of the subscriptions' ids
  std::thread thread;
  std::promise<void> done;  // set when the io thread returns
  std::future<void> finished;
};

CoinbaseFeed::CoinbaseFeed(const config::FeedOptions& options, std::vector<Instrument> instruments,
                           const Clock& clock)
    : impl_(std::make_unique<Impl>(options, std::move(instruments), clock)) {}

CoinbaseFeed::~CoinbaseFeed() { stop(); }

Status CoinbaseFeed::start(FeedListener& listener) {
  if (Status s = WebSocketClient::validate_url(impl_->ws_url); !s.ok()) return s;
  impl_->listener = &listener;
  VenueRestOptions rest_options;
  rest_options.exchange = kExchange;
  rest_options.limit = kRestLimit;
  impl_->rest = std::make_unique<VenueRest>(impl_->io, std::move(rest_options), listener);
  // The grace before polling equals the interval: the default 5 s tolerates a quick reconnect,
  // and a shorter interval (tests, impatient operators) starts polling as soon.
  const RestFallbackOptions fallback_options{.interval = impl_->rest_poll_interval,
                                             .grace = impl_->rest_poll_interval};
  impl_->fallback = std::make_unique<RestFallback>(
      impl_->io, fallback_options, [impl = impl_.get()](std::size_t index) { impl->poll(index); },
      [impl = impl_.get()] { return impl->rest->waiting(); });
  asio::post(impl_->io, [impl = impl_.get()] { impl->fetch_products(); });
  impl_->finished = impl_->done.get_future();
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->io.run();
    impl->done.set_value();
  });
  return Status::Ok();
}

void CoinbaseFeed::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->rest->stop();
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->retry.cancel();
    impl->housekeeping.cancel();
    impl->send_timer.cancel();
    impl->fallback->stop();
    if (impl->ws) impl->ws->stop();
    impl->guard.reset();
  });
  // The client's coroutines finish once their sockets close; bound the wait so stop stays prompt.
  if (impl_->finished.wait_for(std::chrono::seconds(2)) != std::future_status::ready) impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tickguard::feeds::coinbase
