// A synthetic market for the technical detector tests: trades arrive as a Poisson process, the
// price follows a geometric random walk (optionally with drift) and sizes are lognormal.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>

#include "tests/daemon/detectors/detector_test_support.h"
#include "tickguard/detector.h"

namespace tickguard::testing {

constexpr double kStartSeconds = 1'699'920'000;  // midnight UTC, a multiple of every test interval

inline Timestamp at_seconds(double seconds) {
  return Timestamp(std::chrono::round<Duration>(std::chrono::duration<double>(seconds)));
}

inline Trade trade_at(double seconds, double price, double quantity = 1.0) {
  Trade trade;
  trade.exchange_time = at_seconds(seconds);
  trade.price = price;
  trade.quantity = quantity;
  return trade;
}

class RandomWalkMarket {
 public:
  RandomWalkMarket(Detector& detector, RecordingSink& sink, std::uint64_t seed, double price = 100.0)
      : detector_(detector), sink_(sink), random_(seed), price_(price) {}

  // Trades at `rate` per second until exchange time `until` (seconds); each trade moves the log
  // price by `drift` plus `volatility` standard normal noise and has a lognormal size (median
  // `size`, log-sd 0.5). Returns the number of trades.
  long run_until(double until, double rate, double drift = 0.0, double volatility = 1e-4, double size = 1.0) {
    long trades = 0;
    for (double next = now_ + random_.exponential(rate); next < until; next += random_.exponential(rate)) {
      now_ = next;
      price_ *= std::exp(drift + volatility * random_.gaussian());
      detector_.on_trade(trade_at(now_, price_, size * random_.lognormal(0.0, 0.5)), sink_);
      ++trades;
    }
    now_ = until;
    return trades;
  }
  // One trade at the current time, at `factor` times the current price, which it becomes.
  void jump(double factor) {
    price_ *= factor;
    detector_.on_trade(trade_at(now_, price_), sink_);
  }
  double now() const { return now_; }
  double price() const { return price_; }

 private:
  Detector& detector_;
  RecordingSink& sink_;
  Random random_;
  double now_ = kStartSeconds;
  double price_;
};

// The first observation at or after index `from` whose ratio reaches 1, or nullptr.
inline const Observation* first_alarm(const RecordingSink& sink, std::size_t from) {
  for (std::size_t i = from; i < sink.observations.size(); ++i) {
    if (sink.observations[i].ratio >= 1.0) return &sink.observations[i];
  }
  return nullptr;
}

// Counts observations without keeping them, for runs too long to record.
class CountingSink final : public ObservationSink {
 public:
  void observe(const Observation& o) override {
    ++count;
    finite = finite && std::isfinite(o.ratio) && std::isfinite(o.score) && std::isfinite(o.observed) &&
             std::isfinite(o.expected_low) && std::isfinite(o.expected_high);
  }
  long count = 0;
  bool finite = true;
};

// Feeds `trades` trades, `spacing` seconds apart, on a cheap bounded random walk with sizes
// uniform in [0, 2), and returns how many observations they produced (all finite, or -1).
inline long feed_trades(Detector& detector, long trades, double spacing, std::uint64_t seed) {
  CountingSink sink;
  Random random(seed);
  double price = 100;
  for (long i = 0; i < trades; ++i) {
    const double u = random.uniform();
    price *= 1 + 2e-4 * (u - 0.5);
    detector.on_trade(
        trade_at(kStartSeconds + spacing * static_cast<double>(i), price, 4 * std::abs(u - 0.5)), sink);
  }
  return sink.finite ? sink.count : -1;
}

// Every observation is finite, and its band is ordered.
inline bool all_finite(const RecordingSink& sink) {
  for (const Observation& o : sink.observations) {
    if (!std::isfinite(o.ratio) || !std::isfinite(o.score) || !std::isfinite(o.observed) ||
        !std::isfinite(o.expected_low) || !std::isfinite(o.expected_high) ||
        o.expected_low > o.expected_high) {
      return false;
    }
  }
  return true;
}

}  // namespace tickguard::testing
