// EwmaControlDetector: an EWMA control chart on absolute trade log returns. A fast EWMA of |r| is
// compared with a slow rolling baseline of |r|; it flags a rise in volatility that lasts for
// tens of trades (a single jump is clipped and left to the zscore detector).
#pragma once

#include <cstddef>
#include <memory>

#include "detectors/common/rolling_moments.h"
#include "tickguard/detector.h"

namespace tickguard {

class EwmaControlDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 2000;      // |r| values in the baseline
    std::size_t min_samples = 500;  // |r| values needed before scoring; clamped to [2, window]
    double smoothing = 0.02;        // lambda: weight of the newest |r| in the EWMA, in (0, 1]
    double threshold = 6.0;         // L: control limit in standard deviations of the EWMA
  };

  // The baseline's standard deviation of |r| is floored at this, so a run of identical prices
  // does not make the control limits collapse onto the mean.
  static constexpr double kMinStddev = 1e-6;
  // |r| enters the EWMA (and the baseline) clipped to mean + kMaxDeviation standard deviations,
  // so a single jump moves the EWMA by at most lambda times that.
  static constexpr double kMaxDeviation = 5.0;

  explicit EwmaControlDetector(const Options& options);

  // Name "ewma_control", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Updates the EWMA with |r| of the log return since the previous valid trade and, once the
  // baseline is warm, reports how far the EWMA lies above the baseline mean in units of the
  // control limit; then adds |r| to the baseline. Calmer than usual is not flagged. Invalid
  // trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // |r| values the baseline can hold: fixed at construction, whatever the length of the stream.
  std::size_t baseline_capacity() const { return baseline_.capacity(); }

 private:
  void update_ewma(double value);

  std::size_t min_samples_;
  double smoothing_;
  double threshold_;
  // Standard deviation of the EWMA of independent values, relative to theirs: sqrt(l / (2 - l)).
  double ewma_stddev_factor_;
  RollingMoments baseline_;    // |r| of earlier trades
  double previous_price_ = 0;  // 0 until the first valid trade
  double ewma_ = 0;
  double ewma_count_ = 0;  // values in the EWMA, until 1 / lambda: it starts as their plain mean
};

}  // namespace tickguard
