// Reading validated detector parameters into Options fields, shared by the detector families.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "tickguard/clock.h"
#include "tickguard/detector.h"

namespace tickguard::detector_params {

// The integer parameter `name`, or `fallback` when missing. The config loader checks the declared
// range; the clamp only keeps a bad value from being UB.
inline std::size_t count(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  if (!(value >= 0)) return 0;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

// The duration parameter `name` (seconds), or `fallback` when missing.
inline Duration duration(const ParamValues& params, std::string_view name, Duration fallback) {
  if (!params.has(name)) return fallback;
  const double seconds = params.get(name);
  if (!std::isfinite(seconds)) return fallback;
  return std::chrono::round<Duration>(std::chrono::duration<double>(std::clamp(seconds, 0.0, 1e9)));
}

// The number parameter `name`, or `fallback` when missing.
inline double number(const ParamValues& params, std::string_view name, double fallback) {
  return params.has(name) ? params.get(name) : fallback;
}

// A duration in seconds, as ParamSpec stores it.
inline double seconds(Duration duration) { return std::chrono::duration<double>(duration).count(); }

// Rounds towards negative infinity, so buckets stay aligned for times before the epoch too.
inline std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

}  // namespace tickguard::detector_params
