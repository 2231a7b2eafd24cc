// Keeps one symbol's order book in sync with Binance spot by the documented procedure: buffer
// diff-depth events, apply a REST snapshot, replay the buffered events that follow it, then apply each
// live event only if its update ids continue the previous one. Pure state machine: the connector
// fetches snapshots when a result says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "feeds/binance/binance_parse.h"
#include "feeds/common/order_book.h"
#include "tickguard/event.h"

namespace tickguard::feeds::binance {

struct BookSyncOptions {
  std::size_t max_levels_per_side = 1000;   // OrderBook capacity; match the snapshot `limit` requested
  std::size_t max_buffered_events = 1000;   // diff events held while no snapshot is applied
  std::size_t max_buffered_levels = 50000;  // price levels held across those events
};

enum class SyncResult : std::uint8_t {
  kApplied,                    // the book changed and is in sync
  kBuffered,                   // no snapshot applied yet: the event is kept for replay
  kStaleDropped,               // the event ends at or before the book's update id: ignored
  kSnapshotTooOld,             // snapshot ends before the buffered events start: fetch a newer one
  kGapNeedsResync,             // an update id was skipped: book cleared, fetch a snapshot
  kBufferOverflowNeedsResync,  // too many events waited for a snapshot: older ones dropped
  kCrossedNeedsResync,         // best bid >= best ask: book cleared, fetch a snapshot
};

// True when the connector must request a (new) REST snapshot.
inline bool needs_snapshot(SyncResult result) {
  return result == SyncResult::kSnapshotTooOld || result == SyncResult::kGapNeedsResync ||
         result == SyncResult::kBufferOverflowNeedsResync || result == SyncResult::kCrossedNeedsResync;
}

// What the connector does after a sync result. Binance resyncs one symbol by fetching a new REST
// snapshot; its diff stream keeps flowing (and is buffered) meanwhile, so nothing is resubscribed.
struct SyncAction {
  bool publish = false;         // the book changed and is in sync: emit its top levels
  bool fetch_snapshot = false;  // request a snapshot, unless one for the current buffer is on its way
  bool restart = false;         // the book was discarded: an in-flight snapshot no longer applies
  bool sequence_gap = false;    // an update id was skipped: report it (feed-integrity anomaly)
  bool crossed = false;         // best bid >= best ask after applying: report it
  bool dropped = false;         // buffered updates were discarded (too many waited for a snapshot)
};

SyncAction sync_action(SyncResult result);

// One symbol's book. The caller routes only this symbol's events here. Buffered events are copied, so
// the parser may be reused right after each call. Storage grows to its bounds once, then is reused.
class BinanceBookSync {
 public:
  explicit BinanceBookSync(BookSyncOptions options = {});

  // A diff-depth event. Before the first snapshot (or after a resync) it is buffered; once in sync it
  // is applied if U continues the book (the first one after the snapshot must satisfy
  // U <= lastUpdateId + 1 <= u, later ones U == previous u + 1). On a gap the book is reset and this
  // event starts a fresh buffer.
  SyncResult on_depth_update(const DepthUpdate& update);

  // A REST depth snapshot: replaces the book, drops buffered events with u <= lastUpdateId and replays
  // the rest. kApplied means in sync; kSnapshotTooOld keeps the buffer and waits for another snapshot.
  SyncResult on_snapshot(const DepthSnapshotMessage& snapshot);

  // Forgets the book and the buffer (e.g. after a reconnect).
  void reset();

  bool synced() const { return synced_; }
  std::uint64_t last_update_id() const { return last_update_id_; }  // meaningful when synced()
  Timestamp last_event_time() const { return last_event_time_; }    // E of the last applied event
  std::size_t buffered_events() const { return events_.size(); }
  const OrderBook& book() const { return book_; }

  // Top levels, sequence (last update id) and exchange time into `out`; instrument/receive time untouched.
  void fill_snapshot(BookSnapshot& out) const;

 private:
  struct BufferedEvent {
    std::uint64_t first_update_id = 0;
    std::uint64_t final_update_id = 0;
    Timestamp event_time{};
    std::size_t first_level = 0;  // index into levels_: bids, then asks
    std::size_t bid_count = 0;
    std::size_t ask_count = 0;
  };

  SyncResult buffer(const DepthUpdate& update);
  void apply_levels(BookSide side, std::span<const DepthLevel> levels);
  void apply_buffered(const BufferedEvent& event);
  // Marks the book applied through `event` and checks it is not crossed.
  SyncResult finish_apply(std::uint64_t final_update_id, Timestamp event_time);

  BookSyncOptions options_;
  OrderBook book_;
  bool synced_ = false;
  bool applied_since_snapshot_ = false;
  std::uint64_t last_update_id_ = 0;
  Timestamp last_event_time_{};
  std::vector<BufferedEvent> events_;
  std::vector<OrderBook::Level> levels_;
};

}  // namespace tickguard::feeds::binance
