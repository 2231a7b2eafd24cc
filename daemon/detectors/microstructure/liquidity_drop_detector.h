// LiquidityDropDetector: flags order book depth near the mid collapsing. Each book's quote notional
// within +/- depth_band of the mid (both sides) is compared with the rolling median of that depth,
// sampled once per interval of exchange time: the statistic is median / current depth.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "detectors/common/rolling_median.h"
#include "detectors/microstructure/interval_sampler.h"
#include "tickguard/detector.h"

namespace tickguard {

class LiquidityDropDetector final : public Detector {
 public:
  struct Options {
    double depth_band = 0.005;                           // half-width of the band around mid, fraction of mid
    Duration sample_interval = std::chrono::seconds(1);  // one baseline sample per interval
    std::size_t window = 300;                            // samples in the baseline
    std::size_t min_samples = 60;                        // samples needed before scoring; clamped to window
    double drop_factor = 5.0;                            // median / current depth that maps to ratio 1
  };

  // A band emptied completely is scored as if it held this fraction of the median depth, so the
  // ratio stays finite (1e6 / drop_factor).
  static constexpr double kMinDepthFraction = 1e-6;

  explicit LiquidityDropDetector(const Options& options);

  // Name "liquidity_drop", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Scores the book's depth in the band once the baseline holds min_samples samples; the first
  // book of each sample_interval then enters the baseline (winsorized to the expected band once
  // scoring). Invalid books (see is_valid_book: an empty side, a bad level, a crossed top) are
  // ignored. O(depth), plus O(window) to insert a sample once per interval; no allocation after
  // construction.
  void on_book(const BookSnapshot& book, ObservationSink& sink) override;

  // Samples in the baseline, and the most it can hold (the window): memory is fixed.
  std::size_t baseline_count() const { return baseline_.count(); }
  std::size_t baseline_capacity() const { return baseline_.capacity(); }

 private:
  double depth_band_;
  std::size_t min_samples_;
  double drop_factor_;
  IntervalSampler sampler_;
  RollingMedian baseline_;  // quote notional within the band, one sample per interval
};

}  // namespace tickguard
