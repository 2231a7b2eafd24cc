#include "detectors/changepoint/return_standardizer.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

ReturnStandardizer::ReturnStandardizer(std::size_t window, std::size_t min_samples)
    : min_samples_(std::clamp<std::size_t>(min_samples, 2, std::max<std::size_t>(window, 2))),
      baseline_(std::max<std::size_t>(window, 2)) {}

double ReturnStandardizer::stddev() const { return std::max(baseline_.stddev(), kMinStddev); }

std::optional<ReturnStandardizer::Standardized> ReturnStandardizer::next(double price) {
  const double previous = previous_price_;
  previous_price_ = price;
  if (previous == 0) return std::nullopt;

  const double log_return = std::log(price / previous);
  if (baseline_.count() < min_samples_) {
    baseline_.add(log_return);
    return std::nullopt;
  }
  const double mean = baseline_.mean();
  const double sigma = stddev();
  const double z = std::clamp((log_return - mean) / sigma, -kMaxAbsZ, kMaxAbsZ);
  // Winsorized, so one jump does not inflate the standard deviation and hide a shift behind it.
  baseline_.add(mean + z * sigma);
  return Standardized{.z = z, .mean_in_sigmas = mean / sigma};
}

}  // namespace tickguard
