// Synthetic tickers and order books for the microstructure detector tests, and a sink that keeps
// summary statistics instead of every observation so million-event runs stay small.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "tests/daemon/detectors/detector_test_support.h"
#include "tickguard/detector.h"
#include "tickguard/event.h"

namespace tickguard::testing {

constexpr double kStartSeconds = 1'700'000'000;

inline Timestamp at_seconds(double seconds) {
  return Timestamp(std::chrono::round<Duration>(std::chrono::duration<double>(seconds)));
}

// Counts observations, their alarms (ratio >= 1) and anything non-finite; remembers the last one.
class SummarySink final : public ObservationSink {
 public:
  void observe(const Observation& observation) override {
    ++count;
    if (observation.ratio >= 1.0) ++alarms;
    max_ratio = std::max(max_ratio, observation.ratio);
    for (double value : {observation.score, observation.ratio, observation.observed, observation.expected_low,
                         observation.expected_high}) {
      if (!std::isfinite(value)) ++non_finite;
    }
    if (observation.score < 0 || observation.score > 1) ++scores_out_of_range;
    last = observation;
  }
  std::size_t count = 0;
  std::size_t alarms = 0;
  std::size_t non_finite = 0;
  std::size_t scores_out_of_range = 0;
  double max_ratio = 0;
  Observation last;
};

inline Ticker make_ticker(double seconds, double bid, double ask, double size = 1.0) {
  Ticker ticker;
  ticker.exchange_time = at_seconds(seconds);
  ticker.receive_time = ticker.exchange_time;
  ticker.bid_price = bid;
  ticker.ask_price = ask;
  ticker.bid_size = size;
  ticker.ask_size = size;
  return ticker;
}

// Tickers every `step` seconds around a random-walk mid, with a lognormal relative spread of
// median `spread` and log standard deviation `spread_noise`.
class TickerMarket {
 public:
  explicit TickerMarket(std::uint64_t seed, double spread = 2e-4, double spread_noise = 0.25,
                        double step = 0.1)
      : random_(seed), spread_(spread), spread_noise_(spread_noise), step_(step) {}

  // The next ticker, its spread multiplied by `widening`.
  Ticker next(double widening = 1.0) {
    now_ += step_;
    mid_ *= std::exp(1e-4 * random_.gaussian());
    const double spread = spread_ * widening * std::exp(spread_noise_ * random_.gaussian());
    return make_ticker(now_, mid_ * (1 - spread / 2), mid_ * (1 + spread / 2));
  }
  double now() const { return now_; }

 private:
  Random random_;
  double spread_;
  double spread_noise_;
  double step_;
  double now_ = kStartSeconds;
  double mid_ = 100.0;
};

// A book with `levels` levels per side: the best at mid -/+ half_spread, then one every `spacing`
// (fractions of mid), each of the given size.
inline BookSnapshot make_book(double seconds, double mid, std::size_t levels, double size,
                              double half_spread = 5e-5, double spacing = 1e-3) {
  BookSnapshot book;
  book.exchange_time = at_seconds(seconds);
  book.receive_time = book.exchange_time;
  book.bid_count = static_cast<std::uint8_t>(levels);
  book.ask_count = static_cast<std::uint8_t>(levels);
  for (std::size_t i = 0; i < levels; ++i) {
    const double offset = half_spread + spacing * static_cast<double>(i);
    book.bids[i] = BookLevel{.price = mid * (1 - offset), .size = size};
    book.asks[i] = BookLevel{.price = mid * (1 + offset), .size = size};
  }
  return book;
}

// Books every `step` seconds: ten levels per side spaced 0.1% of mid apart from a 0.01% spread,
// so the default +/-0.5% band holds five per side. Level sizes are lognormal (median 1, log
// standard deviation 0.5), drawn independently per level and per book.
class BookMarket {
 public:
  explicit BookMarket(std::uint64_t seed, double step = 0.1) : random_(seed), step_(step) {}

  // The next book; bid sizes are multiplied by `bid_scale` and ask sizes by `ask_scale`.
  BookSnapshot next(double bid_scale = 1.0, double ask_scale = 1.0) {
    now_ += step_;
    mid_ *= std::exp(1e-4 * random_.gaussian());
    BookSnapshot book = make_book(now_, mid_, BookSnapshot::kMaxDepth, 1.0);
    for (std::size_t i = 0; i < BookSnapshot::kMaxDepth; ++i) {
      book.bids[i].size = bid_scale * random_.lognormal(0.0, 0.5);
      book.asks[i].size = ask_scale * random_.lognormal(0.0, 0.5);
    }
    return book;
  }
  double now() const { return now_; }

 private:
  Random random_;
  double step_;
  double now_ = kStartSeconds;
  double mid_ = 100.0;
};

}  // namespace tickguard::testing
