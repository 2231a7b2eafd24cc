// WhaleTradeDetector: flags single trades whose notional (price * quantity) is far above the
// instrument's recent high quantile of trade notional and above an absolute floor.
#pragma once

#include <cstddef>
#include <memory>

#include "detectors/crypto/p_square_quantile.h"
#include "tickguard/detector.h"

namespace tickguard {

class WhaleTradeDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 10000;    // trades per baseline generation (see on_trade)
    double quantile = 0.999;       // the baseline's high quantile of notional
    double threshold = 25.0;       // multiple of that quantile that maps to ratio 1
    double min_notional = 100000;  // quote units a trade must also reach for ratio 1
  };

  explicit WhaleTradeDetector(const Options& options);

  // Name "whale_trade", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Scores the trade's notional against the limit max(threshold * quantile, min_notional), then
  // adds it to the baseline in training. The baseline is a P² estimate of log notional over one
  // generation of `window` trades; when the generation in training is complete it replaces the
  // scoring one, so the quantile reflects the last `window` to 2 * `window` trades. Nothing is
  // emitted until the first generation is complete. Invalid trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // The quantile of notional the scoring baseline holds; 0 before warm-up.
  double baseline_quantile() const;
  // Values held by the baseline: constant (two P² estimators), for the bounded-memory test.
  static constexpr std::size_t state_size() { return 10; }  // two estimators of five markers

 private:
  std::size_t window_;
  double threshold_;
  double min_notional_;
  PSquareQuantile scoring_;
  PSquareQuantile training_;
  bool warmed_up_ = false;
};

}  // namespace tickguard
