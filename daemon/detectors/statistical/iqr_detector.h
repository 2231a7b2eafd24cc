// IqrDetector: Tukey fences on trade log returns. A return beyond Q3 + k IQR or below Q1 - k IQR of
// the recent returns is an outlier ("far out" at the default k = 3). Quartiles ignore the tails, so
// the fences stay put through a burst of spikes.
#pragma once

#include <cstddef>
#include <memory>

#include "detectors/common/rolling_moments.h"
#include "detectors/statistical/sorted_window.h"
#include "tickguard/detector.h"

namespace tickguard {

class IqrDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 300;       // returns in the baseline
    std::size_t min_samples = 100;  // returns needed before scoring; clamped to [4, window]
    double k = 5.0;                 // fence distance beyond the quartiles, in IQRs: ratio 1 at the fence
  };

  // The IQR of a normal distribution in standard deviations: converts the fallback below.
  static constexpr double kIqrPerSigma = 1.349;
  // Floor on the IQR, so a run of identical prices does not make the first tick infinite.
  static constexpr double kMinIqr = kIqrPerSigma * 1e-6;

  explicit IqrDetector(const Options& options);

  // Name "iqr", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Scores the log return since the previous valid trade against the quartiles of earlier returns,
  // then adds it to the baseline. ratio = distance beyond the box [Q1, Q3] / (k IQR): 0 inside the
  // box, 1 on a fence. Invalid trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Values held by the baseline (never more than the window): for memory tests.
  std::size_t baseline_size() const { return ranks_.count(); }

 private:
  // Q3 - Q1, or 1.349 standard deviations when that is 0: on a coarse tick grid over half the
  // returns can be exactly 0, and zero-width fences would make every price change an outlier.
  double spread(double q1, double q3) const;

  std::size_t min_samples_;
  double k_;
  statistical::SortedWindow ranks_;
  RollingMoments moments_;     // the same returns, for the fallback spread
  double previous_price_ = 0;  // 0 until the first valid trade
};

}  // namespace tickguard
