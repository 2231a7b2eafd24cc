// Feeds a detector synthetic trades one second of exchange time apart, for the statistical
// detector tests.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "tests/daemon/detectors/detector_test_support.h"
#include "tickguard/detector.h"

namespace tickguard::testing {

// Keeps only summaries, for runs too long to record every observation.
class CountingSink final : public ObservationSink {
 public:
  void observe(const Observation& o) override {
    ++count;
    alarms += o.ratio >= 1.0 ? 1 : 0;
    max_ratio = std::max(max_ratio, o.ratio);
    finite = finite && std::isfinite(o.ratio) && std::isfinite(o.score) && std::isfinite(o.expected_low) &&
             std::isfinite(o.expected_high) && o.score >= 0 && o.score <= 1;
  }
  std::size_t count = 0;
  std::size_t alarms = 0;
  double max_ratio = 0;
  bool finite = true;
};

class TradeFeeder {
 public:
  TradeFeeder(Detector& detector, ObservationSink& sink, double price = 100.0)
      : detector_(detector), sink_(sink), price_(price) {}

  void trade_at(double price, double quantity = 1.0) {
    Trade trade;
    trade.exchange_time = Timestamp(std::chrono::seconds(++seconds_));
    trade.price = price;
    trade.quantity = quantity;
    detector_.on_trade(trade, sink_);
  }
  // One step of a random walk with log returns of `volatility` standard deviation.
  void step(Gaussian& gaussian, double volatility = 1e-4) {
    price_ *= std::exp(volatility * gaussian());
    trade_at(price_);
  }
  void jump(double factor) {
    price_ *= factor;
    trade_at(price_);
  }
  // Skips `seconds` of exchange time without a trade.
  void pause(std::int64_t seconds) { seconds_ += seconds; }
  double price() const { return price_; }
  Timestamp last_time() const { return Timestamp(std::chrono::seconds(seconds_)); }

 private:
  Detector& detector_;
  ObservationSink& sink_;
  double price_;
  std::int64_t seconds_ = 1'700'000'000;
};

// Observations at or beyond the threshold: the false alarms of a run on clean data.
inline std::size_t alarms(const RecordingSink& sink) {
  std::size_t count = 0;
  for (const Observation& observation : sink.observations) count += observation.ratio >= 1.0 ? 1 : 0;
  return count;
}

// Every number in every observation is finite and the score is in [0, 1].
inline bool all_finite(const RecordingSink& sink) {
  for (const Observation& o : sink.observations) {
    if (!std::isfinite(o.ratio) || !std::isfinite(o.score) || !std::isfinite(o.observed) ||
        !std::isfinite(o.expected_low) || !std::isfinite(o.expected_high) || o.score < 0 || o.score > 1) {
      return false;
    }
  }
  return true;
}

}  // namespace tickguard::testing
