// ZScoreDetector: flags trade log returns that lie many standard deviations away from the mean of
// recent returns: sudden price jumps or crashes. The baseline is either the last `window` returns
// or, with a half-life, an exponentially weighted mean and variance in exchange time.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "detectors/common/rolling_moments.h"
#include "tickguard/detector.h"

namespace tickguard {

class ZScoreDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 300;       // returns in the baseline
    std::size_t min_samples = 100;  // returns needed before scoring; clamped to [2, window]
    double threshold = 6.0;         // |z| in standard deviations that maps to ratio 1
    // 0: the baseline is the last `window` returns. Positive: every return's weight in the baseline
    // halves for each half-life of exchange time that passes, and min_samples counts the summed
    // weights (the effective number of returns), so scoring pauses after a long trading gap.
    Duration halflife{0};
  };

  // Returns below this standard deviation are treated as having it, so a run of identical prices
  // does not turn the first tick into an infinite z-score.
  static constexpr double kMinStddev = 1e-6;

  explicit ZScoreDetector(const Options& options);

  // Name "zscore", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Scores the log return since the previous valid trade against the baseline of earlier returns,
  // then adds it to the baseline (winsorized to the expected band). Invalid trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Values held by the rolling baseline (1 slot in EWMA mode): for memory tests.
  std::size_t baseline_capacity() const { return baseline_.capacity(); }
  // The baseline's effective number of returns in EWMA mode (the sum of their weights).
  double ewma_weight() const { return ewma_.weight; }

 private:
  // Exponentially weighted mean and variance (West's weighted update with decaying weights).
  struct Ewma {
    double weight = 0;  // sum of the weights: 1 for a new return, halving per half-life
    double mean = 0;
    double sum_squared_deviations = 0;  // weighted
  };

  // Decays the EWMA baseline's weights by the exchange time elapsed since its last update.
  void age_ewma(Timestamp time);
  // Adds `value` to the EWMA baseline with weight 1.
  void add_ewma(double value);
  void score(Timestamp time, double log_return, double mean, double stddev, ObservationSink& sink);

  std::size_t min_samples_;
  double threshold_;
  double halflife_seconds_;    // 0: rolling window
  RollingMoments baseline_;    // rolling mode only
  Ewma ewma_;                  // EWMA mode only
  Timestamp ewma_time_{};      // exchange time ewma_ was last aged to
  double previous_price_ = 0;  // 0 until the first valid trade
};

}  // namespace tickguard
