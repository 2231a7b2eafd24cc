// Kraken L2 book synchronisation for one symbol: applies parsed snapshots and updates to an
// OrderBook, keeps it to the subscribed depth, and verifies the venue's CRC32 checksum of the top
// 10 levels, so the feed knows when to resubscribe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "feeds/common/backoff.h"
#include "feeds/common/order_book.h"
#include "feeds/kraken/kraken_parse.h"
#include "tickguard/event.h"

namespace tickguard::feeds::kraken {

struct KrakenBookOptions {
  // Subscribed depth (10, 25, 100, 500 or 1000): levels beyond it are dropped after each message,
  // because the venue sends no removal for levels that fall out of scope.
  std::size_t depth = 10;
  // Decimal places of price and quantity (v2: instrument channel price_precision/qty_precision, or
  // REST AssetPairs pair_decimals/lot_decimals). v2 sends JSON numbers, so the checksum text is
  // re-formed with these. -1 uses each level's text exactly as sent (v1 sends fixed-width strings).
  int price_decimals = -1;
  int qty_decimals = -1;
};

enum class KrakenBookStatus : std::uint8_t {
  kApplied,                      // book updated (checksum verified when the message had one)
  kAwaitingSnapshot,             // update before any snapshot, or after a resync was requested: ignored
  kChecksumMismatchNeedsResync,  // our top 10 disagree with the venue: resubscribe for a snapshot
  kCrossedNeedsResync,           // best bid >= best ask: resubscribe for a snapshot
};

class KrakenBookSync {
 public:
  explicit KrakenBookSync(KrakenBookOptions options = {});

  // Applies one parsed book message for this symbol. A snapshot replaces the book; an update
  // applies its levels in wire order (qty 0 removes). On a *NeedsResync result the book stays
  // unusable (synced() false) and later updates are ignored until the next snapshot.
  KrakenBookStatus apply(const KrakenBook& message);

  // Forgets the book (e.g. on disconnect); the next message must be a snapshot.
  void reset();

  bool synced() const { return synced_; }
  const OrderBook& book() const { return book_; }
  // CRC32 of the current top 10 levels, formatted per the venue's checksum rules.
  std::uint32_t checksum() const;
  // Top levels into `out` plus the last exchange time seen (other fields untouched).
  void fill(BookSnapshot& out) const;
  // Messages that carried no checksum and so were applied unverified.
  std::uint64_t unverified_messages() const { return unverified_messages_; }

 private:
  void apply_levels(BookSide side, std::span<const KrakenLevel> levels);
  void truncate_to_depth();

  KrakenBookOptions options_;
  OrderBook book_;
  bool synced_ = false;
  std::optional<Timestamp> exchange_time_;
  std::uint64_t unverified_messages_ = 0;
};

// When to resubscribe a book that failed its checksum (or crossed): at once the first time, then
// with growing, jittered delays while it keeps failing before any checksum-verified message. A
// systematic mismatch (e.g. a precision the venue changed) thus costs a few resubscriptions, not a
// loop of them.
class KrakenResyncThrottle {
 public:
  explicit KrakenResyncThrottle(BackoffOptions options = {std::chrono::milliseconds(1000),
                                                          std::chrono::milliseconds(60000), 2.0});
  // The book failed: how long to wait before resubscribing it (zero the first time in a row).
  std::chrono::milliseconds on_failure();
  // A checksum-verified message was applied: the next failure is a first one again.
  void on_verified();
  int failures_in_a_row() const { return failures_in_a_row_; }

 private:
  Backoff backoff_;
  int failures_in_a_row_ = 0;
};

// The checksum form of one price or quantity: fixed to `decimals` places (or as sent when
// decimals < 0), then the '.' and leading zeros removed ("0.00100000" -> "100000"). Uses `text`
// when it is a plain decimal, else formats `value`. Writes into `out` and returns the length used.
std::size_t kraken_checksum_digits(std::string_view text, double value, int decimals,
                                   std::span<char, 64> out);

// CRC32 over the top 10 asks (best first) then top 10 bids, each level as price digits + qty digits.
std::uint32_t kraken_book_checksum(const OrderBook& book, int price_decimals, int qty_decimals);

}  // namespace tickguard::feeds::kraken
