// Clock: the source of wall-clock time, injected so tests can run on a fake clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace tickguard {

// All event times are nanoseconds since the Unix epoch (UTC).
using Timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;
using Duration = std::chrono::nanoseconds;

// Seconds since the epoch as a double, the unit Prometheus expects for *_timestamp_seconds.
inline double to_unix_seconds(Timestamp t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall-clock time. Thread-safe.
  virtual Timestamp now() const = 0;
};

// The real system clock.
class SystemClock final : public Clock {
 public:
  Timestamp now() const override {
    return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  }
};

}  // namespace tickguard
