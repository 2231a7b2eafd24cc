// SpreadShockDetector: flags sudden widening of the bid-ask spread. The relative spread of each
// ticker is compared with a robust (median/MAD) baseline of the log spread, sampled once per
// interval of exchange time so the baseline spans the same stretch of time at any ticker rate.
// Spreads pinned at one tick have MAD 0: sigma is then the floor, and a spread above
// exp(threshold * kMinRobustSigma) times the median (3.3x at the default) is flagged.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "detectors/common/rolling_median.h"
#include "detectors/microstructure/interval_sampler.h"
#include "tickguard/detector.h"

namespace tickguard {

class SpreadShockDetector final : public Detector {
 public:
  struct Options {
    Duration sample_interval = std::chrono::seconds(1);  // one baseline sample per interval
    std::size_t window = 300;                            // samples in the baseline
    std::size_t min_samples = 60;                        // samples needed before scoring; clamped to window
    double threshold = 6.0;                              // robust z of log spread that maps to ratio 1
  };

  // Floor on the robust sigma of the log spread, a 20% change in spread. Tick-bound spreads sit
  // at one value most of the time, so their MAD is 0 and a one-tick widening would otherwise be a
  // shock of infinite size.
  static constexpr double kMinRobustSigma = 0.2;
  // Scales a MAD to the standard deviation it implies for normally distributed data.
  static constexpr double kMadToSigma = 1.4826;

  explicit SpreadShockDetector(const Options& options);

  // Name "spread_shock", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Scores the ticker's relative spread (ask - bid) / mid once the baseline holds min_samples
  // samples; the first ticker of each sample_interval then enters the baseline (winsorized to the
  // expected band once scoring). Tickers with a non-finite or non-positive price, a non-finite or
  // negative size, or ask <= bid (locked or crossed) are ignored. O(1), plus O(window) to refresh
  // the baseline once per sample_interval; no allocation after construction.
  void on_ticker(const Ticker& ticker, ObservationSink& sink) override;

  // Samples in the baseline, and the most it can hold (the window): memory is fixed.
  std::size_t baseline_count() const { return baseline_.count(); }
  std::size_t baseline_capacity() const { return baseline_.capacity(); }

 private:
  void add_sample(double log_spread);

  std::size_t min_samples_;
  double threshold_;
  IntervalSampler sampler_;
  RollingMedian baseline_;  // log relative spread, one sample per interval
  // The baseline's median and robust sigma, refreshed only when a sample enters, so scoring a
  // ticker is O(1).
  double median_ = 0;
  double sigma_ = kMinRobustSigma;
};

}  // namespace tickguard
