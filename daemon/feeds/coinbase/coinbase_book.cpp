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
}

void CoinbaseBookSync::fill(BookSnapshot& out) const {
  book_.fill_top(out);
  out.exchange_time = last_update_time_;
  out.sequence = 0;  // level2 has no sequence numbers
}

SequenceVerdict SequenceTracker::observe(std::string_view product_id, std::uint64_t number) {
  auto it = last_.find(product_id);
  if (it == last_.end()) {
    last_.emplace(std::string(product_id), number);
    return SequenceVerdict::kFirst;
  }
  const std::uint64_t last = it->second;
  if (number <= last) {
    ++stale_;
    return SequenceVerdict::kStale;
  }
  it->second = number;
  if (policy_ == Policy::kContiguous && number > last + 1) {
    ++gaps_;
    missed_ += number - last - 1;
    return SequenceVerdict::kGap;
  }
  return SequenceVerdict::kInOrder;
}

void SequenceTracker::reset(std::string_view product_id) {
  if (auto it = last_.find(product_id); it != last_.end()) last_.erase(it);
}

}  // namespace tickguard::feeds::coinbase
