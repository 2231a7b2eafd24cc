// MadDetector: flags trade log returns far from the rolling median of recent returns, measured in
// robust standard deviations (1.4826 x the median absolute deviation). Unlike zscore, a burst of
// large returns barely moves the baseline, so the next spike is not hidden behind the last one.
#pragma once

#include <cstddef>
#include <memory>

#include "detectors/common/rolling_moments.h"
#include "detectors/statistical/sorted_window.h"
#include "tickguard/detector.h"

namespace tickguard {

class MadDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 300;       // returns in the baseline
    std::size_t min_samples = 100;  // returns needed before scoring; clamped to [2, window]
    double threshold = 6.0;         // |robust z| that maps to ratio 1
  };

  // Scales a MAD to the standard deviation it implies for normally distributed data.
  static constexpr double kMadToSigma = 1.4826;
  // Floor on the robust sigma, so a run of identical prices does not make the first tick infinite.
  static constexpr double kMinSigma = 1e-6;

  explicit MadDetector(const Options& options);

  // Name "mad", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Scores the log return since the previous valid trade against the median and MAD of earlier
  // returns, then adds it to the baseline. Invalid trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Values held by the baseline (never more than the window): for memory tests.
  std::size_t baseline_size() const { return ranks_.count(); }

 private:
  // 1.4826 x MAD, or the standard deviation when the MAD is 0: on a coarse tick grid over half
  // the returns can be exactly 0, and a zero MAD would make every price change an outlier.
  double robust_sigma() const;

  std::size_t min_samples_;
  double threshold_;
  statistical::SortedWindow ranks_;
  RollingMoments moments_;     // the same returns, for the fallback sigma
  double previous_price_ = 0;  // 0 until the first valid trade
};

}  // namespace tickguard
