#include "feeds/okx/okx_book.h"

#include <algorithm>

#include "feeds/common/checksum.h"

namespace tickguard::feeds::okx {

OkxBookSync::OkxBookSync(OkxBookSyncOptions options) : book_(options.max_levels_per_side) {}

void OkxBookSync::reset() {
  book_.clear();
  synced_ = false;
  last_seq_id_ = OkxBookMessage::kNoSequence;
  exchange_time_ = {};
}

BookSyncResult OkxBookSync::fail(BookSyncResult result) {
  switch (result) {
    case BookSyncResult::kGapNeedsResync:
      ++counters_.gaps;
      break;
    case BookSyncResult::kChecksumMismatchNeedsResync:
      ++counters_.checksum_mismatches;
      break;
    case BookSyncResult::kCrossedNeedsResync:
      ++counters_.crossed;
      break;
    default:
      break;
  }
  reset();
  return result;
}

void OkxBookSync::apply_levels(const OkxBookMessage& message) {
  for (const OkxBookLevel& level : message.bids) {
    book_.update(BookSide::kBid, level.price, level.size, level.price_text, level.size_text);
  }
  for (const OkxBookLevel& level : message.asks) {
    book_.update(BookSide::kAsk, level.price, level.size, level.price_text, level.size_text);
  }
}

BookSyncResult OkxBookSync::apply(const OkxBookMessage& message) {
  if (message.snapshot) {
    ++counters_.snapshots;
    book_.clear();
    synced_ = true;
  } else {
    if (!synced_) {
      ++counters_.not_synced;
      return BookSyncResult::kNotSynced;
    }
    ++counters_.updates;
    // The chain is checked whenever both sides carry a seqId (the venue's older payloads carry none,
    // and then only the checksum guards the book). A message without changes repeats its prevSeqId
    // as seqId, which this rule accepts as well.
    const bool chained =
        message.seq_id != OkxBookMessage::kNoSequence && last_seq_id_ != OkxBookMessage::kNoSequence;
    if (chained && message.prev_seq_id != last_seq_id_) return fail(BookSyncResult::kGapNeedsResync);
  }
  apply_levels(message);
  last_seq_id_ = message.seq_id;
  exchange_time_ = message.exchange_time;
  if (book_.crossed()) return fail(BookSyncResult::kCrossedNeedsResync);

  // A zero checksum is what the venue sends when it has none to give (reported since mid-2026), so it
  // means "not provided", never "mismatch" (which would resync forever).
  if (!message.has_checksum || message.checksum == 0) {
    ++counters_.checksums_absent;
    return BookSyncResult::kChecksumAbsent;
  }
  const Checksum ours = compute_checksum(book_);
  if (!ours.valid) {
    ++counters_.checksums_unverifiable;
    return BookSyncResult::kChecksumUnverifiable;
  }
  if (ours.value != message.checksum) return fail(BookSyncResult::kChecksumMismatchNeedsResync);
  ++counters_.checksums_verified;
  return BookSyncResult::kApplied;
}

OkxBookSync::Checksum OkxBookSync::compute_checksum(const OrderBook& book) {
  const auto bids = book.bids();
  const auto asks = book.asks();
  const std::size_t depth = std::min(kChecksumDepth, std::max(bids.size(), asks.size()));
  std::uint32_t crc = 0;
  bool first = true;
  // Feeds the CRC piece by piece, exactly as if the ':'-joined string had been built.
  const auto add = [&](const OrderBook::Level& level) {
    if (!level.price_text.valid() || !level.size_text.valid()) return false;
    if (!first) crc = crc32_update(crc, ":");
    first = false;
    crc = crc32_update(crc, level.price_text.view());
    crc = crc32_update(crc, ":");
    crc = crc32_update(crc, level.size_text.view());
    return true;
  };
  for (std::size_t i = 0; i < depth; ++i) {
    if (i < bids.size() && !add(bids[i])) return Checksum{};
    if (i < asks.size() && !add(asks[i])) return Checksum{};
  }
  return Checksum{true, static_cast<std::int32_t>(crc)};
}

void OkxBookSync::fill_snapshot(BookSnapshot& out) const {
  book_.fill_top(out);
  out.sequence = last_seq_id_ > 0 ? static_cast<std::uint64_t>(last_seq_id_) : 0;
  out.exchange_time = exchange_time_;
}

}  // namespace tickguard::feeds::okx
