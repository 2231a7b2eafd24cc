// Kraken spot public market data over WebSocket v2.
//
// Start-up: GET /0/public/AssetPairs through VenueRest (Kraken's public REST endpoints stay within
// their limit at one call per second, so the bucket holds one call and refills one per second) maps
// each configured BASE/QUOTE to its v2 symbol and to the price/quantity precisions its book checksum
// is formed with. A 200 whose body carries a venue error ("EService:Unavailable", "EAPI:Rate limit
// exceeded") is retried with backoff too.
//
// Stream: one connection; for every symbol the `trade` channel (no snapshot of past trades), the
// `ticker` channel with event_trigger "bbo" (a Ticker on every best bid/offer change) and the `book`
// channel at depth 10. Requests carry at most 50 symbols and are paced (a burst of 5, then 2 per
// second: Kraken's message budget per connection is adaptive, not a published number); a request
// refused with "Exceeded msg rate" is resent after a pause. An application ping goes out every 30 s.
// Heartbeats (about one a second when a connection is otherwise idle) are not data, so a connection
// carrying only heartbeats still hits the silence timeout.
//
// Books: snapshot, then updates applied in wire order and truncated to the subscribed depth, each
// verified against the CRC32 of the top 10 levels (Kraken's only integrity check: v2 books have no
// sequence numbers). A mismatch counts a checksum failure and resubscribes that symbol's book alone
// (unsubscribe + subscribe brings a fresh snapshot); its updates meanwhile are dropped and counted.
// A book that fails again without a verified update in between is resubscribed with backoff.
//
// REST fallback: once the stream has been down for RestFallback's grace period, every
// rest_poll_interval each symbol's GET /0/public/Ticker (best bid/ask) and GET /0/public/Trades
// (the latest kRestTradeCount trades) go out through VenueRest, at the same one call per second as
// AssetPairs: N symbols take 2N seconds a round, and a round waits until the last one drained.
// Each REST trade newer than every trade emitted for the symbol (stream or REST) is emitted once.
// The stream counts as back at its first market data message, not at the handshake: a venue that
// accepts connections and drops them straight away must not keep cancelling the polling.
#include "feeds/kraken/kraken_feed.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "feeds/common/backoff.h"
#include "feeds/common/rate_limiter.h"
#include "feeds/common/rest_fallback.h"
#include "feeds/common/venue_rest.h"
#include "feeds/common/websocket_client.h"
#include "feeds/kraken/kraken_book.h"
#include "feeds/kraken/kraken_parse.h"
#include "feeds/kraken/kraken_subscriptions.h"
#include "feeds/kraken/kraken_symbols.h"

namespace tickguard::feeds::kraken {

namespace asio = boost::asio;

namespace {

constexpr const char* kExchange = "kraken";
constexpr const char* kAssetPairsEndpoint = "AssetPairs";
constexpr const char* kTickerEndpoint = "ticker";  // REST fallback: /0/public/Ticker
constexpr const char* kTradesEndpoint = "trades";  // REST fallback: /0/public/Trades
// Trades asked for per REST poll (the venue allows 1..1000, default 1000). Every public call costs
// the same whatever the count; 100 covers a symbol trading 10 times a second over a 10 s round.
constexpr int kRestTradeCount = 100;
// Kraken: "calling the public endpoints at a frequency of 1 per second (or less)" stays in limits.
constexpr RateLimit kPublicRestLimit{.capacity = 1, .refill_per_second = 1};
constexpr auto kPingInterval = std::chrono::seconds(30);
constexpr auto kRateLimitedPause = std::chrono::seconds(2);           // after "Exceeded msg rate"
constexpr std::size_t kRememberedRequests = 256;                      // for resending a refused request
constexpr auto kMalformedWarningInterval = std::chrono::seconds(10);  // also for REST fallback answers

// One subscribed instrument: its pipeline id, names, book and book-resync state.
struct Subscription {
  Subscription(asio::io_context& io, KrakenBookOptions book_options) : book(book_options), resync_timer(io) {}
  InstrumentId id = 0;
  std::string symbol;        // unified, for logs
  std::string v2_symbol;     // as the venue writes it
  std::string rest_pair;     // the AssetPairs key ("XXMRZUSD"): REST requests name the pair by it
  LastTradeTime last_trade;  // newest trade emitted, from either source
  KrakenBookSync book;
  KrakenResyncThrottle resync_throttle;
  asio::steady_timer resync_timer;
};

}  // namespace

struct KrakenFeed::Impl final : WebSocketHandler {
  Impl(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock)
      : rest_url(options.rest_url.empty() ? kDefaultRestUrl : options.rest_url),
        ws_url(options.ws_url.empty() ? kDefaultWsUrl : options.ws_url),
        silence_timeout(options.silence_timeout),
        rest_poll_interval(options.rest_poll_interval),
        book_levels(
            static_cast<std::uint8_t>(std::clamp<int>(options.book_depth, 1, BookSnapshot::kMaxDepth))),
        book_depth(subscription_depth(book_levels)),
        instruments(std::move(instruments)),
        clock(clock),
        guard(asio::make_work_guard(io)),
        retry(io),
        ping(io),
        send_timer(io),
        pacer(RateLimit{.capacity = kRequestBurst, .refill_per_second = kRequestsPerSecond}) {}

  // ---- Start-up: pair metadata, then the stream ----

  void fetch_asset_pairs() {
    rest->get(kAssetPairsEndpoint, rest_url + "/0/public/AssetPairs", 1.0,
              [this](const HttpResponse& response) { on_asset_pairs(response); });
  }

  void on_asset_pairs(const HttpResponse& response) {
    const KrakenAssetPairs pairs = parse_asset_pairs(response.body);
    if (pairs.error != KrakenParseError::kNone || !pairs.venue_errors.empty()) {
      const bool malformed = pairs.error != KrakenParseError::kNone;
      listener->on_error(kExchange, malformed                                         ? "parse"
                                    : is_rate_limit_error(pairs.venue_errors.front()) ? "rate_limited"
                                                                                      : "venue");
      const auto delay = backoff.next();
      log::error(
          "kraken: cannot load AssetPairs, retrying",
          {{"url", rest_url},
           {"err", malformed ? std::string(parse_error_name(pairs.error)) : pairs.venue_errors.front()},
           {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
      retry.expires_after(delay);
      retry.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) fetch_asset_pairs();
      });
      return;
    }
    backoff.reset();
    subscribe_known(KrakenSymbolMap(pairs));
    fallback->set_count(subscriptions.size());
    if (subscriptions.empty()) {
      log::error("kraken: no configured symbol is listed, not connecting",
                 {{"symbols", static_cast<std::uint64_t>(instruments.size())}});
      return;
    }
    WebSocketOptions ws_options;
    ws_options.url = ws_url;
    ws_options.silence_timeout = silence_timeout;
    ws = std::make_unique<WebSocketClient>(io, ws_options, *this, clock);
    ws->start();
    schedule_ping();
  }

  void subscribe_known(const KrakenSymbolMap& map) {
    for (const auto& instrument : instruments) {
      const KrakenMarket* market = map.find_unified(instrument.symbol);
      if (market == nullptr) {
        log::error("kraken: unknown symbol, not subscribed", {{"feed", kExchange},
                                                              {"symbol", instrument.symbol},
                                                              {"hint", "not listed in Kraken AssetPairs"}});
        continue;
      }
      if (by_symbol.contains(market->v2_symbol)) continue;  // listed twice in the config
      if (!market->status.empty() && market->status != "online") {
        log::warn("kraken: pair is not fully tradable, streaming it anyway",
                  {{"symbol", instrument.symbol}, {"status", market->status}});
      }
      auto sub =
          std::make_unique<Subscription>(io, KrakenBookOptions{.depth = static_cast<std::size_t>(book_depth),
                                                               .price_decimals = market->price_decimals,
                                                               .qty_decimals = market->qty_decimals});
      sub->id = instrument.id;
      sub->symbol = instrument.symbol;
      sub->v2_symbol = market->v2_symbol;
      sub->rest_pair = market->rest_key;
      by_symbol.emplace(sub->v2_symbol, sub.get());
      subscriptions.push_back(std::move(sub));
    }
    log::info("kraken: symbols resolved", {{"subscribed", static_cast<std::uint64_t>(subscriptions.size())},
                                           {"configured", static_cast<std::uint64_t>(instruments.size())},
                                           {"listed", static_cast<std::uint64_t>(map.size())}});
  }

  void schedule_ping() {
    ping.expires_after(kPingInterval);
    ping.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (connected) send(v2_ping_request(next_req_id++));
      schedule_ping();
    });
  }

  // ---- Outgoing requests: paced, remembered for a resend ----

  void send(std::string request) {
    outbox.push_back(std::move(request));
    drain();
  }

  void send_all(std::vector<std::string> requests, std::uint64_t first_req_id) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      recent_requests.insert_or_assign(first_req_id + i, requests[i]);
      if (recent_requests.size() > kRememberedRequests) recent_requests.erase(recent_requests.begin());
      send(std::move(requests[i]));
    }
  }

  void channel_requests(std::string_view method, const KrakenChannel& channel,
                        std::span<const std::string> symbols) {
    const std::uint64_t first = next_req_id;
    send_all(v2_channel_requests(method, channel, symbols, kMaxSymbolsPerRequest, next_req_id), first);
  }

  void drain() {
    while (!outbox.empty()) {
      const auto wait = pacer.try_acquire(1, RateLimiter::Clock::now());
      if (wait > RateLimiter::Clock::duration::zero()) {
        if (send_scheduled) return;
        send_scheduled = true;
        send_timer.expires_after(wait);
        send_timer.async_wait([this](const boost::system::error_code&) {
          send_scheduled = false;
          drain();
        });
        return;
      }
      ws->send(std::move(outbox.front()));
      outbox.pop_front();
    }
  }

  // ---- WebSocketHandler ----

  void on_open() override {
    if (opened_before) listener->on_reconnect(kExchange);
    opened_before = true;
    connected = true;
    log::info("kraken: connected",
              {{"url", ws_url}, {"symbols", static_cast<std::uint64_t>(subscriptions.size())}});
    listener->on_connection_state(kExchange, true);
    std::vector<std::string> symbols;
    symbols.reserve(subscriptions.size());
    for (const auto& sub : subscriptions) symbols.push_back(sub->v2_symbol);
    for (const KrakenChannel& channel : market_data_channels(book_depth))
      channel_requests("subscribe", channel, symbols);
  }

  bool on_message(std::string_view frame, Timestamp receive_time) override {
    const bool data = handle(frame, receive_time);
    if (data && !stream_live) {  // the first market data of this connection: the stream is back
      stream_live = true;
      fallback->stream_up();
    }
    return data;
  }

  // Dispatches one frame; true when it carried market data.
  bool handle(std::string_view frame, Timestamp receive_time) {
    switch (parser.parse(frame)) {
      case KrakenMessageKind::kTrade:
        if (parser.snapshot()) return true;  // past trades (never requested): not new trades
        for (const KrakenTrade& trade : parser.trades()) {
          if (Subscription* sub = find(trade.symbol)) {
            sub->last_trade.seen(trade.exchange_time);
            listener->on_event(to_trade(trade, sub->id, receive_time));
          }
        }
        return true;
      case KrakenMessageKind::kTicker:
        for (const KrakenTicker& ticker : parser.tickers()) {
          if (const Subscription* sub = find(ticker.symbol)) {
            listener->on_event(to_ticker(ticker, sub->id, receive_time));
          }
        }
        return true;
      case KrakenMessageKind::kBookSnapshot:
      case KrakenMessageKind::kBookUpdate:
        for (const KrakenBook& book : parser.books()) {
          if (Subscription* sub = find(book.symbol)) on_book(*sub, book, receive_time);
        }
        return true;
      case KrakenMessageKind::kStatus:
        // "online" on every connect; "maintenance", "cancel_only", "post_only" announce degraded data.
        log::write(parser.status_text() == "online" ? log::Level::kInfo : log::Level::kWarn,
                   "kraken: venue status", {{"system", parser.status_text()}});
        return false;
      case KrakenMessageKind::kError:
        on_venue_error();
        return false;
      case KrakenMessageKind::kInvalid:
        listener->on_error(kExchange, "parse");
        listener->on_dropped_message(kExchange);
        warn_malformed(frame.size());
        return false;
      case KrakenMessageKind::kHeartbeat:
      case KrakenMessageKind::kAck:
      case KrakenMessageKind::kOther:
        return false;
    }
    return false;
  }

  void on_book(Subscription& sub, const KrakenBook& message, Timestamp receive_time) {
    switch (sub.book.apply(message)) {
      case KrakenBookStatus::kApplied:
        if (message.checksum) sub.resync_throttle.on_verified();
        emit_book(sub, receive_time);
        return;
      case KrakenBookStatus::kAwaitingSnapshot:
        listener->on_dropped_message(kExchange);
        return;
      case KrakenBookStatus::kChecksumMismatchNeedsResync:
        listener->on_checksum_failure(sub.id);
        resync(sub, "checksum mismatch");
        return;
      case KrakenBookStatus::kCrossedNeedsResync:
        resync(sub, "crossed book");
        return;
    }
  }

  void emit_book(const Subscription& sub, Timestamp receive_time) {
    BookSnapshot snapshot;
    snapshot.instrument = sub.id;
    snapshot.receive_time = receive_time;
    snapshot.exchange_time = receive_time;  // replaced by the venue's time when the book had one
    sub.book.fill(snapshot);
    snapshot.bid_count = std::min(snapshot.bid_count, book_levels);
    snapshot.ask_count = std::min(snapshot.ask_count, book_levels);
    listener->on_event(snapshot);
  }

  // Resubscribes the book of `sub` alone: the venue answers a subscribe with a fresh snapshot.
  void resync(Subscription& sub, const char* reason) {
    sub.book.reset();
    const std::chrono::milliseconds delay = sub.resync_throttle.on_failure();
    log::warn(
        "kraken: book out of sync, resubscribing",
        {{"symbol", sub.symbol}, {"reason", reason}, {"delay_ms", static_cast<std::int64_t>(delay.count())}});
    if (delay.count() == 0) return resubscribe_book(sub);
    sub.resync_timer.expires_after(delay);
    sub.resync_timer.async_wait([this, &sub](const boost::system::error_code& ec) {
      if (!ec && connected) resubscribe_book(sub);
    });
  }

  void resubscribe_book(const Subscription& sub) {
    KrakenChannel book;
    book.name = "book";
    book.depth = book_depth;
    const std::span<const std::string> symbol(&sub.v2_symbol, 1);
    channel_requests("unsubscribe", book, symbol);
    channel_requests("subscribe", book, symbol);
  }

  void on_venue_error() {
    listener->on_error(kExchange, "venue");
    const std::string_view text = parser.error_text();
    const std::optional<std::uint64_t> req_id = parser.req_id();
    const auto request = req_id ? recent_requests.find(*req_id) : recent_requests.end();
    if (is_rate_limit_error(text) && request != recent_requests.end()) {
      log::warn(
          "kraken: request refused by the venue's rate limit, resending",
          {{"error", text},
           {"req_id", *req_id},
           {"pause_ms", static_cast<std::int64_t>(std::chrono::milliseconds(kRateLimitedPause).count())}});
      pacer.block_until(RateLimiter::Clock::now() + kRateLimitedPause);
      send(request->second);
      return;
    }
    log::error("kraken: venue error",
               {{"error", text}, {"req_id", static_cast<std::int64_t>(req_id.value_or(0))}});
  }

  void warn_malformed(std::size_t bytes) {
    ++malformed_since_warning;
    const auto now = std::chrono::steady_clock::now();
    if (warned_malformed && now - last_malformed_warning < kMalformedWarningInterval) return;
    log::warn("kraken: malformed message dropped", {{"err", parse_error_name(parser.error())},
                                                    {"bytes", static_cast<std::uint64_t>(bytes)},
                                                    {"dropped_since_last_warning", malformed_since_warning}});
    warned_malformed = true;
    last_malformed_warning = now;
    malformed_since_warning = 0;
  }

  void on_close(std::string_view reason) override {
    if (const std::string_view kind = close_error_kind(reason); !kind.empty())
      listener->on_error(kExchange, kind);
    if (reason == "stopped") {
      log::info("kraken: disconnected", {{"reason", reason}});
    } else {
      log::warn("kraken: disconnected, reconnecting", {{"reason", reason}});
    }
    connected = false;
    stream_live = false;
    listener->on_connection_state(kExchange, false);
    fallback->stream_down();  // every close, failures to connect included (no-op once stopped)
    outbox.clear();           // requests of the old connection; on_open subscribes afresh
    for (auto& sub : subscriptions) {
      sub->book.reset();
      sub->resync_timer.cancel();
      sub->resync_throttle = KrakenResyncThrottle();
    }
  }

  // ---- REST fallback (RestFallback calls poll while the stream is down) ----

  void poll(std::size_t index) {
    Subscription& sub = *subscriptions[index];
    rest->get_once(kTickerEndpoint, rest_url + "/0/public/Ticker?pair=" + sub.rest_pair, 1.0,
                   [this, &sub](const HttpResponse& response) { on_rest_ticker(sub, response); });
    rest->get_once(
        kTradesEndpoint,
        rest_url + "/0/public/Trades?pair=" + sub.rest_pair + "&count=" + std::to_string(kRestTradeCount),
        1.0, [this, &sub](const HttpResponse& response) { on_rest_trades(sub, response); });
  }

  void on_rest_ticker(const Subscription& sub, const HttpResponse& response) {
    if (!fallback->polling()) return;  // the stream came back meanwhile: its data is newer
    const KrakenRestTicker parsed = parse_rest_ticker(response.body, sub.rest_pair);
    if (!rest_answer_usable(kTickerEndpoint, sub, parsed.error, parsed.venue_errors)) return;
    listener->on_event(to_ticker(parsed.ticker, sub.id, clock.now()));
  }

  void on_rest_trades(Subscription& sub, const HttpResponse& response) {
    if (!fallback->polling()) return;
    KrakenRestTrades parsed = parse_rest_trades(response.body, sub.rest_pair);
    if (!rest_answer_usable(kTradesEndpoint, sub, parsed.error, parsed.venue_errors)) return;
    // Oldest first (the venue's order; kept if it ever differs), so each emitted trade is newer.
    std::stable_sort(
        parsed.trades.begin(), parsed.trades.end(),
        [](const KrakenTrade& a, const KrakenTrade& b) { return a.exchange_time < b.exchange_time; });
    const Timestamp now = clock.now();
    for (KrakenTrade& trade : parsed.trades) {
      // REST times carry up to 100 ns, the stream's microseconds: at the stream's resolution, the
      // last streamed trade is not mistaken for a newer one.
      trade.exchange_time = std::chrono::floor<std::chrono::microseconds>(trade.exchange_time);
      if (!sub.last_trade.is_new(trade.exchange_time)) continue;
      sub.last_trade.seen(trade.exchange_time);
      listener->on_event(to_trade(trade, sub.id, now));
    }
  }

  // A 200 whose body is malformed or carries a Kraken error is counted and dropped (the next round
  // asks again); warnings are rate limited like those of malformed frames.
  bool rest_answer_usable(const char* endpoint, const Subscription& sub, KrakenParseError error,
                          const std::vector<std::string>& venue_errors) {
    if (error == KrakenParseError::kNone && venue_errors.empty()) return true;
    const bool malformed = error != KrakenParseError::kNone;
    listener->on_error(kExchange, malformed                                   ? "parse"
                                  : is_rate_limit_error(venue_errors.front()) ? "rate_limited"
                                                                              : "venue");
    ++rest_failures_since_warning;
    const auto now = std::chrono::steady_clock::now();
    if (warned_rest_failure && now - last_rest_failure_warning < kMalformedWarningInterval) return false;
    log::warn("kraken: rest fallback answer dropped",
              {{"endpoint", endpoint},
               {"symbol", sub.symbol},
               {"err", malformed ? std::string(parse_error_name(error)) : venue_errors.front()},
               {"dropped_since_last_warning", rest_failures_since_warning}});
    warned_rest_failure = true;
    last_rest_failure_warning = now;
    rest_failures_since_warning = 0;
    return false;
  }

  // Hot path: a lookup by the frame's own symbol text, no key is built.
  Subscription* find(std::string_view v2_symbol) {
    const auto found = by_symbol.find(v2_symbol);
    return found == by_symbol.end() ? nullptr : found->second;
  }

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  const std::string rest_url;
  const std::string ws_url;
  const std::chrono::milliseconds silence_timeout;
  const std::chrono::milliseconds rest_poll_interval;  // 0: no REST fallback
  const std::uint8_t book_levels;                      // levels per side reported in each BookSnapshot
  const int book_depth;                                // levels per side subscribed
  const std::vector<Instrument> instruments;
  const Clock& clock;
  FeedListener* listener = nullptr;
  bool opened_before = false;  // a later on_open is a reconnect
  bool connected = false;
  bool stream_live = false;  // market data arrived on the current connection

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  asio::steady_timer retry;
  asio::steady_timer ping;
  asio::steady_timer send_timer;
  bool send_scheduled = false;
  Backoff backoff;
  RateLimiter pacer;  // outgoing WebSocket requests
  std::deque<std::string> outbox;
  std::uint64_t next_req_id = 1;
  std::map<std::uint64_t, std::string> recent_requests;
  KrakenParser parser;  // used on the io thread only
  std::size_t malformed_since_warning = 0;
  bool warned_malformed = false;
  std::chrono::steady_clock::time_point last_malformed_warning{};
  std::uint64_t rest_failures_since_warning = 0;
  bool warned_rest_failure = false;
  std::chrono::steady_clock::time_point last_rest_failure_warning{};
  std::unique_ptr<VenueRest> rest;
  std::unique_ptr<RestFallback> fallback;  // polls through `rest`
  std::unique_ptr<WebSocketClient> ws;
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  std::unordered_map<std::string, Subscription*, StringHash, std::equal_to<>> by_symbol;
  std::thread thread;
  std::promise<void> done;  // set when the io thread returns
  std::future<void> finished;
};

KrakenFeed::KrakenFeed(const config::FeedOptions& options, std::vector<Instrument> instruments,
                       const Clock& clock)
    : impl_(std::make_unique<Impl>(options, std::move(instruments), clock)) {}

KrakenFeed::~KrakenFeed() { stop(); }

Status KrakenFeed::start(FeedListener& listener) {
  if (impl_->thread.joinable()) return Status::Ok();
  if (Status s = WebSocketClient::validate_url(impl_->ws_url); !s.ok()) return s;
  impl_->listener = &listener;
  VenueRestOptions rest_options;
  rest_options.exchange = kExchange;
  rest_options.limit = kPublicRestLimit;
  impl_->rest = std::make_unique<VenueRest>(impl_->io, std::move(rest_options), listener);
  RestFallbackOptions fallback_options;  // grace: the default 5 s, or the interval if shorter
  fallback_options.interval = impl_->rest_poll_interval;
  impl_->fallback = std::make_unique<RestFallback>(
      impl_->io, fallback_options, [impl = impl_.get()](std::size_t index) { impl->poll(index); },
      [impl = impl_.get()] { return impl->rest->waiting(); });
  asio::post(impl_->io, [impl = impl_.get()] { impl->fetch_asset_pairs(); });
  impl_->finished = impl_->done.get_future();
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->io.run();
    impl->done.set_value();
  });
  return Status::Ok();
}

void KrakenFeed::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->rest->stop();
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->retry.cancel();
    impl->ping.cancel();
    impl->send_timer.cancel();
    for (auto& sub : impl->subscriptions) sub->resync_timer.cancel();
    impl->fallback->stop();  // before the stream's last on_close, which would start the grace timer
    if (impl->ws) impl->ws->stop();
    impl->guard.reset();
  });
  // The client's coroutines finish once their sockets close; bound the wait so stop stays prompt.
  if (impl_->finished.wait_for(std::chrono::seconds(2)) != std::future_status::ready) impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tickguard::feeds::kraken
