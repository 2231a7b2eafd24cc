#include "feeds/bybit/bybit_book.h"

namespace tickguard::feeds::bybit {

std::string_view to_string(BookSyncResult result) {
  switch (result) {
    case BookSyncResult::kApplied:
      return "applied";
    case BookSyncResult::kReset:
      return "reset";
    case BookSyncResult::kStale:
      return "stale";
    case BookSyncResult::kNeedsSnapshot:
      return "needs snapshot";
    case BookSyncResult::kGapNeedsResync:
      return "gap, needs resync";
    case BookSyncResult::kCrossedNeedsResync:
      return "crossed, needs resync";
  }
  return "unknown";
}

BookAction book_action(BookSyncResult result, bool awaiting_snapshot) {
  switch (result) {
    case BookSyncResult::kApplied:
    case BookSyncResult::kReset:
      return BookAction::kPublish;
    case BookSyncResult::kStale:
      return BookAction::kDrop;
    case BookSyncResult::kNeedsSnapshot:
      // Expected between a (re)subscription and its snapshot; otherwise the book was lost unasked.
      return awaiting_snapshot ? BookAction::kDrop : BookAction::kResync;
    case BookSyncResult::kGapNeedsResync:
    case BookSyncResult::kCrossedNeedsResync:
      return BookAction::kResync;
  }
  return BookAction::kResync;
}

BybitBookSync::BybitBookSync(std::size_t max_levels_per_side) : book_(max_levels_per_side) {}

void BybitBookSync::reset() {
  book_.clear();
  synced_ = false;
  last_update_id_ = 0;
  last_sequence_ = 0;
}

BookSyncResult BybitBookSync::fail(BookSyncResult why) {
  reset();
  return why;
}

void BybitBookSync::apply_levels(const BookUpdate& update) {
  for (const BookLevel& level : update.bids) book_.update(BookSide::kBid, level.price, level.size);
  for (const BookLevel& level : update.asks) book_.update(BookSide::kAsk, level.price, level.size);
  last_update_id_ = update.update_id;
  last_sequence_ = update.sequence;
  last_exchange_time_ = update.exchange_time;
}

BookSyncResult BybitBookSync::apply(const BookUpdate& update) {
  // Bybit: "u" == 1 marks data re-sent after a service restart; it replaces the local book even
  // when it arrives as a delta.
  if (update.snapshot || update.update_id == 1) {
    book_.clear();
    apply_levels(update);
    synced_ = true;
    return book_.crossed() ? fail(BookSyncResult::kCrossedNeedsResync) : BookSyncResult::kReset;
  }
  if (!synced_) return BookSyncResult::kNeedsSnapshot;
  if (update.update_id <= last_update_id_) return BookSyncResult::kStale;
  if (update.update_id != last_update_id_ + 1) return fail(BookSyncResult::kGapNeedsResync);
  apply_levels(update);
  return book_.crossed() ? fail(BookSyncResult::kCrossedNeedsResync) : BookSyncResult::kApplied;
}

bool BybitBookSync::fill(BookSnapshot& out) const {
  if (!synced_) return false;
  book_.fill_top(out);
  out.exchange_time = last_exchange_time_;
  out.sequence = last_update_id_;
  return true;
}

}  // namespace tickguard::feeds::bybit
