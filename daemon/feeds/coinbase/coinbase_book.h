// Keeping one product's level2 book in sync from Coinbase snapshot + l2update messages, and
// the per-product decisions that trigger a resync: numbers skipped on the sequenced channels
// (matches, ticker, heartbeat) and when to ask the venue for a fresh book.
#pragma once

#include <chrono>
#include <cstdint>

#include "feeds/coinbase/coinbase_parse.h"
#include "feeds/common/order_book.h"
#include "tickguard/event.h"

namespace tickguard::feeds::coinbase {

enum class BookStatus : std::uint8_t {
  kApplied,        // the book is in sync and reflects the message
  kNeedsSnapshot,  // an l2update arrived before any snapshot (or after a resync): dropped
  kNeedsResync,    // the book became crossed or a level was invalid: it is cleared, resubscribe
};

// One product's book. Coinbase's level2 l2update carries no sequence numbers: the venue
// guarantees delivery on the connection, so consistency is checked by the book not crossing.
class CoinbaseBookSync {
 public:
  explicit CoinbaseBookSync(std::size_t max_levels_per_side = 1000);

  // Applies a kSnapshot (replaces the book) or kL2Update (changes levels; size 0 removes).
  // Other kinds are ignored and return the current state.
  BookStatus apply(const WsMessage& message);
  BookStatus apply_snapshot(const BookMessage& snapshot);
  BookStatus apply_update(const BookMessage& update);

  // Forgets the book: the next l2update needs a snapshot first.
  void reset();

  bool synced() const { return synced_; }
  const OrderBook& book() const { return book_; }
  // Time of the last applied l2update (snapshots carry none).
  Timestamp last_update_time() const { return last_update_time_; }
  // Copies the top of book and the last update time into `out`.
  void fill(BookSnapshot& out) const;

  std::uint64_t snapshots() const { return snapshots_; }
  std::uint64_t updates() const { return updates_; }
  std::uint64_t resyncs() const { return resyncs_; }

 private:
  BookStatus apply_levels(const BookMessage& message);
  BookStatus resync();

  OrderBook book_;
  Timestamp last_update_time_{};
  bool synced_ = false;
  std::uint64_t snapshots_ = 0;
  std::uint64_t updates_ = 0;
  std::uint64_t resyncs_ = 0;
};

enum class SequenceVerdict : std::uint8_t {
  kFirst,    // first number seen since the last reset: accepted, nothing to compare
  kInOrder,  // accepted
  kGap,      // accepted, but numbers were skipped (counted in gaps() / missed())
  kStale,    // equal to or below the last accepted number: duplicate or out of order, drop it
};

// One product's mark on one increasing number, held by the product's subscription (no lookup, no
// allocation). Use one mark per channel: a ticker repeats the sequence of the match it reports.
//
// Policy: Coinbase's `sequence` counts every order event of the product (the full channel), so on
// the matches/ticker/heartbeat channels it jumps by more than 1 routinely; only `trade_id` is
// contiguous per product. kContiguous reports any jump > 1 as a gap (use it for trade_id);
// kMonotonic only drops stale numbers (use it for `sequence`).
class SequenceMark {
 public:
  enum class Policy : std::uint8_t { kContiguous, kMonotonic };

  explicit SequenceMark(Policy policy = Policy::kContiguous) : policy_(policy) {}

  // Records `number` and classifies it; stale numbers do not move the mark.
  SequenceVerdict observe(std::uint64_t number);
  // A number the venue says was reached (a heartbeat's last_trade_id): kGap when it is beyond the
  // mark under kContiguous (those numbers were never received; the mark moves to it, so the gap is
  // reported once), kInOrder when it is not. kFirst, without moving the mark, before any observe():
  // a heartbeat alone must not seed the mark that the first match is compared with.
  SequenceVerdict catch_up(std::uint64_t number);
  // Forgets the mark (after a reconnect) so the next number is kFirst. Counters are kept.
  void reset() { started_ = false; }

  bool started() const { return started_; }
  std::uint64_t last() const { return last_; }
  std::uint64_t gaps() const { return gaps_; }      // gap events
  std::uint64_t missed() const { return missed_; }  // numbers skipped over all gaps
  std::uint64_t stale() const { return stale_; }    // dropped duplicates / out-of-order

 private:
  Policy policy_;
  bool started_ = false;
  std::uint64_t last_ = 0;
  std::uint64_t gaps_ = 0;
  std::uint64_t missed_ = 0;
  std::uint64_t stale_ = 0;
};

// Decides when to ask the venue for a fresh book of one product (unsubscribe + subscribe its
// level2 channel): once per fault episode, so faults arriving while the request is in flight do
// not repeat it, and again when no snapshot came within `timeout` (a lost or rejected request).
class ResyncRequest {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ResyncRequest(Clock::duration timeout) : timeout_(timeout) {}

  // The book needs a fresh snapshot: true when a request should be sent now (none pending, or
  // the pending one is older than the timeout); the request is then pending from `now`.
  bool request(Clock::time_point now);
  // Periodic check: true when a pending request is overdue and must be sent again (restarts it).
  bool overdue(Clock::time_point now);
  // A snapshot arrived: true if it answered a pending request (the resync is complete).
  bool complete();
  // Forgets any pending request (after a reconnect the full subscription asks for every book).
  void reset() { pending_ = false; }
  bool pending() const { return pending_; }

 private:
  Clock::duration timeout_;
  Clock::time_point since_{};
  bool pending_ = false;
};

}  // namespace tickguard::feeds::coinbase
