// Keeps one Bybit v5 spot order book (orderbook.{depth}.{symbol}) in sync from snapshots and
// deltas, following Bybit's documented rules: a snapshot replaces the book; a message with u == 1
// (sent after a Bybit service restart) also replaces it; deltas carry consecutive update ids `u`;
// a size of "0" deletes the level. Anything else means the local book can no longer be trusted.
#pragma once

#include <cstddef>
#include <cstdint>

#include "feeds/bybit/bybit_parse.h"
#include "feeds/common/order_book.h"
#include "tickguard/event.h"

namespace tickguard::feeds::bybit {

enum class BookSyncResult : std::uint8_t {
  kApplied,             // delta applied; book is current
  kReset,               // snapshot (or u == 1 restart message) replaced the book
  kStale,               // delta with u <= last applied u: already reflected, ignored
  kNeedsSnapshot,       // delta while not synced (before the first snapshot or after a failure)
  kGapNeedsResync,      // delta skipped update ids; book discarded
  kCrossedNeedsResync,  // best bid >= best ask after applying; book discarded
};
std::string_view to_string(BookSyncResult result);

// True for the results after which the feed must obtain a fresh snapshot (for Bybit: unsubscribe
// and subscribe the orderbook topic again; the venue then pushes a snapshot).
inline bool needs_resync(BookSyncResult r) {
  return r == BookSyncResult::kNeedsSnapshot || r == BookSyncResult::kGapNeedsResync ||
         r == BookSyncResult::kCrossedNeedsResync;
}

// What the feed does with one orderbook message, from its sync result and whether the book was
// already waiting for a fresh snapshot (just subscribed, or being resynchronized).
enum class BookAction : std::uint8_t {
  kPublish,  // the book is current: publish its top
  kDrop,     // discarded and counted: a stale delta, or a delta while the snapshot is on its way
  kResync,   // the book cannot be trusted: discard the message, resubscribe the book topic
};
BookAction book_action(BookSyncResult result, bool awaiting_snapshot);

class BybitBookSync {
 public:
  explicit BybitBookSync(std::size_t max_levels_per_side = 1000);

  // Applies one parsed orderbook message (WebSocket, or a REST /v5/market/orderbook snapshot).
  BookSyncResult apply(const BookUpdate& update);
  // Forgets the book; the next delta yields kNeedsSnapshot until a snapshot arrives.
  void reset();

  bool synced() const { return synced_; }
  std::uint64_t last_update_id() const { return last_update_id_; }
  std::uint64_t last_sequence() const { return last_sequence_; }
  Timestamp last_exchange_time() const { return last_exchange_time_; }
  const OrderBook& book() const { return book_; }

  // Fills top-of-book levels, exchange time and sequence (= last u) of `out`; instrument and
  // receive_time are the caller's. Returns false (out untouched) when not synced.
  bool fill(BookSnapshot& out) const;

 private:
  void apply_levels(const BookUpdate& update);
  BookSyncResult fail(BookSyncResult why);

  OrderBook book_;
  bool synced_ = false;
  std::uint64_t last_update_id_ = 0;
  std::uint64_t last_sequence_ = 0;
  Timestamp last_exchange_time_{};
};

}  // namespace tickguard::feeds::bybit
