// CusumDetector: two-sided CUSUM on standardized trade log returns. Flags a sustained shift in
// the mean return (a trend or a creeping price level shift) that is too small per trade for the
// zscore detector but adds up over tens of trades.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "detectors/changepoint/return_standardizer.h"
#include "tickguard/clock.h"
#include "tickguard/detector.h"

namespace tickguard {

class CusumDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 1000;      // returns in the baseline that standardizes them
    std::size_t min_samples = 200;  // returns needed before scoring; clamped to [2, window]
    double drift = 0.5;             // allowance k in sigmas: half the mean shift to detect
    double threshold = 15.0;        // decision interval h in sigmas: the sum that maps to ratio 1
    // 0: every trade's return. Above 0: the return between the closes (last trade prices) of
    // consecutive intervals of this length, which sees a trend through the bid-ask bounce.
    Duration interval = std::chrono::seconds(10);
  };

  explicit CusumDetector(const Options& options);

  // Name "cusum", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Standardizes the log return since the previous valid trade (see ReturnStandardizer), or with an
  // interval the return since the previous interval's close once a trade closes an interval, adds
  // it to the upper and lower sums, and reports the larger one against the threshold. Both sums
  // restart from 0 after an alarm. Invalid trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Returns the baseline can hold: fixed at construction, whatever the length of the stream.
  std::size_t baseline_capacity() const { return returns_.baseline_capacity(); }

 private:
  void update(double price, Timestamp time, ObservationSink& sink);

  double drift_;
  double threshold_;
  std::int64_t interval_ns_;
  std::int64_t bucket_ = 0;  // index of the interval in progress
  double close_ = 0;         // last trade price in it; 0 before the first trade
  ReturnStandardizer returns_;
  double upper_sum_ = 0;  // S+ = max(0, S+ + z - k): evidence of a rise in the mean return
  double lower_sum_ = 0;  // S- = max(0, S- - z - k): evidence of a fall
};

}  // namespace tickguard
