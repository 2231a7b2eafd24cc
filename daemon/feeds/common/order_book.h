// OrderBook: one instrument's L2 book, as maintained by a connector from a snapshot plus deltas.
// Each side is a sorted flat array with capacity fixed at construction: updates never allocate,
// cost O(log n) to find plus a memmove, and the worst levels beyond capacity are dropped. The
// venue's decimal text of each level is kept for venue checksums (OKX, Kraken).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "feeds/common/decimal.h"
#include "tickguard/event.h"

namespace tickguard::feeds {

enum class BookSide { kBid, kAsk };

class OrderBook {
 public:
  struct Level {
    double price = 0;
    double size = 0;
    DecimalText price_text;  // as the venue sent it (may be invalid if not given or too long)
    DecimalText size_text;
  };

  explicit OrderBook(std::size_t max_levels_per_side = 1000);

  // Empties both sides (before applying a snapshot).
  void clear();
  // Sets the size of the level at `price`; size 0 removes the level (absent levels are ignored).
  // Non-finite or negative values are ignored. Texts are optional (needed only for checksums).
  void update(BookSide side, double price, double size, std::string_view price_text = {},
              std::string_view size_text = {});

  std::span<const Level> bids() const { return bids_; }  // best (highest) first
  std::span<const Level> asks() const { return asks_; }  // best (lowest) first
  bool empty() const { return bids_.empty() && asks_.empty(); }
  // True when the best bid is at or above the best ask: the book is inconsistent and must resync.
  bool crossed() const;
  std::size_t capacity() const { return capacity_; }

  // Copies the top BookSnapshot::kMaxDepth levels of each side into `out` (other fields untouched).
  void fill_top(BookSnapshot& out) const;

 private:
  std::size_t capacity_;
  std::vector<Level> bids_;
  std::vector<Level> asks_;
};

}  // namespace tickguard::feeds
