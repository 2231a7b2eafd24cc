// PageHinkleyDetector: the Page-Hinkley test on standardized trade log returns. Measures each
// return against the running mean of the returns since the last alarm, so it flags one change in
// the mean return, small and slow ones included, and then adopts the new mean as the reference.
#pragma once

#include <cstddef>
#include <memory>

#include "detectors/changepoint/return_standardizer.h"
#include "tickguard/detector.h"

namespace tickguard {

class PageHinkleyDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 1000;         // returns in the baseline that standardizes them
    std::size_t min_samples = 200;     // returns needed before scoring; clamped to [2, window]
    double delta = 0.1;                // tolerated deviation from the running mean, in sigmas
    double threshold = 60.0;           // lambda: the test statistic, in sigmas, that maps to ratio 1
    double forgetting_factor = 0.999;  // alpha: weight kept by the accumulated evidence (1: classic)
  };

  explicit PageHinkleyDetector(const Options& options);

  // Name "page_hinkley", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Standardizes the log return since the previous valid trade (see ReturnStandardizer), updates
  // the running mean and the rise and fall statistics, and reports the larger against the
  // threshold. After an alarm the test restarts, running mean included. Invalid trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Returns the baseline can hold: fixed at construction, whatever the length of the stream.
  std::size_t baseline_capacity() const { return returns_.baseline_capacity(); }

 private:
  void restart();

  double delta_;
  double threshold_;
  double forgetting_factor_;
  ReturnStandardizer returns_;
  double count_ = 0;  // standardized returns since the last restart
  double running_mean_ = 0;
  // With x = r / stddev, the classic statistic for a rise is m_T - min_t m_t, m_T = sum of
  // (x - mean - delta) since the restart; it obeys rise = max(0, rise + x - mean - delta).
  // Forgetting discounts that accumulated evidence: rise = max(0, alpha * rise + x - mean - delta),
  // alpha = 1 being the classic test. Likewise for a fall with -(x - mean) - delta.
  double rise_ = 0;
  double fall_ = 0;
};

}  // namespace tickguard
