#include "detectors/technical/ma_break_detector.h"

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

}  // namespace

MaBreakDetector::MaBreakDetector(const Options& options)
    : min_samples_(
          std::clamp<std::size_t>(options.min_samples, 2, std::max<std::size_t>(options.band_window, 2))),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      prices_(std::max<std::size_t>(options.window, 1)),
      deviations_(std::max<std::size_t>(options.band_window, 2)) {}

DetectorDescriptor MaBreakDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "ma_break",
      .help =
          "Trade price against a band around its moving average, sized by the usual deviation from "
          "it: flags breakouts.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 5, 100000,
               "Number of recent trade prices in the simple moving average."},
              {"band_window", ParamKind::kInteger, static_cast<double>(defaults.band_window), 10, 1000000,
               "Number of recent deviations from the moving average whose spread sets the band."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 1000000,
               "Deviations needed before scoring starts (clamped to band_window)."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "Band half-width, in standard deviations of the deviation, at which a price breaks out."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<MaBreakDetector>(options_from(params));
      },
  };
}

MaBreakDetector::Options MaBreakDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = count_param(params, "window", options.window);
  options.band_window = count_param(params, "band_window", options.band_window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  if (params.has("threshold")) options.threshold = params.get("threshold");
  return options;
}

void MaBreakDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  if (!prices_.full()) {
    prices_.add(trade.price);
    return;
  }
  const double average = prices_.mean();
  prices_.add(trade.price);
  const double deviation = std::log(trade.price / average);
  if (deviations_.count() < min_samples_) {
    deviations_.add(deviation);
    return;
  }

  const double center = deviations_.mean();
  const double half_width = threshold_ * std::max(deviations_.stddev(), kMinStddev);
  const double ratio = std::abs(deviation - center) / half_width;
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = trade.price,
      .expected_low = average * std::exp(center - half_width),
      .expected_high = average * std::exp(center + half_width),
      .quantity = kQuantity,
  });
  // Winsorized like zscore: a break enters the band's baseline only as large as the band edge, so
  // it does not widen the band enough to hide the rest of the breakout.
  deviations_.add(std::clamp(deviation, center - half_width, center + half_width));
}

}  // namespace tickguard
