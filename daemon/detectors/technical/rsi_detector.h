// RsiDetector: flags overbought and oversold markets with Wilder's Relative Strength Index of
// interval closes: a run of mostly rising (or falling) intervals, as in a pump or a dump, pushes
// the RSI beyond its extremes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tickguard/detector.h"

namespace tickguard {

class RsiDetector final : public Detector {
 public:
  struct Options {
    Duration interval = std::chrono::seconds(60);  // one period, aligned on multiples of it
    std::size_t period = 30;                       // Wilder's smoothing length N, in periods
    double overbought = 85;                        // RSI at ratio 1 on the rising side
    double oversold = 15;                          // RSI at ratio 1 on the falling side
  };

  // Added to both average gain and average loss (as a fraction of price per period: 0.1 basis
  // point), so a nearly motionless market with one uptick reads as neutral, not as RSI 100.
  static constexpr double kMinAverageMove = 1e-5;

  explicit RsiDetector(const Options& options);

  // Name "rsi", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Closes the earlier interval(s) if the trade starts a new one, then, once 2 * period changes
  // have been smoothed, scores the RSI that the interval in progress would give if it closed at
  // this trade's price. Invalid trades are ignored; a trade stamped before the current interval
  // counts towards the current interval.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Values the detector keeps: a fixed handful, whatever the period.
  static constexpr std::size_t retained_values() { return 5; }
  // Interval changes smoothed so far, saturating at the warm-up length.
  std::size_t changes_seen() const { return changes_; }

 private:
  void advance_to(std::int64_t bucket);
  void add_change(double change);
  double ratio_of(double rsi) const;

  std::int64_t interval_ns_;
  std::size_t period_;
  double overbought_;
  double oversold_;
  std::size_t changes_ = 0;  // changes added, counted up to 2 * period_
  double average_gain_ = 0;  // sums of the first period_ changes while seeding, then Wilder averages
  double average_loss_ = 0;
  bool started_ = false;
  std::int64_t bucket_ = 0;  // floor(exchange time / interval) of the interval in progress
  double last_close_ = 0;    // close of the last closed interval; 0 until one has closed
  double last_price_ = 0;    // latest valid price: the close of the interval in progress so far
};

}  // namespace tickguard
