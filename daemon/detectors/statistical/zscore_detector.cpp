#include "detectors/statistical/zscore_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/statistical/detector_support.h"

namespace tickguard {

namespace {

constexpr const char* kQuantity = "log return";

double seconds_of(Duration duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace

ZScoreDetector::ZScoreDetector(const Options& options)
    : min_samples_(std::clamp<std::size_t>(options.min_samples, 2, std::max<std::size_t>(options.window, 2))),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      halflife_seconds_(options.halflife.count() > 0 ? seconds_of(options.halflife) : 0.0),
      baseline_(halflife_seconds_ > 0 ? 1 : std::max<std::size_t>(options.window, 2)) {}

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
              {"halflife", ParamKind::kDuration, seconds_of(defaults.halflife), 0, 86400,
               "0: the baseline is the last `window` returns. Otherwise an exponentially weighted "
               "baseline whose weights halve per halflife of exchange time; min_samples then counts "
               "the summed weights."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<ZScoreDetector>(options_from(params));
      },
  };
}

ZScoreDetector::Options ZScoreDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = statistical::count_param(params, "window", options.window);
  options.min_samples = statistical::count_param(params, "min_samples", options.min_samples);
  if (params.has("threshold")) options.threshold = params.get("threshold");
  if (params.has("halflife")) {
    const std::chrono::duration<double> seconds(std::max(params.get("halflife"), 0.0));
    options.halflife = std::chrono::round<Duration>(seconds);
  }
  return options;
}

void ZScoreDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!statistical::is_scorable(trade)) return;
  const double previous = previous_price_;
  previous_price_ = trade.price;
  if (previous == 0) return;

  const double log_return = std::log(trade.price / previous);
  if (halflife_seconds_ > 0) {
    // Age the baseline first: the weight that counts is what is left of it at this trade's time.
    age_ewma(trade.exchange_time);
    if (ewma_.weight < static_cast<double>(min_samples_)) {
      add_ewma(log_return);
      return;
    }
    const double stddev = std::max(std::sqrt(ewma_.sum_squared_deviations / ewma_.weight), kMinStddev);
    const double mean = ewma_.mean;
    score(trade.exchange_time, log_return, mean, stddev, sink);
    add_ewma(std::clamp(log_return, mean - threshold_ * stddev, mean + threshold_ * stddev));
    return;
  }

  if (baseline_.count() < min_samples_) {
    baseline_.add(log_return);
    return;
  }
  const double mean = baseline_.mean();
  const double stddev = std::max(baseline_.stddev(), kMinStddev);
  score(trade.exchange_time, log_return, mean, stddev, sink);
  // Winsorized: a spike enters the baseline only as large as the band edge, so it inflates the
  // standard deviation a little instead of hiding the next spike behind it.
  baseline_.add(std::clamp(log_return, mean - threshold_ * stddev, mean + threshold_ * stddev));
}

// Trades stamped at or before the previous one do not age the baseline (no negative decay), so a
// burst within one timestamp counts in full.
void ZScoreDetector::age_ewma(Timestamp time) {
  if (time <= ewma_time_) return;
  const double decay = std::exp2(-seconds_of(time - ewma_time_) / halflife_seconds_);
  ewma_.weight *= decay;
  ewma_.sum_squared_deviations *= decay;
  ewma_time_ = time;
}

void ZScoreDetector::add_ewma(double value) {
  ewma_.weight += 1;
  const double delta = value - ewma_.mean;
  ewma_.mean += delta / ewma_.weight;
  ewma_.sum_squared_deviations = std::max(ewma_.sum_squared_deviations + delta * (value - ewma_.mean), 0.0);
}

void ZScoreDetector::score(Timestamp time, double log_return, double mean, double stddev,
                           ObservationSink& sink) {
  const double z = (log_return - mean) / stddev;
  const double ratio = std::abs(z) / threshold_;
  sink.observe(Observation{
      .time = time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = log_return,
      .expected_low = mean - threshold_ * stddev,
      .expected_high = mean + threshold_ * stddev,
      .quantity = kQuantity,
  });
}

}  // namespace tickguard
