// Validation and depth sums over BookSnapshot levels, shared by the order book detectors. Depth is
// quote notional (price * size), so the two sides and different price levels add up in one unit.
#pragma once

#include <cstddef>

#include "tickguard/event.h"

namespace tickguard {

struct SideDepth {
  double bids = 0;  // quote notional on the bid side
  double asks = 0;  // quote notional on the ask side
};

// True if both sides have at least one level, the counts fit the arrays, every counted level has a
// finite positive price and a finite non-negative size, and the best bid is below the best ask.
bool is_valid_book(const BookSnapshot& book);

// Midpoint of the best bid and ask of a valid book.
double mid_price(const BookSnapshot& book);

// Quote notional of the first `levels` levels of each side of a valid book (fewer if a side has fewer).
SideDepth top_levels_depth(const BookSnapshot& book, std::size_t levels);

// Quote notional of the levels of a valid book priced within mid * (1 -/+ band) of the mid.
SideDepth band_depth(const BookSnapshot& book, double band);

}  // namespace tickguard
