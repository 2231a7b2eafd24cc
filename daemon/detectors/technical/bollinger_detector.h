// BollingerDetector: flags trade prices outside the Bollinger band of recent interval closes:
// the mean of the last `period` closes plus or minus `threshold` standard deviations of them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "detectors/common/rolling_moments.h"
#include "tickguard/detector.h"

namespace tickguard {

class BollingerDetector final : public Detector {
 public:
  struct Options {
    Duration interval = std::chrono::seconds(60);  // one period, aligned on multiples of it
    std::size_t period = 20;                       // closes in the moving average and its sigma
    double threshold = 7.0;                        // band half-width in sigmas (the k) at ratio 1
  };

  // Sigma below this fraction of the average is treated as it, so a run of identical closes does
  // not turn the next different price into an infinite breach (0.1 basis point).
  static constexpr double kMinRelativeSigma = 1e-5;

  explicit BollingerDetector(const Options& options);

  // Name "bollinger", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Closes the earlier interval(s) if the trade starts a new one, then scores the trade's price
  // against the band of the last `period` closes once that many have closed. Invalid trades are
  // ignored; a trade stamped before the current interval counts towards the current interval.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Closes the detector keeps; fixed at construction.
  std::size_t retained_values() const { return closes_.capacity(); }

 private:
  void advance_to(std::int64_t bucket);

  std::int64_t interval_ns_;
  std::size_t period_;
  double threshold_;
  RollingMoments closes_;  // last price of each closed interval; empty intervals repeat the last
  // The band's centre and sigma, refreshed when an interval closes, so scoring a trade is O(1).
  double average_ = 0;
  double sigma_ = 0;
  bool started_ = false;
  std::int64_t bucket_ = 0;  // floor(exchange time / interval) of the interval in progress
  double last_price_ = 0;    // latest valid price: the close of the interval in progress so far
};

}  // namespace tickguard
