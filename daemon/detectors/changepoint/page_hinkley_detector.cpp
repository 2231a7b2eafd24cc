#include "detectors/changepoint/page_hinkley_detector.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

namespace {

constexpr const char* kQuantity = "page-hinkley statistic of standardized log returns";

std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  // The config loader checks the declared range; this only keeps a bad value from being UB.
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

}  // namespace

PageHinkleyDetector::PageHinkleyDetector(const Options& options)
    : delta_(options.delta >= 0 && std::isfinite(options.delta) ? options.delta : Options{}.delta),
      threshold_(options.threshold > 0 && std::isfinite(options.threshold) ? options.threshold
                                                                           : Options{}.threshold),
      forgetting_factor_(options.forgetting_factor > 0 && options.forgetting_factor <= 1
                             ? options.forgetting_factor
                             : Options{}.forgetting_factor),
      returns_(options.window, options.min_samples) {}

DetectorDescriptor PageHinkleyDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "page_hinkley",
      .help = "Page-Hinkley test on standardized trade log returns: flags a change in the mean return.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of recent log returns whose mean and standard deviation standardize a return."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Returns needed before scoring starts (clamped to window)."},
              {"delta", ParamKind::kNumber, defaults.delta, 0, 10,
               "Deviation from the running mean, in standard deviations, tolerated on every return."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 10000,
               "Lambda: the test statistic, in standard deviations, that raises an alarm."},
              {"forgetting_factor", ParamKind::kNumber, defaults.forgetting_factor, 0.9, 1,
               "Alpha: share of the accumulated evidence kept at each trade; 1 forgets nothing (the classic "
               "test)."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<PageHinkleyDetector>(options_from(params));
      },
  };
}

PageHinkleyDetector::Options PageHinkleyDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = count_param(params, "window", options.window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  if (params.has("delta")) options.delta = params.get("delta");
  if (params.has("threshold")) options.threshold = params.get("threshold");
  if (params.has("forgetting_factor")) options.forgetting_factor = params.get("forgetting_factor");
  return options;
}

void PageHinkleyDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const std::optional<ReturnStandardizer::Standardized> standardized = returns_.next(trade.price);
  if (!standardized) return;
  // Measured from 0 rather than from the rolling baseline's mean: the reference is the test's own
  // running mean since the restart, which a slow drift cannot drag along as it does a rolling mean.
  const double x = standardized->z + standardized->mean_in_sigmas;

  count_ += 1;
  running_mean_ += (x - running_mean_) / count_;
  const double deviation = x - running_mean_;
  rise_ = std::max(0.0, forgetting_factor_ * rise_ + deviation - delta_);
  fall_ = std::max(0.0, forgetting_factor_ * fall_ - deviation - delta_);
  // Signed: positive while the mean return is rising, negative while it is falling.
  const double statistic = rise_ >= fall_ ? rise_ : -fall_;
  const double ratio = std::abs(statistic) / threshold_;
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = statistic,
      .expected_low = -threshold_,
      .expected_high = threshold_,
      .quantity = kQuantity,
  });
  if (ratio >= 1) restart();
}

void PageHinkleyDetector::restart() {
  count_ = 0;
  running_mean_ = 0;
  rise_ = 0;
  fall_ = 0;
}

}  // namespace tickguard
