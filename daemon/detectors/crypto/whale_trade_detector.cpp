#include "detectors/crypto/whale_trade_detector.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "detectors/common/param_reading.h"

namespace tickguard {

namespace {
constexpr const char* kQuantity = "trade notional";
}  // namespace

WhaleTradeDetector::WhaleTradeDetector(const Options& options)
    : window_(std::max<std::size_t>(options.window, 10)),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      min_notional_(std::isfinite(options.min_notional) ? std::max(options.min_notional, 0.0) : 0.0),
      scoring_(options.quantile),
      training_(options.quantile) {}

DetectorDescriptor WhaleTradeDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "whale_trade",
      .help = "Trade notional against the rolling high quantile of notional: flags single very large trades.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 1000, 10000000,
               "Trades per baseline generation; nothing is scored before the first is complete."},
              {"quantile", ParamKind::kNumber, defaults.quantile, 0.9, 0.99999,
               "Quantile of trade notional the baseline estimates (P² algorithm)."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 1000,
               "Multiple of the baseline quantile at which a trade counts as a whale."},
              {"min_notional", ParamKind::kNumber, defaults.min_notional, 0, 1e12,
               "Notional, in quote units, a trade must also reach to count as a whale."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<WhaleTradeDetector>(options_from(params));
      },
      .trusted = true,
  };
}

WhaleTradeDetector::Options WhaleTradeDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = detector_params::count(params, "window", options.window);
  options.quantile = detector_params::number(params, "quantile", options.quantile);
  options.threshold = detector_params::number(params, "threshold", options.threshold);
  options.min_notional = detector_params::number(params, "min_notional", options.min_notional);
  return options;
}

double WhaleTradeDetector::baseline_quantile() const {
  return warmed_up_ ? std::exp(scoring_.quantile()) : 0.0;
}

void WhaleTradeDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const double notional = trade.price * trade.quantity;
  if (!std::isfinite(notional)) return;

  if (warmed_up_) {
    const double limit = std::max(threshold_ * baseline_quantile(), min_notional_);
    // A zero limit (zero floor, all-zero baseline) flags any positive notional as far beyond it.
    const double ratio = limit > 0 ? notional / limit : (notional > 0 ? 1e9 : 0.0);
    sink.observe(Observation{
        .time = trade.exchange_time,
        .score = score_from_threshold_ratio(ratio),
        .ratio = ratio,
        .observed = notional,
        .expected_low = 0,
        .expected_high = limit,
        .quantity = kQuantity,
    });
  }
  // Log notional keeps P²'s parabolic interpolation well conditioned on heavy-tailed sizes. A
  // zero-quantity trade has no log; it would only drag the high quantile down, so it is skipped.
  if (notional > 0) training_.add(std::log(notional));
  if (training_.count() >= window_) {
    std::swap(scoring_, training_);
    training_.clear();
    warmed_up_ = true;
  }
}

}  // namespace tickguard
