#include "detectors/microstructure/liquidity_drop_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/microstructure/book_depth.h"
#include "detectors/microstructure/param_reading.h"

namespace tickguard {

namespace {

constexpr const char* kQuantity = "quote depth within band";

}  // namespace

LiquidityDropDetector::LiquidityDropDetector(const Options& options)
    : depth_band_(options.depth_band > 0 && options.depth_band < 1 ? options.depth_band
                                                                   : Options{}.depth_band),
      min_samples_(std::clamp<std::size_t>(options.min_samples, 1, std::max<std::size_t>(options.window, 1))),
      drop_factor_(options.drop_factor > 1 ? options.drop_factor : Options{}.drop_factor),
      sampler_(options.sample_interval),
      baseline_(std::max<std::size_t>(options.window, 1)) {}

DetectorDescriptor LiquidityDropDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "liquidity_drop",
      .help =
          "Order book depth within a band around the mid against its rolling median: flags liquidity "
          "collapsing.",
      .params =
          {
              {"depth_band", ParamKind::kNumber, defaults.depth_band, 0.0001, 0.1,
               "Half-width of the band around the mid, as a fraction of the mid (0.005 is +/-0.5%)."},
              {"sample_interval", ParamKind::kDuration,
               std::chrono::duration<double>(defaults.sample_interval).count(), 0.01, 3600,
               "Exchange time between baseline samples: the first book of each interval is sampled."},
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of sampled depths in the baseline."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Sampled depths needed before scoring starts (clamped to window)."},
              {"drop_factor", ParamKind::kNumber, defaults.drop_factor, 1.1, 1000,
               "Median depth divided by current depth at which a book counts as a liquidity drop."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<LiquidityDropDetector>(options_from(params));
      },
  };
}

LiquidityDropDetector::Options LiquidityDropDetector::options_from(const ParamValues& params) {
  Options options;
  options.depth_band = number_param(params, "depth_band", options.depth_band);
  options.sample_interval = duration_param(params, "sample_interval", options.sample_interval);
  options.window = count_param(params, "window", options.window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  options.drop_factor = number_param(params, "drop_factor", options.drop_factor);
  return options;
}

void LiquidityDropDetector::on_book(const BookSnapshot& book, ObservationSink& sink) {
  if (!is_valid_book(book)) return;
  const SideDepth sides = band_depth(book, depth_band_);
  const double depth = sides.bids + sides.asks;
  const bool sampled = sampler_.take(book.exchange_time);
  if (baseline_.count() < min_samples_) {
    if (sampled) baseline_.add(depth);
    return;
  }

  const double median = baseline_.median();
  const double low = median / drop_factor_;
  const double high = median * drop_factor_;
  // A baseline of empty bands has nothing to lose: never a drop.
  const double drop = median > 0 ? median / std::max(depth, median * kMinDepthFraction) : 0.0;
  const double ratio = drop / drop_factor_;
  sink.observe(Observation{
      .time = book.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = depth,
      .expected_low = low,
      .expected_high = high,
      .quantity = kQuantity,
  });
  // Winsorized, so a collapse that lasts a few samples barely moves the median it is judged by.
  if (sampled) baseline_.add(std::clamp(depth, low, high));
}

}  // namespace tickguard
