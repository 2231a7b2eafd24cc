// AlertGate: turns a detector's stream of observations into anomaly episodes with hysteresis.
// An episode is raised when the ratio reaches 1 (the detector's threshold) and cleared only after the
// ratio has stayed below clear_ratio for clear_after (event time), so a noisy score cannot flap.
#pragma once

#include <optional>

#include "tickguard/detector.h"
#include "tickguard/sink.h"

namespace tickguard {

class AlertGate {
 public:
  enum class Change { kNone, kRaised, kCleared };

  explicit AlertGate(AlertOptions options) : options_(options) {}

  // Feeds one observation (in event-time order). Returns kRaised when an episode starts (then
  // severity() is its severity), kCleared when it ends, kNone otherwise. O(1), no allocation.
  Change update(const Observation& observation);

  bool active() const { return active_; }
  // Severity of the current or last episode: critical when the raising ratio reached critical_ratio.
  Severity severity() const { return severity_; }

 private:
  AlertOptions options_;
  bool active_ = false;
  Severity severity_ = Severity::kWarning;
  std::optional<Timestamp> quiet_since_;  // first observation of the current run below clear_ratio
};

}  // namespace tickguard
