#include "core/alert_gate.h"

#include <chrono>

namespace tickguard {

AlertGate::Change AlertGate::update(const Observation& observation) {
  const double ratio = observation.ratio;
  if (!active_) {
    if (ratio >= 1.0) {
      active_ = true;
      severity_ = ratio >= options_.critical_ratio ? Severity::kCritical : Severity::kWarning;
      quiet_since_.reset();
      return Change::kRaised;
    }
    return Change::kNone;
  }
  if (ratio >= options_.clear_ratio) {
    quiet_since_.reset();
    return Change::kNone;
  }
  if (!quiet_since_) quiet_since_ = observation.time;
  const auto quiet_for = std::chrono::duration<double>(observation.time - *quiet_since_).count();
  if (quiet_for >= options_.clear_after_seconds) {
    active_ = false;
    quiet_since_.reset();
    return Change::kCleared;
  }
  return Change::kNone;
}

}  // namespace tickguard
