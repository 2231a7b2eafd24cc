// AdaptiveThresholdDetector: flags traded volume above a learned high quantile of volume per
// interval for the same hour of the day (UTC), so a burst is judged against what is usual at that
// time: busy sessions do not alarm, and a quiet hour's burst does. Quantiles are streamed with the
// P-square algorithm, O(1) per value and fixed memory.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "detectors/technical/p2_quantile.h"
#include "tickguard/detector.h"

namespace tickguard {

class AdaptiveThresholdDetector final : public Detector {
 public:
  struct Options {
    Duration interval = std::chrono::seconds(10);  // volume bucket length, aligned on multiples of it
    double quantile = 0.999;                       // learned quantile of bucket volume
    double threshold = 5.0;                        // multiple of the learned quantile at ratio 1
    std::size_t min_samples = 360;                 // traded buckets before an estimator is trusted
  };

  static constexpr std::size_t kHoursPerDay = 24;
  // The learned quantile is floored at this many base units, so a history of zero-quantity trades
  // does not make the next real trade an infinite ratio.
  static constexpr double kMinQuantileVolume = 1e-9;

  explicit AdaptiveThresholdDetector(const Options& options);

  // Name "adaptive_threshold", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Adds the trade's quantity to its bucket, closing earlier buckets first (a closed bucket with
  // volume feeds its hour's estimator and the all-day one; empty buckets are skipped), then scores
  // the bucket in progress once the all-day estimator has min_samples buckets. Invalid trades are
  // ignored; a trade stamped before the current bucket counts towards the current bucket.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Values the detector keeps (five P-square markers per estimator); fixed at construction.
  static constexpr std::size_t retained_values() { return 5 * (kHoursPerDay + 1); }
  // Buckets learned by the estimator of `hour` (0-23, UTC) and by the all-day one.
  std::uint64_t hour_samples(std::size_t hour) const { return hourly_[hour % kHoursPerDay].count(); }
  std::uint64_t all_day_samples() const { return all_day_.count(); }

 private:
  void close_bucket();
  std::size_t hour_of(std::int64_t bucket) const;

  std::int64_t interval_ns_;
  double threshold_;
  std::uint64_t min_samples_;
  std::array<P2Quantile, kHoursPerDay> hourly_;
  P2Quantile all_day_;  // stands in for an hour whose own estimator is not yet trusted
  bool started_ = false;
  std::int64_t bucket_ = 0;  // floor(exchange time / interval) of the bucket in progress
  double bucket_volume_ = 0;
};

}  // namespace tickguard
