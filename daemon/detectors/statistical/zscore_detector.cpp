#include "detectors/statistical/zscore_detector.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

namespace {

constexpr const char* kQuantity = "log return";

std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  // The config loader checks the declared range; this only keeps a bad value from being UB.
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

}  // namespace

ZScoreDetector::ZScoreDetector(const Options& options)
    : min_samples_(std::clamp<std::size_t>(options.min_samples, 2, std::max<std::size_t>(options.window, 2))),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      baseline_(std::max<std::size_t>(options.window, 2)) {}

DetectorDescriptor ZScoreDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "zscore",
      .help = "Rolling z-score of trade log returns: flags price jumps far outside recent volatility.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of recent log returns in the baseline."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Returns needed before scoring starts (clamped to window)."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "Absolute z-score, in standard deviations, at which a return counts as anomalous."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<ZScoreDetector>(options_from(params));
      },
  };
}

ZScoreDetector::Options ZScoreDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = count_param(params, "window", options.window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  if (params.has("threshold")) options.threshold = params.get("threshold");
  return options;
}

void ZScoreDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const double previous = previous_price_;
  previous_price_ = trade.price;
  if (previous == 0) return;

  const double log_return = std::log(trade.price / previous);
  if (baseline_.count() < min_samples_) {
    baseline_.add(log_return);
    return;
  }

  const double mean = baseline_.mean();
  const double stddev = std::max(baseline_.stddev(), kMinStddev);
  const double z = (log_return - mean) / stddev;
  const double ratio = std::abs(z) / threshold_;
  const double low = mean - threshold_ * stddev;
  const double high = mean + threshold_ * stddev;
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = log_return,
      .expected_low = low,
      .expected_high = high,
      .quantity = kQuantity,
  });
  // Winsorized: a spike enters the baseline only as large as the band edge, so it inflates the
  // standard deviation a little instead of hiding the next spike behind it.
  baseline_.add(std::clamp(log_return, low, high));
}

}  // namespace tickguard
