// MaBreakDetector: flags trades whose price breaks away from its simple moving average by far more
// than usual: the log deviation from the SMA of recent trade prices is compared with a band of
// `threshold` standard deviations of recent deviations, learned per instrument.
#pragma once

#include <cstddef>
#include <memory>

#include "detectors/common/rolling_moments.h"
#include "tickguard/detector.h"

namespace tickguard {

class MaBreakDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 200;        // trade prices in the moving average
    std::size_t band_window = 2000;  // recent deviations whose spread sets the band
    std::size_t min_samples = 1000;  // deviations needed before scoring; clamped to [2, band_window]
    double threshold = 6.0;          // band half-width in deviation standard deviations at ratio 1
  };

  // Deviations spreading less than this (0.01 basis point) are treated as spreading this much, so a
  // run of identical prices does not turn the first different one into an infinite break.
  static constexpr double kMinStddev = 1e-6;

  explicit MaBreakDetector(const Options& options);

  // Name "ma_break", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Scores ln(price / SMA of the previous `window` prices) against the band of earlier deviations,
  // then adds the deviation (winsorized to the band) and the price to their windows. Invalid
  // trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Prices and deviations the detector keeps; fixed at construction.
  std::size_t retained_values() const { return prices_.capacity() + deviations_.capacity(); }

 private:
  std::size_t min_samples_;
  double threshold_;
  RollingMoments prices_;      // the moving average's window
  RollingMoments deviations_;  // ln(price / SMA) of earlier trades
};

}  // namespace tickguard
