// RestFallback: keeps prices flowing over REST while a venue's WebSocket is down. Once the stream
// has been down for `grace` (at most `interval`), every `interval` it asks the connector to poll each
// subscribed symbol (the connector issues its ticker and recent-trades requests through VenueRest, whose
// token bucket staggers them); when the stream is back, polling stops. Everything on the io thread.
//
// LastTradeTime helps a connector emit each REST trade once: it keeps the exchange time of the
// newest trade seen per symbol (from either source), and REST trades at or before it are skipped.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>

#include "tickguard/clock.h"

namespace tickguard::feeds {

struct RestFallbackOptions {
  std::chrono::milliseconds interval{5000};  // zero: never poll
  // A reconnect faster than this needs no polling; the grace never exceeds the interval.
  std::chrono::milliseconds grace{5000};
};

class RestFallback {
 public:
  // `poll(index)` polls subscription number `index`; called for 0..count-1 on every round.
  // `pending()` is the number of REST requests still queued (VenueRest::waiting): a round starts
  // only when the previous one has drained, so a slow venue budget never builds a backlog.
  using Poll = std::function<void(std::size_t index)>;
  using Pending = std::function<std::size_t()>;
  RestFallback(boost::asio::io_context& io, RestFallbackOptions options, Poll poll, Pending pending);

  // The number of subscriptions to poll (set once the symbols are known).
  void set_count(std::size_t count) { count_ = count; }
  // The stream went down: start polling after the grace period (if not already).
  void stream_down();
  // The stream is up again: stop polling.
  void stream_up();
  // Stops for good (feed stop). io thread.
  void stop();
  bool polling() const { return polling_; }
  std::size_t rounds() const { return rounds_; }
  std::size_t skipped_rounds() const { return skipped_; }

 private:
  void schedule(std::chrono::milliseconds delay);
  void round();

  RestFallbackOptions options_;
  Poll poll_;
  Pending pending_;
  boost::asio::steady_timer timer_;
  std::size_t count_ = 0;
  std::size_t rounds_ = 0;
  std::size_t skipped_ = 0;
  bool down_ = false;
  bool polling_ = false;
  bool stopped_ = false;
};

// Per-symbol newest trade time, for de-duplicating REST trades against the stream.
class LastTradeTime {
 public:
  // A trade of this symbol was emitted (any source).
  void seen(Timestamp time) {
    if (time > last_) last_ = time;
  }
  // Whether a REST trade at `time` is new, i.e. later than every trade emitted so far. A REST
  // trade in the same millisecond as the last streamed one is skipped (it may be that trade).
  bool is_new(Timestamp time) const { return time > last_; }

 private:
  Timestamp last_{};
};

}  // namespace tickguard::feeds
