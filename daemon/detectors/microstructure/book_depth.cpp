#include "detectors/microstructure/book_depth.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

namespace {

bool valid_levels(const std::array<BookLevel, BookSnapshot::kMaxDepth>& levels, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const BookLevel& level = levels[i];
    if (!std::isfinite(level.price) || level.price <= 0) return false;
    if (!std::isfinite(level.size) || level.size < 0) return false;
  }
  return true;
}

}  // namespace

bool is_valid_book(const BookSnapshot& book) {
  if (book.bid_count == 0 || book.ask_count == 0) return false;
  if (book.bid_count > BookSnapshot::kMaxDepth || book.ask_count > BookSnapshot::kMaxDepth) return false;
  if (!valid_levels(book.bids, book.bid_count) || !valid_levels(book.asks, book.ask_count)) return false;
  return book.bids[0].price < book.asks[0].price;
}

double mid_price(const BookSnapshot& book) { return 0.5 * (book.bids[0].price + book.asks[0].price); }

SideDepth top_levels_depth(const BookSnapshot& book, std::size_t levels) {
  SideDepth depth;
  for (std::size_t i = 0; i < std::min<std::size_t>(levels, book.bid_count); ++i) {
    depth.bids += book.bids[i].price * book.bids[i].size;
  }
  for (std::size_t i = 0; i < std::min<std::size_t>(levels, book.ask_count); ++i) {
    depth.asks += book.asks[i].price * book.asks[i].size;
  }
  return depth;
}

SideDepth band_depth(const BookSnapshot& book, double band) {
  const double mid = mid_price(book);
  const double lowest_bid = mid * (1 - band);
  const double highest_ask = mid * (1 + band);
  SideDepth depth;
  // Levels are best first, but a feed's ordering is not trusted: all counted levels are checked.
  for (std::size_t i = 0; i < book.bid_count; ++i) {
    if (book.bids[i].price >= lowest_bid) depth.bids += book.bids[i].price * book.bids[i].size;
  }
  for (std::size_t i = 0; i < book.ask_count; ++i) {
    if (book.asks[i].price <= highest_ask) depth.asks += book.asks[i].price * book.asks[i].size;
  }
  return depth;
}

}  // namespace tickguard
