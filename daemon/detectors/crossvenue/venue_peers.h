// Helpers shared by the cross-venue detectors: event time, a member's comparable price, and the
// median of its peers' prices, without allocating.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include "tickguard/event.h"

namespace tickguard::crossvenue {

// Venues one asset group compares at most; members beyond it are ignored (and stay quiet).
inline constexpr std::size_t kMaxVenues = 16;

// The venue's time when it gave one, else when we received the event.
template <class Event>
Timestamp event_time(const Event& event) {
  return event.exchange_time != Timestamp{} ? event.exchange_time : event.receive_time;
}

// The mid of a two-sided ticker; NaN for a one-sided or crossed one.
inline double ticker_mid(const Ticker& ticker) {
  if (!(ticker.bid_price > 0) || !(ticker.ask_price >= ticker.bid_price) || !std::isfinite(ticker.ask_price))
    return std::numeric_limits<double>::quiet_NaN();
  return 0.5 * (ticker.bid_price + ticker.ask_price);
}

// The median of the first `count` values (for an even count, the mean of the two middle ones, so
// two venues are compared symmetrically); reorders them. 1 <= count <= kMaxVenues.
inline double median_of(std::array<double, kMaxVenues>& values, std::size_t count) {
  auto* const begin = values.data();
  auto* const middle = begin + count / 2;
  std::nth_element(begin, middle, begin + count);
  if (count % 2 == 1) return *middle;
  const double upper = *middle;
  const double lower = *std::max_element(begin, middle);
  return 0.5 * (lower + upper);
}

}  // namespace tickguard::crossvenue
