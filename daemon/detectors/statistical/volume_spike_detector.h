// VolumeSpikeDetector: flags bursts of traded volume. Volume is summed per fixed interval of
// exchange time and compared with a robust (median/MAD) baseline of recent intervals; the interval
// still in progress is scored on every trade, so a burst is flagged before its interval ends.
// Meant for instruments that trade in most intervals: once over half of the recent intervals are
// empty, median and MAD are 0, sigma is the floor, and any trade above expm1(threshold * 0.1)
// base units is flagged. Sparse instruments need a longer interval.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "detectors/common/rolling_median.h"
#include "tickguard/detector.h"

namespace tickguard {

class VolumeSpikeDetector final : public Detector {
 public:
  struct Options {
    Duration interval = std::chrono::seconds(30);  // bucket length, aligned on multiples of it
    std::size_t window = 60;                       // closed buckets in the baseline
    std::size_t min_samples = 20;                  // closed buckets needed before scoring; clamped to window
    double threshold = 10.0;                       // robust z (see kMinRobustSigma) that maps to ratio 1
  };

  // Floor on the robust sigma of log1p(volume), about a 10% change in volume. Without it a
  // baseline of identical buckets (often all zero) has MAD 0 and any trade is an infinite spike.
  static constexpr double kMinRobustSigma = 0.1;
  // Scales a MAD to the standard deviation it implies for normally distributed data.
  static constexpr double kMadToSigma = 1.4826;

  explicit VolumeSpikeDetector(const Options& options);

  // Name "volume_spike", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Adds the trade's quantity to its bucket, closing earlier buckets first, then scores the
  // bucket in progress once enough buckets have closed. Invalid trades are ignored. A trade
  // stamped before the current bucket counts towards the current bucket.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

 private:
  void advance_to(std::int64_t bucket);
  void score(Timestamp time, ObservationSink& sink) const;

  std::int64_t interval_ns_;
  std::size_t min_samples_;
  double threshold_;
  RollingMedian baseline_;  // log1p(volume) of closed buckets
  // The baseline's median and robust sigma, recomputed only when a bucket closes, so scoring a
  // trade is O(1).
  double median_ = 0;
  double sigma_ = kMinRobustSigma;
  bool started_ = false;
  std::int64_t bucket_ = 0;  // floor(exchange time / interval) of the bucket in progress
  double bucket_volume_ = 0;
};

}  // namespace tickguard
