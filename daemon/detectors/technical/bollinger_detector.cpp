#include "detectors/technical/bollinger_detector.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

namespace {

constexpr const char* kQuantity = "trade price";

std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  // The config loader checks the declared range; this only keeps a bad value from being UB.
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

// Rounds towards negative infinity, so intervals stay aligned for times before the epoch too.
std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

}  // namespace

BollingerDetector::BollingerDetector(const Options& options)
    : interval_ns_(options.interval.count() > 0 ? options.interval.count() : Options{}.interval.count()),
      period_(std::max<std::size_t>(options.period, 2)),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      closes_(period_) {}

DetectorDescriptor BollingerDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "bollinger",
      .help = "Trade price against the Bollinger band of recent interval closes: flags band breaches.",
      .params =
          {
              {"interval", ParamKind::kDuration, std::chrono::duration<double>(defaults.interval).count(), 1,
               86400, "Length of one period, aligned on exchange time; its last trade price is its close."},
              {"period", ParamKind::kInteger, static_cast<double>(defaults.period), 5, 10000,
               "Closed periods in the moving average and standard deviation; also the warm-up."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "Band half-width in standard deviations of the closes (the k) at which a price breaches."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<BollingerDetector>(options_from(params));
      },
  };
}

BollingerDetector::Options BollingerDetector::options_from(const ParamValues& params) {
  Options options;
  if (params.has("interval")) {
    const std::chrono::duration<double> seconds(params.get("interval"));
    options.interval = std::chrono::round<Duration>(seconds);
  }
  options.period = count_param(params, "period", options.period);
  if (params.has("threshold")) options.threshold = params.get("threshold");
  return options;
}

void BollingerDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const std::int64_t bucket = floor_div(trade.exchange_time.time_since_epoch().count(), interval_ns_);
  if (!started_) {
    started_ = true;
    bucket_ = bucket;
  } else if (bucket > bucket_) {
    advance_to(bucket);
  }
  last_price_ = trade.price;
  if (closes_.count() < period_) return;

  const double half_width = threshold_ * sigma_;
  const double ratio = std::abs(trade.price - average_) / half_width;
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = trade.price,
      .expected_low = average_ - half_width,
      .expected_high = average_ + half_width,
      .quantity = kQuantity,
  });
}

// Closes the interval in progress and the empty ones up to `bucket`: an empty interval closes at
// the previous close. Past a full period of them the rest cannot change the window, so a gap costs
// O(period) at most.
void BollingerDetector::advance_to(std::int64_t bucket) {
  const auto empty = static_cast<std::uint64_t>(bucket - bucket_ - 1);
  const std::uint64_t closes = 1 + std::min<std::uint64_t>(empty, period_);
  for (std::uint64_t i = 0; i < closes; ++i) closes_.add(last_price_);
  bucket_ = bucket;
  average_ = closes_.mean();
  sigma_ = std::max(closes_.stddev(), kMinRelativeSigma * average_);
}

}  // namespace tickguard
