// GrubbsDetector: a two-sided Grubbs test on each new trade log return. The sample is the last
// `window` returns including the new one; the new return is an outlier when its Grubbs statistic
// G = |r - mean| / s exceeds the critical value at significance `alpha` for that sample size.
#pragma once

#include <cstddef>
#include <memory>

#include "detectors/common/rolling_moments.h"
#include "tickguard/detector.h"

namespace tickguard {

class GrubbsDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 300;  // returns in one test sample, the new one included
    double alpha = 1e-9;       // significance level of the test on one sample
  };

  // Sample standard deviations below this are treated as having it, so a run of identical prices
  // does not make the first tick infinite.
  static constexpr double kMinStddev = 1e-6;

  explicit GrubbsDetector(const Options& options);

  // Name "grubbs", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);
  // The two-sided Grubbs critical value for n values at significance alpha, from the Student t
  // quantile: (n-1)/sqrt(n) * sqrt(t^2 / (n-2+t^2)), t = t_{alpha/(2n), n-2}. NaN if n < 3 or alpha
  // is outside (0, 1).
  static double critical_value(std::size_t n, double alpha);

  // Once window - 1 returns are in the baseline, scores the log return since the previous valid
  // trade as the newest member of a Grubbs sample: ratio = G / G_critical. A return found to be an
  // outlier then enters the baseline clamped to the band edge, as the Grubbs procedure removes an
  // outlier before testing again. Invalid trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Values held by the baseline (never more than window - 1): for memory tests.
  std::size_t baseline_size() const { return baseline_.count(); }
  double critical() const { return critical_; }

 private:
  std::size_t sample_size_;    // n: the baseline plus the return under test
  double critical_;            // G_critical for n and alpha, computed once
  RollingMoments baseline_;    // the previous n - 1 returns
  double previous_price_ = 0;  // 0 until the first valid trade
};

}  // namespace tickguard
