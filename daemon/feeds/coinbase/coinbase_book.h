// Keeping one product's level2 book in sync from Coinbase snapshot + l2update messages, and
// per-product sequence tracking for the sequenced channels (matches, ticker, heartbeat).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

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
  kFirst,    // first number seen for the product: accepted, nothing to compare
  kInOrder,  // accepted
  kGap,      // accepted, but numbers were skipped (counted in gaps() / missed())
  kStale,    // equal to or below the last accepted number: duplicate or out of order, drop it
};

// Per-product tracking of one increasing number. Use one tracker per channel: a ticker repeats the
// sequence of the match it reports, so sharing a tracker would drop it as a duplicate.
//
// Policy: Coinbase's `sequence` counts every order event of the product (the full channel), so on
// the matches/ticker/heartbeat channels it jumps by more than 1 routinely; only `trade_id` is
// contiguous per product. kContiguous reports any jump > 1 as a gap (use it for trade_id);
// kMonotonic only drops stale numbers (use it for `sequence`).
class SequenceTracker {
 public:
  enum class Policy : std::uint8_t { kContiguous, kMonotonic };

  explicit SequenceTracker(Policy policy = Policy::kContiguous) : policy_(policy) {}

  // Records `number` for `product_id` and classifies it; stale numbers do not move the mark.
  SequenceVerdict observe(std::string_view product_id, std::uint64_t number);
  // Forgets one product (after a resubscribe) so its next number is kFirst.
  void reset(std::string_view product_id);
  void reset_all() { last_.clear(); }

  std::uint64_t gaps() const { return gaps_; }      // gap events
  std::uint64_t missed() const { return missed_; }  // numbers skipped over all gaps
  std::uint64_t stale() const { return stale_; }    // dropped duplicates / out-of-order

 private:
  Policy policy_;
  std::map<std::string, std::uint64_t, std::less<>> last_;
  std::uint64_t gaps_ = 0;
  std::uint64_t missed_ = 0;
  std::uint64_t stale_ = 0;
};

}  // namespace tickguard::feeds::coinbase
