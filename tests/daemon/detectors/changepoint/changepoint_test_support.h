// Helpers shared by the changepoint detector tests: a random-walk trade feeder whose mean return
// and volatility can be changed mid-stream, and a sink that summarizes long runs without storing
// every observation.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "tests/daemon/detectors/detector_test_support.h"
#include "tickguard/detector.h"

namespace tickguard::testing {

// Counts observations and alarms (ratio >= 1) and keeps the largest ratio, in O(1) memory.
class CountingSink final : public ObservationSink {
 public:
  void observe(const Observation& observation) override {
    ++observations;
    if (observation.ratio >= 1) ++alarms;
    if (!std::isfinite(observation.ratio) || !std::isfinite(observation.score) ||
        !std::isfinite(observation.observed) || !std::isfinite(observation.expected_low) ||
        !std::isfinite(observation.expected_high)) {
      ++non_finite;
    }
    max_ratio = std::max(max_ratio, observation.ratio);
  }
  std::size_t observations = 0;
  std::size_t alarms = 0;
  std::size_t non_finite = 0;
  double max_ratio = 0;
};

// Feeds one trade per second of exchange time to a detector: a geometric random walk whose log
// returns are mean + volatility * N(0, 1).
class RandomWalkFeeder {
 public:
  RandomWalkFeeder(Detector& detector, ObservationSink& sink, std::uint64_t seed)
      : detector_(detector), sink_(sink), gaussian_(seed) {}

  void trade_at(double price, double quantity = 1.0) {
    Trade trade;
    trade.exchange_time = Timestamp(std::chrono::seconds(++seconds_));
    trade.price = price;
    trade.quantity = quantity;
    detector_.on_trade(trade, sink_);
  }
  // `count` steps of the walk with the given per-trade mean log return and volatility.
  void walk(int count, double mean = 0.0, double volatility = kVolatility) {
    for (int i = 0; i < count; ++i) {
      price_ *= std::exp(mean + volatility * gaussian_());
      trade_at(price_);
    }
  }
  double price() const { return price_; }
  Timestamp now() const { return Timestamp(std::chrono::seconds(seconds_)); }

  static constexpr double kVolatility = 1e-4;  // per-trade log-return standard deviation

 private:
  Detector& detector_;
  ObservationSink& sink_;
  Gaussian gaussian_;
  double price_ = 100.0;
  std::int64_t seconds_ = 1'700'000'000;
};

}  // namespace tickguard::testing
