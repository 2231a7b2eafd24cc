// Definitions of the small helpers declared in the public contract headers.
#include <algorithm>
#include <cmath>

#include "tickguard/detector.h"
#include "tickguard/sink.h"

namespace tickguard {

double score_from_threshold_ratio(double ratio) {
  if (!std::isfinite(ratio)) return ratio > 0 ? 1.0 : 0.0;
  const double r = std::max(0.0, ratio);
  return std::clamp(1.0 - std::exp2(-(r * r)), 0.0, 1.0);
}

void ParamValues::set(std::string name, double value) {
  for (auto& [existing, v] : values_) {
    if (existing == name) {
      v = value;
      return;
    }
  }
  values_.emplace_back(std::move(name), value);
}

double ParamValues::get(std::string_view name) const {
  for (const auto& [existing, v] : values_) {
    if (existing == name) return v;
  }
  return 0;
}

bool ParamValues::has(std::string_view name) const {
  return std::any_of(values_.begin(), values_.end(), [&](const auto& kv) { return kv.first == name; });
}

std::string_view severity_name(Severity severity) {
  return severity == Severity::kCritical ? "critical" : "warning";
}

}  // namespace tickguard
