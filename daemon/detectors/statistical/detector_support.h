// Small pieces shared by the statistical detectors: reading count parameters and rejecting
// trades that cannot be scored.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "tickguard/detector.h"
#include "tickguard/event.h"

namespace tickguard::statistical {

// An integer parameter as a count, or `fallback` when absent. The config loader checks the declared
// range; the clamping here only keeps a bad value from being undefined behaviour.
inline std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

// A trade with a finite positive price and a finite non-negative quantity.
inline bool is_scorable(const Trade& trade) {
  return std::isfinite(trade.price) && trade.price > 0 && std::isfinite(trade.quantity) &&
         trade.quantity >= 0;
}

}  // namespace tickguard::statistical
