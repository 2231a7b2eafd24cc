// ReturnStandardizer: turns a stream of trade prices into log returns standardized against a
// rolling baseline of earlier returns, the common input of the mean-shift (changepoint) detectors.
// Memory is fixed at construction; each price costs O(1) amortized.
#pragma once

#include <cstddef>
#include <optional>

#include "detectors/common/rolling_moments.h"

namespace tickguard {

class ReturnStandardizer {
 public:
  // Returns below this standard deviation are treated as having it (as in ZScoreDetector), so a run
  // of identical prices does not turn the next tick into an infinite z.
  static constexpr double kMinStddev = 1e-6;
  // |z| is clamped to this many standard deviations: a single price jump is the zscore detector's
  // business, here it may only nudge a cumulative statistic, never make a changepoint on its own.
  static constexpr double kMaxAbsZ = 4.0;

  // Keeps the last `window` returns (at least 2) and standardizes once `min_samples` of them
  // (clamped to [2, window]) are in the baseline. Allocates once, here.
  ReturnStandardizer(std::size_t window, std::size_t min_samples);

  struct Standardized {
    double z = 0;               // (r - mean) / stddev against the baseline of earlier returns, clamped
    double mean_in_sigmas = 0;  // that baseline's mean / stddev: z + this is r / stddev, clamped
  };

  // Feeds a positive, finite price. Standardizes the log return r since the previous price against
  // the baseline of earlier returns; nullopt for the first price and while the baseline is warming
  // up. Every return then enters the baseline, winsorized to mean +- kMaxAbsZ * stddev once
  // scoring has started.
  std::optional<Standardized> next(double price);

  // The baseline's mean and standard deviation (floored at kMinStddev) of log returns.
  double mean() const { return baseline_.mean(); }
  double stddev() const;
  std::size_t baseline_count() const { return baseline_.count(); }
  std::size_t baseline_capacity() const { return baseline_.capacity(); }

 private:
  std::size_t min_samples_;
  RollingMoments baseline_;
  double previous_price_ = 0;  // 0 until the first price
};

}  // namespace tickguard
