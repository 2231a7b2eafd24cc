// Helpers shared by the crypto detector tests: trades at a given exchange time, and counting the
// observations at or above ratio 1.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>

#include "tests/daemon/detectors/detector_test_support.h"
#include "tickguard/detector.h"

namespace tickguard::testing {

inline constexpr double kStart = 1'700'000'000;  // seconds since the epoch, a multiple of 60

inline Timestamp at_seconds(double seconds) {
  return Timestamp(std::chrono::round<Duration>(std::chrono::duration<double>(seconds)));
}

inline Trade trade_at(double seconds, double price, double quantity, Side side = Side::kUnknown) {
  Trade trade;
  trade.exchange_time = at_seconds(seconds);
  trade.price = price;
  trade.quantity = quantity;
  trade.side = side;
  return trade;
}

// A sink for long runs: counts observations and alarms instead of storing them.
class CountingSink final : public ObservationSink {
 public:
  void observe(const Observation& observation) override {
    ++observations;
    if (observation.ratio >= 1) ++alarms;
    if (!std::isfinite(observation.ratio) || !std::isfinite(observation.observed)) ++non_finite;
  }
  std::size_t observations = 0;
  std::size_t alarms = 0;
  std::size_t non_finite = 0;
};

inline std::size_t alarms(const RecordingSink& sink, std::size_t from = 0) {
  std::size_t count = 0;
  for (std::size_t i = from; i < sink.observations.size(); ++i)
    count += sink.observations[i].ratio >= 1 ? 1 : 0;
  return count;
}

inline bool all_finite(const RecordingSink& sink) {
  for (const Observation& o : sink.observations) {
    if (!std::isfinite(o.score) || !std::isfinite(o.ratio) || !std::isfinite(o.observed) ||
        !std::isfinite(o.expected_low) || !std::isfinite(o.expected_high)) {
      return false;
    }
  }
  return true;
}

}  // namespace tickguard::testing
