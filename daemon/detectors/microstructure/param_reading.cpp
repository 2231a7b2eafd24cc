#include "detectors/microstructure/param_reading.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tickguard {

std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

Duration duration_param(const ParamValues& params, std::string_view name, Duration fallback) {
  if (!params.has(name)) return fallback;
  const double seconds = params.get(name);
  if (!std::isfinite(seconds) || seconds <= 0) return fallback;
  return std::chrono::round<Duration>(std::chrono::duration<double>(std::min(seconds, 1e9)));
}

double number_param(const ParamValues& params, std::string_view name, double fallback) {
  return params.has(name) ? params.get(name) : fallback;
}

}  // namespace tickguard
