#include "detectors/statistical/grubbs_detector.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

#include "detectors/statistical/detector_support.h"

namespace tickguard {

namespace {

constexpr const char* kQuantity = "log return";

// Report domain and evaluation errors as NaN instead of throwing: detectors never throw.
using NoThrowPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>>;

}  // namespace

GrubbsDetector::GrubbsDetector(const Options& options)
    : sample_size_(std::max<std::size_t>(options.window, 3)),
      critical_(critical_value(sample_size_,
                               options.alpha > 0 && options.alpha < 1 ? options.alpha : Options{}.alpha)),
      baseline_(sample_size_ - 1) {}

DetectorDescriptor GrubbsDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "grubbs",
      .help = "Grubbs outlier test of each trade log return within the last window returns.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 10000,
               "Returns in one test sample, the newest included; scoring starts once it is full."},
              {"alpha", ParamKind::kNumber, defaults.alpha, 1e-9, 0.2,
               "Significance level of one test; a clean return is flagged with probability ~alpha/window."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<GrubbsDetector>(options_from(params));
      },
  };
}

GrubbsDetector::Options GrubbsDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = statistical::count_param(params, "window", options.window);
  if (params.has("alpha")) options.alpha = params.get("alpha");
  return options;
}

double GrubbsDetector::critical_value(std::size_t n, double alpha) {
  if (n < 3 || !(alpha > 0 && alpha < 1)) return std::numeric_limits<double>::quiet_NaN();
  const auto count = static_cast<double>(n);
  const boost::math::students_t_distribution<double, NoThrowPolicy> student(count - 2);
  const double t = boost::math::quantile(boost::math::complement(student, alpha / (2 * count)));
  return (count - 1) / std::sqrt(count) * std::sqrt(t * t / (count - 2 + t * t));
}

void GrubbsDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!statistical::is_scorable(trade)) return;
  const double previous = previous_price_;
  previous_price_ = trade.price;
  if (previous == 0) return;

  const double log_return = std::log(trade.price / previous);
  if (baseline_.count() + 1 < sample_size_) {
    baseline_.add(log_return);
    return;
  }

  // Mean and sum of squared deviations of the sample (baseline plus r) from the baseline's alone:
  // with d = r - baseline mean and a = (n-1)/n, r - mean = a d and M2 = M2_baseline + a d^2.
  const auto n = static_cast<double>(sample_size_);
  const double share = (n - 1) / n;
  const double baseline_mean = baseline_.mean();
  const double baseline_m2 = baseline_.variance() * (n - 2);
  const double deviation = log_return - baseline_mean;
  const double sample_m2 = baseline_m2 + share * deviation * deviation;
  const double stddev = std::max(std::sqrt(sample_m2 / (n - 1)), kMinStddev);
  const double grubbs = share * std::abs(deviation) / stddev;
  const double ratio = grubbs / critical_;
  // The band is the set of r whose G stays below the critical value: solving G(r) = G_critical for
  // d gives d^2 = G^2 M2_baseline / (a ((n-1)^2/n - G^2)), G below its maximum (n-1)/sqrt(n).
  const double g2 = critical_ * critical_;
  const double reach = std::max(std::sqrt(g2 * baseline_m2 / (share * ((n - 1) * (n - 1) / n - g2))),
                                critical_ * kMinStddev / share);
  const double low = baseline_mean - reach;
  const double high = baseline_mean + reach;
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = log_return,
      .expected_low = low,
      .expected_high = high,
      .quantity = kQuantity,
  });
  baseline_.add(std::clamp(log_return, low, high));
}

}  // namespace tickguard
