#include "detectors/microstructure/spread_shock_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/microstructure/param_reading.h"

namespace tickguard {

namespace {

constexpr const char* kQuantity = "relative spread";

bool is_valid_ticker(const Ticker& ticker) {
  for (double price : {ticker.bid_price, ticker.ask_price}) {
    if (!std::isfinite(price) || price <= 0) return false;
  }
  for (double size : {ticker.bid_size, ticker.ask_size}) {
    if (!std::isfinite(size) || size < 0) return false;
  }
  return ticker.bid_price < ticker.ask_price;
}

}  // namespace

SpreadShockDetector::SpreadShockDetector(const Options& options)
    : min_samples_(std::clamp<std::size_t>(options.min_samples, 1, std::max<std::size_t>(options.window, 1))),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      sampler_(options.sample_interval),
      baseline_(std::max<std::size_t>(options.window, 1)) {}

DetectorDescriptor SpreadShockDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "spread_shock",
      .help =
          "Relative bid-ask spread against a rolling median/MAD baseline of its log: flags sudden widening.",
      .params =
          {
              {"sample_interval", ParamKind::kDuration,
               std::chrono::duration<double>(defaults.sample_interval).count(), 0.01, 3600,
               "Exchange time between baseline samples: the first ticker of each interval is sampled."},
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of sampled spreads in the baseline."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Sampled spreads needed before scoring starts (clamped to window)."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "Robust z-score of the log relative spread at which a ticker counts as a spread shock."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<SpreadShockDetector>(options_from(params));
      },
  };
}

SpreadShockDetector::Options SpreadShockDetector::options_from(const ParamValues& params) {
  Options options;
  options.sample_interval = duration_param(params, "sample_interval", options.sample_interval);
  options.window = count_param(params, "window", options.window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  options.threshold = number_param(params, "threshold", options.threshold);
  return options;
}

void SpreadShockDetector::on_ticker(const Ticker& ticker, ObservationSink& sink) {
  if (!is_valid_ticker(ticker)) return;
  const double mid = 0.5 * (ticker.bid_price + ticker.ask_price);
  const double spread = (ticker.ask_price - ticker.bid_price) / mid;
  const double log_spread = std::log(spread);
  const bool sampled = sampler_.take(ticker.exchange_time);
  if (baseline_.count() < min_samples_) {
    if (sampled) add_sample(log_spread);
    return;
  }

  const double low = median_ - threshold_ * sigma_;
  const double high = median_ + threshold_ * sigma_;
  const double z = (log_spread - median_) / sigma_;
  const double ratio = std::max(z, 0.0) / threshold_;  // a narrowing spread is not a shock
  sink.observe(Observation{
      .time = ticker.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = spread,
      .expected_low = std::exp(low),
      .expected_high = std::exp(high),
      .quantity = kQuantity,
  });
  // Winsorized, so a shock that lasts a few samples barely moves the baseline it is judged by.
  if (sampled) add_sample(std::clamp(log_spread, low, high));
}

// One shift of the sorted copy (a memmove of at most window doubles) plus the MAD, O(log window).
void SpreadShockDetector::add_sample(double log_spread) {
  baseline_.add(log_spread);
  median_ = baseline_.median();
  sigma_ = std::max(kMadToSigma * baseline_.mad(), kMinRobustSigma);
}

}  // namespace tickguard
