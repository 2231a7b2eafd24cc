#include "detectors/statistical/iqr_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/statistical/detector_support.h"

namespace tickguard {

namespace {
constexpr const char* kQuantity = "log return";
}  // namespace

IqrDetector::IqrDetector(const Options& options)
    : min_samples_(std::clamp<std::size_t>(options.min_samples, 4, std::max<std::size_t>(options.window, 4))),
      k_(options.k > 0 ? options.k : Options{}.k),
      ranks_(std::max<std::size_t>(options.window, 4)),
      moments_(std::max<std::size_t>(options.window, 4)) {}

DetectorDescriptor IqrDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "iqr",
      .help = "Tukey fences on trade log returns: flags returns beyond the rolling quartiles by k IQRs.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of recent log returns in the baseline."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Returns needed before scoring starts (clamped to window)."},
              {"k", ParamKind::kNumber, defaults.k, 0.5, 100,
               "Fence distance beyond the quartiles in interquartile ranges (1.5 outlier, 3 far out)."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<IqrDetector>(options_from(params));
      },
  };
}

IqrDetector::Options IqrDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = statistical::count_param(params, "window", options.window);
  options.min_samples = statistical::count_param(params, "min_samples", options.min_samples);
  if (params.has("k")) options.k = params.get("k");
  return options;
}

double IqrDetector::spread(double q1, double q3) const {
  const double iqr = q3 - q1;
  return std::max(iqr > 0 ? iqr : kIqrPerSigma * moments_.stddev(), kMinIqr);
}

void IqrDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!statistical::is_scorable(trade)) return;
  const double previous = previous_price_;
  previous_price_ = trade.price;
  if (previous == 0) return;

  const double log_return = std::log(trade.price / previous);
  if (ranks_.count() >= min_samples_) {
    const double q1 = ranks_.quantile(0.25);
    const double q3 = ranks_.quantile(0.75);
    const double reach = k_ * spread(q1, q3);
    const double beyond = std::max({log_return - q3, q1 - log_return, 0.0});
    const double ratio = beyond / reach;
    sink.observe(Observation{
        .time = trade.exchange_time,
        .score = score_from_threshold_ratio(ratio),
        .ratio = ratio,
        .observed = log_return,
        .expected_low = q1 - reach,
        .expected_high = q3 + reach,
        .quantity = kQuantity,
    });
  }
  // Quartiles shrug off a spike, so the return enters the baseline as it is.
  ranks_.add(log_return);
  moments_.add(log_return);
}

}  // namespace tickguard
