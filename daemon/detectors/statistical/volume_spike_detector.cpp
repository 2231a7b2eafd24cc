#include "detectors/statistical/volume_spike_detector.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

namespace {

constexpr const char* kQuantity = "trade volume per interval";

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

}  // namespace

VolumeSpikeDetector::VolumeSpikeDetector(const Options& options)
    : interval_ns_(options.interval.count() > 0 ? options.interval.count() : Options{}.interval.count()),
      min_samples_(std::clamp<std::size_t>(options.min_samples, 1, std::max<std::size_t>(options.window, 1))),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      baseline_(std::max<std::size_t>(options.window, 1)) {}

DetectorDescriptor VolumeSpikeDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "volume_spike",
      .help = "Traded volume per interval against a rolling median/MAD baseline: flags volume bursts.",
      .params =
          {
              {"interval", ParamKind::kDuration, std::chrono::duration<double>(defaults.interval).count(), 1,
               3600, "Length of one volume bucket, aligned on exchange time."},
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 5, 10000,
               "Number of closed buckets in the baseline."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 3, 10000,
               "Closed buckets needed before scoring starts (clamped to window)."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "Robust z-score of log1p(bucket volume) at which a bucket counts as a spike."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<VolumeSpikeDetector>(options_from(params));
      },
  };
}

VolumeSpikeDetector::Options VolumeSpikeDetector::options_from(const ParamValues& params) {
  Options options;
  if (params.has("interval")) {
    const std::chrono::duration<double> seconds(params.get("interval"));
    options.interval = std::chrono::round<Duration>(seconds);
  }
  options.window = count_param(params, "window", options.window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  if (params.has("threshold")) options.threshold = params.get("threshold");
  return options;
}

void VolumeSpikeDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const std::int64_t bucket = floor_div(trade.exchange_time.time_since_epoch().count(), interval_ns_);
  if (!started_) {
    started_ = true;
    bucket_ = bucket;
  } else if (bucket > bucket_) {
    advance_to(bucket);
  }
  bucket_volume_ += trade.quantity;
  if (baseline_.count() >= min_samples_) score(trade.exchange_time, sink);
}

// Closes the bucket in progress and the empty ones up to `bucket`, and refreshes the cached
// median and sigma (O(window), once per interval). Past a full window of empty buckets the rest
// cannot change the baseline, so the gap costs O(window log window) at most.
void VolumeSpikeDetector::advance_to(std::int64_t bucket) {
  baseline_.add(std::log1p(bucket_volume_));
  const auto empty = static_cast<std::uint64_t>(bucket - bucket_ - 1);
  baseline_.add_repeated(0.0, static_cast<std::size_t>(std::min<std::uint64_t>(empty, baseline_.capacity())));
  bucket_ = bucket;
  bucket_volume_ = 0;
  median_ = baseline_.median();
  sigma_ = std::max(kMadToSigma * baseline_.mad(), kMinRobustSigma);
}

void VolumeSpikeDetector::score(Timestamp time, ObservationSink& sink) const {
  const double median = median_;
  const double sigma = sigma_;
  const double z = (std::log1p(bucket_volume_) - median) / sigma;
  const double ratio = std::max(z, 0.0) / threshold_;  // quiet intervals are not anomalies here
  sink.observe(Observation{
      .time = time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = bucket_volume_,
      .expected_low = std::max(0.0, std::expm1(median - threshold_ * sigma)),
      .expected_high = std::expm1(median + threshold_ * sigma),
      .quantity = kQuantity,
  });
}

}  // namespace tickguard
