#include "detectors/changepoint/ewma_control_detector.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

namespace {

constexpr const char* kQuantity = "ewma of absolute log return";

std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  // The config loader checks the declared range; this only keeps a bad value from being UB.
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

}  // namespace

EwmaControlDetector::EwmaControlDetector(const Options& options)
    : min_samples_(std::clamp<std::size_t>(options.min_samples, 2, std::max<std::size_t>(options.window, 2))),
      smoothing_(options.smoothing > 0 && options.smoothing <= 1 ? options.smoothing : Options{}.smoothing),
      threshold_(options.threshold > 0 && std::isfinite(options.threshold) ? options.threshold
                                                                           : Options{}.threshold),
      ewma_stddev_factor_(std::sqrt(smoothing_ / (2 - smoothing_))),
      baseline_(std::max<std::size_t>(options.window, 2)) {}

DetectorDescriptor EwmaControlDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "ewma_control",
      .help =
          "EWMA control chart of absolute trade log returns against a slow baseline: flags a rise in "
          "volatility.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of recent absolute log returns in the baseline."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Absolute log returns needed before scoring starts (clamped to window)."},
              {"smoothing", ParamKind::kNumber, defaults.smoothing, 0.001, 1,
               "Lambda: weight of the newest absolute log return in the EWMA (1: no smoothing)."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "L: distance of the upper control limit from the baseline mean, in standard deviations "
               "of the EWMA."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<EwmaControlDetector>(options_from(params));
      },
      .trusted = true,
  };
}

EwmaControlDetector::Options EwmaControlDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = count_param(params, "window", options.window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  if (params.has("smoothing")) options.smoothing = params.get("smoothing");
  if (params.has("threshold")) options.threshold = params.get("threshold");
  return options;
}

void EwmaControlDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const double previous = previous_price_;
  previous_price_ = trade.price;
  if (previous == 0) return;

  const double absolute_return = std::abs(std::log(trade.price / previous));
  if (baseline_.count() < min_samples_) {
    update_ewma(absolute_return);
    baseline_.add(absolute_return);
    return;
  }
  const double mean = baseline_.mean();
  const double stddev = std::max(baseline_.stddev(), kMinStddev);
  const double clipped = std::min(absolute_return, mean + kMaxDeviation * stddev);
  update_ewma(clipped);
  const double limit = threshold_ * ewma_stddev_factor_ * stddev;
  const double ratio = std::max(ewma_ - mean, 0.0) / limit;
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = ewma_,
      .expected_low = std::max(0.0, mean - limit),
      .expected_high = mean + limit,
      .quantity = kQuantity,
  });
  baseline_.add(clipped);
}

// Until 1 / lambda values have arrived the EWMA is their plain mean, so it does not start biased
// towards the first value.
void EwmaControlDetector::update_ewma(double value) {
  ewma_count_ = std::min(ewma_count_ + 1, 1 / smoothing_);
  ewma_ += (value - ewma_) / ewma_count_;
}

}  // namespace tickguard
