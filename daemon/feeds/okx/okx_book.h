// OkxBookSync: keeps one instrument's OKX "books" order book in step with the venue. A snapshot
// resets it; each update must continue the seqId/prevSeqId chain and, once applied, match the
// venue's CRC-32 checksum of the top 25 levels. Any break tells the caller to resubscribe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "feeds/common/order_book.h"
#include "feeds/okx/okx_parse.h"
#include "tickguard/event.h"

namespace tickguard::feeds::okx {

enum class BookSyncResult : std::uint8_t {
  kApplied,                      // applied; checksum (when sent) matched
  kChecksumAbsent,               // applied, but checksum was 0 or missing: trusted via the seq chain
  kChecksumUnverifiable,         // applied, but a level's text was too long to checksum
  kNotSynced,                    // update before any snapshot (or after a resync verdict): ignored
  kGapNeedsResync,               // prevSeqId != last seqId: a message was lost
  kChecksumMismatchNeedsResync,  // our top 25 levels differ from the venue's
  kCrossedNeedsResync,           // best bid >= best ask after applying
};

// True for the results after which the book is unusable until a new snapshot arrives.
inline bool needs_resync(BookSyncResult result) {
  return result == BookSyncResult::kGapNeedsResync ||
         result == BookSyncResult::kChecksumMismatchNeedsResync ||
         result == BookSyncResult::kCrossedNeedsResync;
}

struct OkxBookSyncOptions {
  // Levels kept per side. The "books" channel sends 400; the checksum needs only the top 25.
  std::size_t max_levels_per_side = 400;
};

// Counts per outcome, for the feed's health metrics.
struct OkxBookSyncCounters {
  std::uint64_t snapshots = 0;
  std::uint64_t updates = 0;
  std::uint64_t checksums_verified = 0;
  std::uint64_t checksums_absent = 0;
  std::uint64_t checksums_unverifiable = 0;
  std::uint64_t not_synced = 0;
  std::uint64_t gaps = 0;
  std::uint64_t checksum_mismatches = 0;
  std::uint64_t crossed = 0;
};

class OkxBookSync {
 public:
  static constexpr std::size_t kChecksumDepth = 25;

  explicit OkxBookSync(OkxBookSyncOptions options = {});

  // Applies one parsed books message. After a *NeedsResync result the book is cleared and further
  // updates return kNotSynced until the next snapshot (the caller resubscribes to get one).
  BookSyncResult apply(const OkxBookMessage& message);

  // Forgets the book (e.g. on disconnect); the next message must be a snapshot.
  void reset();

  bool synced() const { return synced_; }
  const OrderBook& book() const { return book_; }
  // seqId of the last applied message; OkxBookMessage::kNoSequence when the venue sends none.
  std::int64_t last_seq_id() const { return last_seq_id_; }
  Timestamp exchange_time() const { return exchange_time_; }
  const OkxBookSyncCounters& counters() const { return counters_; }

  // Copies the top of the book, last seqId (0 when none) and venue time into `out`; the caller
  // fills instrument and receive_time.
  void fill_snapshot(BookSnapshot& out) const;

  // The venue's checksum over `book`: CRC-32 of "bidPx:bidSz:askPx:askSz:..." for the top 25 levels
  // (bid then ask at each depth, the longer side continuing alone), read as a signed 32-bit value.
  // Empty when a level's original text was not kept.
  struct Checksum {
    bool valid = false;
    std::int32_t value = 0;
  };
  static Checksum compute_checksum(const OrderBook& book);

 private:
  void apply_levels(const OkxBookMessage& message);
  BookSyncResult fail(BookSyncResult result);

  OrderBook book_;
  bool synced_ = false;
  std::int64_t last_seq_id_ = OkxBookMessage::kNoSequence;
  Timestamp exchange_time_{};
  OkxBookSyncCounters counters_;
};

}  // namespace tickguard::feeds::okx
