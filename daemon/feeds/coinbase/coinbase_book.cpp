#include "feeds/coinbase/coinbase_book.h"

namespace tickguard::feeds::coinbase {

CoinbaseBookSync::CoinbaseBookSync(std::size_t max_levels_per_side) : book_(max_levels_per_side) {}

BookStatus CoinbaseBookSync::apply(const WsMessage& message) {
  if (message.kind == MessageKind::kSnapshot) return apply_snapshot(message.book);
  if (message.kind == MessageKind::kL2Update) return apply_update(message.book);
  return synced_ ? BookStatus::kApplied : BookStatus::kNeedsSnapshot;
}

BookStatus CoinbaseBookSync::apply_snapshot(const BookMessage& snapshot) {
  book_.clear();
  synced_ = true;
  ++snapshots_;
  return apply_levels(snapshot);
}

BookStatus CoinbaseBookSync::apply_update(const BookMessage& update) {
  if (!synced_) return BookStatus::kNeedsSnapshot;
  ++updates_;
  if (update.has_time) last_update_time_ = update.time;
  return apply_levels(update);
}

BookStatus CoinbaseBookSync::apply_levels(const BookMessage& message) {
  for (const LevelChange& level : message.levels) {
    // OrderBook silently ignores such values; here they mean our copy can no longer be trusted.
    if (!(level.price > 0) || !(level.size >= 0)) return resync();
    book_.update(level.side, level.price, level.size, level.price_text, level.size_text);
  }
  // Check after the whole message: changes within one message are applied together.
  if (book_.crossed()) return resync();
  return BookStatus::kApplied;
}

BookStatus CoinbaseBookSync::resync() {
  ++resyncs_;
  reset();
  return BookStatus::kNeedsResync;
}

void CoinbaseBookSync::reset() {
  book_.clear();
  synced_ = false;
  last_update_time_ = {};
}

void CoinbaseBookSync::fill(BookSnapshot& out) const {
  book_.fill_top(out);
  out.exchange_time = last_update_time_;
  out.sequence = 0;  // level2 has no sequence numbers
}

SequenceVerdict SequenceMark::observe(std::uint64_t number) {
  if (!started_) {
    started_ = true;
    last_ = number;
    return SequenceVerdict::kFirst;
  }
  if (number <= last_) {
    ++stale_;
    return SequenceVerdict::kStale;
  }
  const std::uint64_t last = last_;
  last_ = number;
  if (policy_ == Policy::kContiguous && number > last + 1) {
    ++gaps_;
    missed_ += number - last - 1;
    return SequenceVerdict::kGap;
  }
  return SequenceVerdict::kInOrder;
}

SequenceVerdict SequenceMark::catch_up(std::uint64_t number) {
  if (!started_) return SequenceVerdict::kFirst;
  if (number <= last_) return SequenceVerdict::kInOrder;
  const std::uint64_t skipped = number - last_;  // last_ + 1 .. number were never received
  last_ = number;
  if (policy_ == Policy::kMonotonic) return SequenceVerdict::kInOrder;
  ++gaps_;
  missed_ += skipped;
  return SequenceVerdict::kGap;
}

bool ResyncRequest::request(Clock::time_point now) {
  if (pending_ && now - since_ < timeout_) return false;
  pending_ = true;
  since_ = now;
  return true;
}

bool ResyncRequest::overdue(Clock::time_point now) { return pending_ && request(now); }

bool ResyncRequest::complete() {
  const bool was_pending = pending_;
  pending_ = false;
  return was_pending;
}

}  // namespace tickguard::feeds::coinbase
