#include "detectors/technical/adaptive_threshold_detector.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace tickguard {

namespace {

constexpr const char* kQuantity = "trade volume per interval";
constexpr std::int64_t kNanosecondsPerHour = std::int64_t{3600} * 1'000'000'000;

std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  // The config loader checks the declared range; this only keeps a bad value from being UB.
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

// Rounds towards negative infinity, so buckets stay aligned for times before the epoch too.
std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

template <std::size_t... Hours>
std::array<P2Quantile, sizeof...(Hours)> estimators(double probability, std::index_sequence<Hours...>) {
  return {((void)Hours, P2Quantile(probability))...};
}

}  // namespace

AdaptiveThresholdDetector::AdaptiveThresholdDetector(const Options& options)
    : interval_ns_(options.interval.count() > 0 ? options.interval.count() : Options{}.interval.count()),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      min_samples_(std::max<std::size_t>(options.min_samples, 1)),
      hourly_(estimators(options.quantile, std::make_index_sequence<kHoursPerDay>())),
      all_day_(options.quantile) {}

DetectorDescriptor AdaptiveThresholdDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "adaptive_threshold",
      .help =
          "Traded volume per interval against a learned high quantile for the same hour of day: flags "
          "volume bursts unusual for the time of day.",
      .params =
          {
              {"interval", ParamKind::kDuration, std::chrono::duration<double>(defaults.interval).count(), 1,
               3600, "Length of one volume bucket, aligned on exchange time."},
              {"quantile", ParamKind::kNumber, defaults.quantile, 0.5, 0.9999,
               "Quantile of bucket volume learned per hour of day (UTC), e.g. 0.999 for the 99.9th "
               "percentile."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "Multiple of the learned quantile at which a bucket's volume counts as anomalous."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 20, 1000000,
               "Traded buckets before scoring starts, and before an hour's own estimator replaces the "
               "all-day one."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<AdaptiveThresholdDetector>(options_from(params));
      },
  };
}

AdaptiveThresholdDetector::Options AdaptiveThresholdDetector::options_from(const ParamValues& params) {
  Options options;
  if (params.has("interval")) {
    const std::chrono::duration<double> seconds(params.get("interval"));
    options.interval = std::chrono::round<Duration>(seconds);
  }
  if (params.has("quantile")) options.quantile = params.get("quantile");
  if (params.has("threshold")) options.threshold = params.get("threshold");
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  return options;
}

void AdaptiveThresholdDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const std::int64_t bucket = floor_div(trade.exchange_time.time_since_epoch().count(), interval_ns_);
  if (!started_) {
    started_ = true;
    bucket_ = bucket;
  } else if (bucket > bucket_) {
    close_bucket();
    bucket_ = bucket;
  }
  bucket_volume_ += trade.quantity;
  if (all_day_.count() < min_samples_) return;

  const P2Quantile& hour = hourly_[hour_of(bucket_)];
  const double learned = (hour.count() >= min_samples_ ? hour : all_day_).quantile();
  const double limit = threshold_ * std::max(learned, kMinQuantileVolume);
  const double ratio = bucket_volume_ / limit;
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = bucket_volume_,
      .expected_low = 0,
      .expected_high = limit,
      .quantity = kQuantity,
  });
}

// Empty buckets are not learned: for a liquid instrument there are none, and for a sparse one the
// quantile of traded buckets keeps a single ordinary trade from looking like a burst. It also keeps
// a gap of any length O(1).
void AdaptiveThresholdDetector::close_bucket() {
  if (bucket_volume_ > 0) {
    hourly_[hour_of(bucket_)].add(bucket_volume_);
    all_day_.add(bucket_volume_);
  }
  bucket_volume_ = 0;
}

// The UTC hour of day in which the bucket starts.
std::size_t AdaptiveThresholdDetector::hour_of(std::int64_t bucket) const {
  const std::int64_t hours = floor_div(bucket * interval_ns_, kNanosecondsPerHour);
  const std::int64_t hour = hours % static_cast<std::int64_t>(kHoursPerDay);
  return static_cast<std::size_t>(hour < 0 ? hour + static_cast<std::int64_t>(kHoursPerDay) : hour);
}

}  // namespace tickguard
