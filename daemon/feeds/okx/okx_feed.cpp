#include "feeds/okx/okx_feed.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <thread>

#include "core/log.h"
#include "feeds/common/backoff.h"
#include "feeds/common/rest_fallback.h"
#include "feeds/common/venue_rest.h"
#include "feeds/common/websocket_client.h"
#include "feeds/okx/okx_book.h"
#include "feeds/okx/okx_parse.h"
#include "feeds/okx/okx_symbols.h"

namespace tickguard::feeds::okx {

namespace asio = boost::asio;

namespace {

constexpr const char* kExchange = "okx";
constexpr auto kPingInterval = std::chrono::seconds(20);  // OKX drops connections idle for 30 s
// Public REST endpoints allow 20 requests per 2 s per IP.
constexpr RateLimit kRestLimit{20, 10};
// A subscribe request may be at most 64 KB; 30 instruments × 3 channels stay far below that.
constexpr std::size_t kInstrumentsPerSubscribe = 30;

// One subscribed instrument: its pipeline id, OKX instId and book.
struct Subscription {
  InstrumentId id = 0;
  std::string symbol;
  std::string inst_id;
  OkxBookSync book;
  LastTradeTime last_trade;  // newest trade emitted, so REST polling emits each trade once
};

std::string subscribe_message(const char* op, const std::vector<const Subscription*>& subs,
                              const std::vector<const char*>& channels) {
  std::string out = std::string(R"({"op":")") + op + R"(","args":[)";
  bool first = true;
  for (const auto* sub : subs) {
    for (const char* channel : channels) {
      out += first ? "" : ",";
      first = false;
      out += std::string(R"({"channel":")") + channel + R"(","instId":")" + sub->inst_id + R"("})";
    }
  }
  return out + "]}";
}

}  // namespace

struct OkxFeed::Impl final : WebSocketHandler {
  Impl(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock)
      : rest_url(options.rest_url.empty() ? kDefaultRestUrl : options.rest_url),
        ws_url(options.ws_url.empty() ? kDefaultWsUrl : options.ws_url),
        silence_timeout(options.silence_timeout),
        book_depth(static_cast<std::uint8_t>(options.book_depth)),
        rest_poll_interval(options.rest_poll_interval),
        instruments(std::move(instruments)),
        clock(clock),
        guard(asio::make_work_guard(io)),
        ping(io) {}

  // ---- Start-up: instrument metadata, then the stream ----

  void fetch_instruments() {
    rest->get("instruments", rest_url + "/api/v5/public/instruments?instType=SPOT", 1,
              [this](const HttpResponse& response) { on_instruments(response); });
  }

  void on_instruments(const HttpResponse& response) {
    std::vector<OkxInstrument> parsed;
    const InstrumentsStatus status = parser.parse_instruments(response.body, parsed);
    if (!status.ok) {
      listener->on_error(kExchange, "parse");
      const auto delay = backoff.next();
      log::error("okx: cannot read instrument metadata, retrying",
                 {{"url", rest_url},
                  {"err", status.error},
                  {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
      ping.expires_after(delay);
      ping.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) fetch_instruments();
      });
      return;
    }
    backoff.reset();
    OkxSymbolMap map;
    map.add(parsed);
    for (const auto& instrument : instruments) {
      const SymbolLookup native = map.to_native(instrument.symbol);
      if (!native.ok()) {
        log::error(
            "okx: unknown symbol, not subscribed",
            {{"feed", kExchange}, {"symbol", instrument.symbol}, {"hint", "not an OKX spot instrument"}});
        continue;
      }
      auto sub = std::make_unique<Subscription>();
      sub->id = instrument.id;
      sub->symbol = instrument.symbol;
      sub->inst_id = std::string(native.value);
      subscriptions.push_back(std::move(sub));
    }
    fallback = std::make_unique<RestFallback>(
        io, RestFallbackOptions{.interval = rest_poll_interval, .grace = std::chrono::milliseconds(5000)},
        [this](std::size_t index) { poll(*subscriptions[index]); }, [this] { return rest->waiting(); });
    fallback->set_count(subscriptions.size());
    WebSocketOptions ws_options;
    ws_options.url = ws_url;
    ws_options.silence_timeout = silence_timeout;
    ws = std::make_unique<WebSocketClient>(io, ws_options, *this, clock);
    ws->start();
    schedule_ping();
  }

  void schedule_ping() {
    ping.expires_after(kPingInterval);
    ping.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      ws->send("ping");
      schedule_ping();
    });
  }

  // ---- REST fallback while the stream is down ----

  void poll(Subscription& sub) {
    rest->get_once(
        "ticker", rest_url + "/api/v5/market/ticker?instId=" + sub.inst_id, 1,
        [this, &sub](const HttpResponse& response) { on_rest_market(sub, response, FrameKind::kTickers); });
    rest->get_once(
        "trades", rest_url + "/api/v5/market/trades?instId=" + sub.inst_id + "&limit=100", 1,
        [this, &sub](const HttpResponse& response) { on_rest_market(sub, response, FrameKind::kTrades); });
  }

  void on_rest_market(Subscription& sub, const HttpResponse& response, FrameKind kind) {
    if (!fallback->polling()) return;  // the stream is back: it is the better source
    const OkxFrame& frame = parser.parse_rest(response.body, kind);
    if (frame.kind != kind) {
      listener->on_error(kExchange, frame.kind == FrameKind::kVenueError ? "venue" : "parse");
      log::warn("okx: unusable REST market data",
                {{"symbol", sub.symbol}, {"err", frame.error}, {"code", frame.venue_code}});
      return;
    }
    const Timestamp now = clock.now();
    for (const OkxTicker& t : frame.tickers) {
      Ticker ticker = t.ticker;
      ticker.instrument = sub.id;
      ticker.receive_time = now;
      listener->on_event(ticker);
    }
    // Newest first in the answer: emit oldest first, each trade once.
    for (auto it = frame.trades.rbegin(); it != frame.trades.rend(); ++it) {
      if (!sub.last_trade.is_new(it->exchange_time)) continue;
      Trade trade = *it;
      trade.instrument = sub.id;
      trade.receive_time = now;
      sub.last_trade.seen(trade.exchange_time);
      listener->on_event(trade);
    }
  }

  // ---- WebSocketHandler ----

  void on_open() override {
    if (opened_before) listener->on_reconnect(kExchange);
    opened_before = true;
    log::info("okx: connected",
              {{"url", ws_url}, {"instruments", static_cast<std::uint64_t>(subscriptions.size())}});
    listener->on_connection_state(kExchange, true);
    std::vector<const Subscription*> chunk;
    for (const auto& sub : subscriptions) {
      chunk.push_back(sub.get());
      if (chunk.size() == kInstrumentsPerSubscribe || sub == subscriptions.back()) {
        ws->send(subscribe_message("subscribe", chunk, {"trades", "tickers", "books"}));
        chunk.clear();
      }
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
    const OkxFrame& frame = parser.parse(text);
    Subscription* sub = find(frame.inst_id);
    switch (frame.kind) {
      case FrameKind::kTrades:
        if (sub == nullptr) return true;
        for (Trade trade : frame.trades) {
          trade.instrument = sub->id;
          trade.receive_time = receive_time;
          sub->last_trade.seen(trade.exchange_time);
          listener->on_event(trade);
        }
        return true;
      case FrameKind::kTickers:
        if (sub == nullptr) return true;
        for (const OkxTicker& t : frame.tickers) {
          Ticker ticker = t.ticker;
          ticker.instrument = sub->id;
          ticker.receive_time = receive_time;
          listener->on_event(ticker);
        }
        return true;
      case FrameKind::kBook:
        if (sub != nullptr) on_book(*sub, frame.book, receive_time);
        return true;
      case FrameKind::kVenueError:
        listener->on_error(kExchange, "venue");
        log::error("okx: venue error", {{"code", frame.venue_code}, {"msg", frame.venue_message}});
        return false;
      case FrameKind::kMalformed:
        listener->on_error(kExchange, "parse");
        listener->on_dropped_message(kExchange);
        log::warn("okx: malformed message dropped", {{"err", frame.error}});
        return false;
      case FrameKind::kPong:
      case FrameKind::kEvent:
      case FrameKind::kIgnored:
        return false;
    }
    return false;
  }

  void on_book(Subscription& sub, const OkxBookMessage& message, Timestamp receive_time) {
    const BookSyncResult result = sub.book.apply(message);
    if (needs_resync(result)) {
      if (result == BookSyncResult::kGapNeedsResync) listener->on_sequence_gap(sub.id);
      if (result == BookSyncResult::kChecksumMismatchNeedsResync) listener->on_checksum_failure(sub.id);
      log::warn("okx: book out of sync, resubscribing",
                {{"symbol", sub.symbol},
                 {"reason", result == BookSyncResult::kGapNeedsResync       ? "sequence gap"
                            : result == BookSyncResult::kCrossedNeedsResync ? "crossed book"
                                                                            : "checksum mismatch"}});
      sub.book.reset();
      ws->send(subscribe_message("unsubscribe", {&sub}, {"books"}));
      ws->send(subscribe_message("subscribe", {&sub}, {"books"}));
      return;
    }
    if (result == BookSyncResult::kNotSynced) {  // an update before the fresh snapshot arrived
      listener->on_dropped_message(kExchange);
      return;
    }
    BookSnapshot snapshot;
    sub.book.fill_snapshot(snapshot);
    snapshot.bid_count = std::min(snapshot.bid_count, book_depth);
    snapshot.ask_count = std::min(snapshot.ask_count, book_depth);
    snapshot.instrument = sub.id;
    snapshot.receive_time = receive_time;
    listener->on_event(snapshot);
  }

  void on_close(std::string_view reason) override {
    if (const std::string_view kind = close_error_kind(reason); !kind.empty())
      listener->on_error(kExchange, kind);
    log::warn("okx: disconnected, reconnecting", {{"reason", reason}});
    listener->on_connection_state(kExchange, false);
    for (auto& sub : subscriptions) sub->book.reset();
    streaming = false;
    fallback->stream_down();
  }

  Subscription* find(std::string_view inst_id) {
    for (auto& sub : subscriptions) {
      if (sub->inst_id == inst_id) return sub.get();
    }
    return nullptr;
  }

  const std::string rest_url;
  const std::string ws_url;
  const std::chrono::milliseconds silence_timeout;
  const std::uint8_t book_depth;
  const std::chrono::milliseconds rest_poll_interval;
  const std::vector<Instrument> instruments;
  const Clock& clock;
  FeedListener* listener = nullptr;
  bool opened_before = false;  // a later on_open is a reconnect

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  asio::steady_timer ping;  // venue pings; before the stream starts, metadata retries
  Backoff backoff;
  OkxParser parser;  // used on the io thread only
  std::unique_ptr<VenueRest> rest;
  std::unique_ptr<RestFallback> fallback;  // created with the subscriptions
  bool streaming = false;                  // market data arrived on the current connection
  std::unique_ptr<WebSocketClient> ws;
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  std::thread thread;
  std::promise<void> done;  // set when the io thread returns
  std::future<void> finished;
};

OkxFeed::OkxFeed(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock)
    : impl_(std::make_unique<Impl>(options, std::move(instruments), clock)) {}

OkxFeed::~OkxFeed() { stop(); }

Status OkxFeed::start(FeedListener& listener) {
  if (Status s = WebSocketClient::validate_url(impl_->ws_url); !s.ok()) return s;
  impl_->listener = &listener;
  VenueRestOptions rest_options;
  rest_options.exchange = kExchange;
  rest_options.limit = kRestLimit;
  impl_->rest = std::make_unique<VenueRest>(impl_->io, rest_options, listener);
  asio::post(impl_->io, [impl = impl_.get()] { impl->fetch_instruments(); });
  impl_->finished = impl_->done.get_future();
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->io.run();
    impl->done.set_value();
  });
  return Status::Ok();
}

void OkxFeed::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->rest->stop();
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->ping.cancel();
    if (impl->fallback) impl->fallback->stop();
    if (impl->ws) impl->ws->stop();
    impl->guard.reset();
  });
  // The client's coroutines finish once their sockets close; bound the wait so stop stays prompt.
  if (impl_->finished.wait_for(std::chrono::seconds(2)) != std::future_status::ready) impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tickguard::feeds::okx
