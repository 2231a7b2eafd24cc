// Feed: a source of normalized market events (the simulator, an exchange connector, a replay).
// Streaming feeds own their I/O threads: start() spawns them, stop() joins them.
#pragma once

#include <string_view>

#include "tickguard/event.h"
#include "tickguard/status.h"

namespace tickguard {

// Where a feed delivers. Called only from that feed's own threads; implementations never block.
class FeedListener {
 public:
  virtual ~FeedListener() = default;
  // One normalized event. The event is copied; the feed may reuse its buffers after the call.
  virtual void on_event(const MarketEvent& event) = 0;
  // True while events given earlier are still waiting to be processed (a queue more than half
  // full). A feed replaying history, such as the simulator's warm-up, waits for it to clear rather
  // than lose events; a live feed never waits: a full queue drops the event and counts it.
  virtual bool congested() const { return false; }
  // The feed's connection to `exchange` went up (true) or down (false).
  virtual void on_connection_state(std::string_view exchange, bool up) = 0;
  // Health reports, rare events only. `kind` of an error is a short fixed label such as "parse",
  // "http_status", "timeout", "tls", "connect", "rate_limited" or "venue".
  virtual void on_reconnect(std::string_view exchange) { (void)exchange; }
  virtual void on_error(std::string_view exchange, std::string_view kind) { (void)exchange, (void)kind; }
  // The book of `instrument` missed an update (sequence gap) or failed the venue checksum, and is
  // being resynchronized.
  virtual void on_sequence_gap(InstrumentId instrument) { (void)instrument; }
  virtual void on_checksum_failure(InstrumentId instrument) { (void)instrument; }
  // A message from `exchange` was received but discarded: malformed, or unusable (a book update
  // that arrived while its book resynchronizes).
  virtual void on_dropped_message(std::string_view exchange) { (void)exchange; }
  // A REST request to `endpoint` (a short fixed label such as "depth") finished with `code`: the
  // HTTP status, or the error kind ("timeout", "connect", ...) when there was no response.
  virtual void on_rest_request(std::string_view exchange, std::string_view endpoint, std::string_view code) {
    (void)exchange, (void)endpoint, (void)code;
  }
  // How much of the venue's REST rate limit is in use, in [0,1].
  virtual void on_rate_limit_usage(std::string_view exchange, double ratio) { (void)exchange, (void)ratio; }
};

class Feed {
 public:
  virtual ~Feed() = default;
  // Starts delivering events to `listener`, which must outlive the feed. Returns an error when the
  // feed cannot start at all (it must not crash, and must retry transient failures itself).
  virtual Status start(FeedListener& listener) = 0;
  // Stops delivery and joins the feed's threads. After it returns no callback is in progress.
  // Idempotent; safe to call without start().
  virtual void stop() = 0;
};

}  // namespace tickguard
