// ZScoreDetector: flags trade log returns that lie many standard deviations away from the rolling
// mean of recent returns: sudden price jumps or crashes.
#pragma once

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

 private:
  std::size_t min_samples_;
  double threshold_;
  RollingMoments baseline_;
  double previous_price_ = 0;  // 0 until the first valid trade
};

}  // namespace tickguard
