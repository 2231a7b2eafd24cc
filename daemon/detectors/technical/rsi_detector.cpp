#include "detectors/technical/rsi_detector.h"

#include <algorithm>
#include <cmath>

namespace tickguard {

namespace {

constexpr const char* kQuantity = "RSI";

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

RsiDetector::RsiDetector(const Options& options)
    : interval_ns_(options.interval.count() > 0 ? options.interval.count() : Options{}.interval.count()),
      period_(std::max<std::size_t>(options.period, 2)),
      overbought_(options.overbought > 50 && options.overbought < 100 ? options.overbought
                                                                      : Options{}.overbought),
      oversold_(options.oversold > 0 && options.oversold < 50 ? options.oversold : Options{}.oversold) {}

DetectorDescriptor RsiDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "rsi",
      .help = "Wilder's RSI of interval closes: flags overbought and oversold runs (pumps and dumps).",
      .params =
          {
              {"interval", ParamKind::kDuration, std::chrono::duration<double>(defaults.interval).count(), 1,
               86400, "Length of one period, aligned on exchange time; its last trade price is its close."},
              {"period", ParamKind::kInteger, static_cast<double>(defaults.period), 2, 1000,
               "Wilder's smoothing length in periods; the warm-up is twice as many closed periods."},
              {"overbought", ParamKind::kNumber, defaults.overbought, 55, 99,
               "RSI at or above which the market counts as overbought."},
              {"oversold", ParamKind::kNumber, defaults.oversold, 1, 45,
               "RSI at or below which the market counts as oversold."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<RsiDetector>(options_from(params));
      },
  };
}

RsiDetector::Options RsiDetector::options_from(const ParamValues& params) {
  Options options;
  if (params.has("interval")) {
    const std::chrono::duration<double> seconds(params.get("interval"));
    options.interval = std::chrono::round<Duration>(seconds);
  }
  options.period = count_param(params, "period", options.period);
  if (params.has("overbought")) options.overbought = params.get("overbought");
  if (params.has("oversold")) options.oversold = params.get("oversold");
  return options;
}

void RsiDetector::on_trade(const Trade& trade, ObservationSink& sink) {
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
  if (changes_ < 2 * period_) return;

  // One Wilder step with the interval in progress, without committing it.
  const double change = std::log(trade.price / last_close_);
  const double n = static_cast<double>(period_);
  const double gain = (average_gain_ * (n - 1) + std::max(change, 0.0)) / n + kMinAverageMove;
  const double loss = (average_loss_ * (n - 1) + std::max(-change, 0.0)) / n + kMinAverageMove;
  const double rsi = 100 * gain / (gain + loss);
  const double ratio = ratio_of(rsi);
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = rsi,
      .expected_low = oversold_,
      .expected_high = overbought_,
      .quantity = kQuantity,
  });
}

// Linear from 0 at RSI 50 to 1 at the extreme, then from 1 at the extreme to 2 at RSI 100 (or 0):
// an RSI pinned at its limit is a critical anomaly at the default critical_ratio.
double RsiDetector::ratio_of(double rsi) const {
  if (rsi >= 50) {
    return rsi <= overbought_ ? (rsi - 50) / (overbought_ - 50)
                              : 1 + (rsi - overbought_) / (100 - overbought_);
  }
  return rsi >= oversold_ ? (50 - rsi) / (50 - oversold_) : 1 + (oversold_ - rsi) / oversold_;
}

// Closes the interval in progress and the empty ones up to `bucket`; an empty interval closes at
// the previous close, a change of 0. Once seeded, k zero changes just scale both averages by
// ((N-1)/N)^k, so a gap of any length costs O(period) at most.
void RsiDetector::advance_to(std::int64_t bucket) {
  if (last_close_ > 0) add_change(std::log(last_price_ / last_close_));
  last_close_ = last_price_;
  auto empty = static_cast<std::uint64_t>(bucket - bucket_ - 1);
  bucket_ = bucket;
  while (empty > 0 && changes_ < period_) {
    add_change(0.0);
    --empty;
  }
  if (empty == 0) return;
  const double n = static_cast<double>(period_);
  const double decay = std::pow((n - 1) / n, static_cast<double>(empty));
  average_gain_ *= decay;
  average_loss_ *= decay;
  changes_ = static_cast<std::size_t>(std::min<std::uint64_t>(changes_ + empty, 2 * period_));
}

// Wilder's method: the first average is the plain mean of the first N changes, later ones are
// smoothed as average = (average * (N - 1) + value) / N.
void RsiDetector::add_change(double change) {
  const double gain = std::max(change, 0.0);
  const double loss = std::max(-change, 0.0);
  const double n = static_cast<double>(period_);
  if (changes_ < period_) {
    average_gain_ += gain;
    average_loss_ += loss;
    if (changes_ + 1 == period_) {
      average_gain_ /= n;
      average_loss_ /= n;
    }
  } else {
    average_gain_ = (average_gain_ * (n - 1) + gain) / n;
    average_loss_ = (average_loss_ * (n - 1) + loss) / n;
  }
  changes_ = std::min(changes_ + 1, 2 * period_);
}

}  // namespace tickguard
