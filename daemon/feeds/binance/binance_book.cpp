#include "feeds/binance/binance_book.h"

#include <algorithm>

namespace tickguard::feeds::binance {

SyncAction sync_action(SyncResult result) {
  SyncAction action;
  switch (result) {
    case SyncResult::kApplied:
      action.publish = true;
      break;
    case SyncResult::kBuffered:  // the first buffered event starts the sync (documented procedure)
    case SyncResult::kSnapshotTooOld:
      action.fetch_snapshot = true;
      break;
    case SyncResult::kStaleDropped:  // already contained in the book: nothing lost
      break;
    case SyncResult::kGapNeedsResync:
      action.fetch_snapshot = action.restart = action.sequence_gap = true;
      break;
    case SyncResult::kBufferOverflowNeedsResync:
      action.fetch_snapshot = action.dropped = true;
      break;
    case SyncResult::kCrossedNeedsResync:
      action.fetch_snapshot = action.restart = action.crossed = true;
      break;
  }
  return action;
}

BinanceBookSync::BinanceBookSync(BookSyncOptions options)
    : options_(options), book_(options.max_levels_per_side) {}

void BinanceBookSync::reset() {
  book_.clear();
  synced_ = false;
  applied_since_snapshot_ = false;
  last_update_id_ = 0;
  events_.clear();
  levels_.clear();
}

SyncResult BinanceBookSync::buffer(const DepthUpdate& update) {
  SyncResult result = SyncResult::kBuffered;
  if (!events_.empty()) {
    const std::uint64_t last = events_.back().final_update_id;
    if (update.final_update_id <= last) return SyncResult::kStaleDropped;
    // Keep the buffer one unbroken run of ids: older events before a hole can never be replayed
    // after a snapshot, which is always fetched later.
    if (update.first_update_id != last + 1) {
      events_.clear();
      levels_.clear();
    }
  }
  const std::size_t level_count = update.bids.size() + update.asks.size();
  if (events_.size() + 1 > options_.max_buffered_events ||
      levels_.size() + level_count > options_.max_buffered_levels) {
    events_.clear();
    levels_.clear();
    result = SyncResult::kBufferOverflowNeedsResync;
    if (level_count > options_.max_buffered_levels) return result;
  }
  BufferedEvent event{update.first_update_id, update.final_update_id, update.event_time,
                      levels_.size(),         update.bids.size(),     update.asks.size()};
  for (const auto* side : {&update.bids, &update.asks}) {
    for (const DepthLevel& level : *side) {
      levels_.push_back(OrderBook::Level{level.price, level.size, DecimalText(level.price_text),
                                         DecimalText(level.size_text)});
    }
  }
  events_.push_back(event);
  return result;
}

void BinanceBookSync::apply_levels(BookSide side, std::span<const DepthLevel> levels) {
  for (const DepthLevel& level : levels)
    book_.update(side, level.price, level.size, level.price_text, level.size_text);
}

void BinanceBookSync::apply_buffered(const BufferedEvent& event) {
  const auto apply = [this](BookSide side, std::size_t begin, std::size_t count) {
    for (std::size_t i = begin; i < begin + count; ++i) {
      const OrderBook::Level& level = levels_[i];
      book_.update(side, level.price, level.size, level.price_text.view(), level.size_text.view());
    }
  };
  apply(BookSide::kBid, event.first_level, event.bid_count);
  apply(BookSide::kAsk, event.first_level + event.bid_count, event.ask_count);
}

SyncResult BinanceBookSync::finish_apply(std::uint64_t final_update_id, Timestamp event_time) {
  last_update_id_ = final_update_id;
  last_event_time_ = event_time;
  applied_since_snapshot_ = true;
  if (book_.crossed()) {
    reset();
    return SyncResult::kCrossedNeedsResync;
  }
  return SyncResult::kApplied;
}

SyncResult BinanceBookSync::on_depth_update(const DepthUpdate& update) {
  if (!synced_) return buffer(update);
  if (update.final_update_id <= last_update_id_) return SyncResult::kStaleDropped;
  const std::uint64_t next = last_update_id_ + 1;
  const bool continues =
      applied_since_snapshot_ ? update.first_update_id == next : update.first_update_id <= next;
  if (!continues) {
    reset();
    buffer(update);
    return SyncResult::kGapNeedsResync;
  }
  apply_levels(BookSide::kBid, update.bids);
  apply_levels(BookSide::kAsk, update.asks);
  return finish_apply(update.final_update_id, update.event_time);
}

SyncResult BinanceBookSync::on_snapshot(const DepthSnapshotMessage& snapshot) {
  const std::uint64_t snapshot_id = snapshot.last_update_id;
  // Buffered events wholly covered by the snapshot are already in it.
  const auto first_useful =
      std::find_if(events_.begin(), events_.end(),
                   [snapshot_id](const BufferedEvent& e) { return e.final_update_id > snapshot_id; });
  if (first_useful != events_.end() && first_useful->first_update_id > snapshot_id + 1) {
    // Updates between the snapshot and the buffer were never seen: the snapshot is too old to use.
    events_.erase(events_.begin(), first_useful);
    return SyncResult::kSnapshotTooOld;
  }
  book_.clear();
  apply_levels(BookSide::kBid, snapshot.bids);
  apply_levels(BookSide::kAsk, snapshot.asks);
  synced_ = true;
  applied_since_snapshot_ = false;
  last_update_id_ = snapshot_id;
  SyncResult result = SyncResult::kApplied;
  for (auto it = first_useful; it != events_.end(); ++it) {
    apply_buffered(*it);
    last_update_id_ = it->final_update_id;
    last_event_time_ = it->event_time;
    applied_since_snapshot_ = true;
  }
  events_.clear();
  levels_.clear();
  if (book_.crossed()) {
    reset();
    result = SyncResult::kCrossedNeedsResync;
  }
  return result;
}

void BinanceBookSync::fill_snapshot(BookSnapshot& out) const {
  book_.fill_top(out);
  out.sequence = last_update_id_;
  out.exchange_time = last_event_time_;
}

}  // namespace tickguard::feeds::binance
