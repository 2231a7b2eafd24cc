#include "feeds/common/order_book.h"

#include <algorithm>
#include <cmath>

namespace tickguard::feeds {

OrderBook::OrderBook(std::size_t max_levels_per_side)
    : capacity_(std::max<std::size_t>(1, max_levels_per_side)) {
  bids_.reserve(capacity_ + 1);
  asks_.reserve(capacity_ + 1);
}

void OrderBook::clear() {
  bids_.clear();
  asks_.clear();
}

void OrderBook::update(BookSide side, double price, double size, std::string_view price_text,
                       std::string_view size_text) {
  if (!std::isfinite(price) || !std::isfinite(size) || price <= 0 || size < 0) return;
  std::vector<Level>& levels = side == BookSide::kBid ? bids_ : asks_;
  // Bids descend, asks ascend: "better" is the order of the array.
  const auto better = [side](const Level& level, double p) {
    return side == BookSide::kBid ? level.price > p : level.price < p;
  };
  auto it = std::lower_bound(levels.begin(), levels.end(), price, better);
  const bool exists = it != levels.end() && it->price == price;
  if (size == 0) {
    if (exists) levels.erase(it);
    return;
  }
  if (exists) {
    it->size = size;
    it->price_text = DecimalText(price_text);
    it->size_text = DecimalText(size_text);
    return;
  }
  if (levels.size() == capacity_ && it == levels.end()) return;  // worse than every kept level
  levels.insert(it, Level{price, size, DecimalText(price_text), DecimalText(size_text)});
  if (levels.size() > capacity_) levels.pop_back();
}

bool OrderBook::crossed() const {
  return !bids_.empty() && !asks_.empty() && bids_.front().price >= asks_.front().price;
}

void OrderBook::fill_top(BookSnapshot& out) const {
  const auto copy = [](const std::vector<Level>& from, auto& to, std::uint8_t& count) {
    count = static_cast<std::uint8_t>(std::min(from.size(), to.size()));
    for (std::size_t i = 0; i < count; ++i) to[i] = BookLevel{from[i].price, from[i].size};
  };
  copy(bids_, out.bids, out.bid_count);
  copy(asks_, out.asks, out.ask_count);
}

}  // namespace tickguard::feeds
