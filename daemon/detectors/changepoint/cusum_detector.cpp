#include "detectors/changepoint/cusum_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/common/param_reading.h"

namespace tickguard {

namespace {

constexpr const char* kQuantity = "cusum of standardized log returns";

std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  // The config loader checks the declared range; this only keeps a bad value from being UB.
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

}  // namespace

CusumDetector::CusumDetector(const Options& options)
    : drift_(options.drift >= 0 && std::isfinite(options.drift) ? options.drift : Options{}.drift),
      threshold_(options.threshold > 0 && std::isfinite(options.threshold) ? options.threshold
                                                                           : Options{}.threshold),
      interval_ns_(std::max<std::int64_t>(options.interval.count(), 0)),
      returns_(options.window, options.min_samples) {}

DetectorDescriptor CusumDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "cusum",
      .help =
          "Two-sided CUSUM of standardized trade log returns: flags a sustained shift in the mean return.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of recent log returns whose mean and standard deviation standardize a return."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Returns needed before scoring starts (clamped to window)."},
              {"drift", ParamKind::kNumber, defaults.drift, 0, 10,
               "Allowance k in standard deviations, subtracted from every step: half the shift to detect."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 1000,
               "Decision interval h: the cumulative sum, in standard deviations, that raises an alarm."},
              {"interval", ParamKind::kDuration, detector_params::seconds(defaults.interval), 0, 3600,
               "0: the return of every trade. Above 0: the return between the closes of consecutive "
               "intervals of this length, which sees a steady trend through the bid-ask bounce."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<CusumDetector>(options_from(params));
      },
      .trusted = true,
  };
}

CusumDetector::Options CusumDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = count_param(params, "window", options.window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  if (params.has("drift")) options.drift = params.get("drift");
  if (params.has("threshold")) options.threshold = params.get("threshold");
  options.interval = detector_params::duration(params, "interval", options.interval);
  return options;
}

void CusumDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  if (interval_ns_ == 0) {
    update(trade.price, trade.exchange_time, sink);
    return;
  }
  const std::int64_t bucket =
      detector_params::floor_div(trade.exchange_time.time_since_epoch().count(), interval_ns_);
  if (close_ > 0 && bucket > bucket_) update(close_, trade.exchange_time, sink);  // closes bucket_
  if (close_ == 0 || bucket >= bucket_) {
    bucket_ = bucket;
    close_ = trade.price;
  }
}

void CusumDetector::update(double price, Timestamp time, ObservationSink& sink) {
  const std::optional<ReturnStandardizer::Standardized> standardized = returns_.next(price);
  if (!standardized) return;
  const double z = standardized->z;

  upper_sum_ = std::max(0.0, upper_sum_ + z - drift_);
  lower_sum_ = std::max(0.0, lower_sum_ - z - drift_);
  // Signed: positive while the mean return looks higher than the baseline's, negative while lower.
  const double statistic = upper_sum_ >= lower_sum_ ? upper_sum_ : -lower_sum_;
  const double ratio = std::abs(statistic) / threshold_;
  sink.observe(Observation{
      .time = time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = statistic,
      .expected_low = -threshold_,
      .expected_high = threshold_,
      .quantity = kQuantity,
  });
  if (ratio >= 1) {
    // Start collecting evidence afresh: a shift that persists raises the next alarm after another
    // h / (shift - k) trades, until the baseline has absorbed the new mean.
    upper_sum_ = 0;
    lower_sum_ = 0;
  }
}

}  // namespace tickguard
