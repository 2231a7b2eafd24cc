#include "detectors/statistical/mad_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/statistical/detector_support.h"

namespace tickguard {

namespace {
constexpr const char* kQuantity = "log return";
}  // namespace

MadDetector::MadDetector(const Options& options)
    : min_samples_(std::clamp<std::size_t>(options.min_samples, 2, std::max<std::size_t>(options.window, 2))),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      ranks_(std::max<std::size_t>(options.window, 2)),
      moments_(std::max<std::size_t>(options.window, 2)) {}

DetectorDescriptor MadDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "mad",
      .help = "Robust z-score of trade log returns against the rolling median and MAD: flags price jumps.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of recent log returns in the baseline."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Returns needed before scoring starts (clamped to window)."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "Absolute robust z-score, (r - median) / (1.4826 MAD), at which a return is anomalous."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<MadDetector>(options_from(params));
      },
  };
}

MadDetector::Options MadDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = statistical::count_param(params, "window", options.window);
  options.min_samples = statistical::count_param(params, "min_samples", options.min_samples);
  if (params.has("threshold")) options.threshold = params.get("threshold");
  return options;
}

double MadDetector::robust_sigma() const {
  const double mad = ranks_.mad();
  const double sigma = mad > 0 ? kMadToSigma * mad : moments_.stddev();
  return std::max(sigma, kMinSigma);
}

void MadDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!statistical::is_scorable(trade)) return;
  const double previous = previous_price_;
  previous_price_ = trade.price;
  if (previous == 0) return;

  const double log_return = std::log(trade.price / previous);
  if (ranks_.count() >= min_samples_) {
    const double median = ranks_.median();
    const double sigma = robust_sigma();
    const double ratio = std::abs(log_return - median) / sigma / threshold_;
    sink.observe(Observation{
        .time = trade.exchange_time,
        .score = score_from_threshold_ratio(ratio),
        .ratio = ratio,
        .observed = log_return,
        .expected_low = median - threshold_ * sigma,
        .expected_high = median + threshold_ * sigma,
        .quantity = kQuantity,
    });
  }
  // Median and MAD shrug off a spike, so unlike zscore the return enters the baseline as it is.
  ranks_.add(log_return);
  moments_.add(log_return);
}

}  // namespace tickguard
