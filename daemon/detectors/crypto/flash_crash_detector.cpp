#include "detectors/crypto/flash_crash_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/common/param_reading.h"

namespace tickguard {

namespace {

constexpr const char* kMoveQuantity = "price move % within window";
constexpr const char* kCrashQuantity = "flash crash move %";
constexpr const char* kRallyQuantity = "flash rally move %";
constexpr const char* kCrashRecoveryQuantity = "flash crash recovered share";
constexpr const char* kRallyRecoveryQuantity = "flash rally reversed share";

std::int64_t bucket_length(Duration window) {
  const std::int64_t window_ns =
      window.count() > 0 ? window.count() : FlashCrashDetector::Options{}.window.count();
  return std::max<std::int64_t>(window_ns / static_cast<std::int64_t>(FlashCrashDetector::kBucketsPerWindow),
                                1);
}

}  // namespace

FlashCrashDetector::FlashCrashDetector(const Options& options)
    : threshold_percent_(options.threshold_percent > 0 ? options.threshold_percent
                                                       : Options{}.threshold_percent),
      bucket_ns_(bucket_length(options.window)),
      recovery_window_(std::max(options.recovery_window, Duration::zero())),
      max_(WindowExtreme::Kind::kMax, kBucketsPerWindow),
      min_(WindowExtreme::Kind::kMin, kBucketsPerWindow) {}

DetectorDescriptor FlashCrashDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "flash_crash",
      .help =
          "Price move from the window's max or min beyond a percentage: flags flash crashes and rallies, "
          "then reports how much of the move reverses.",
      .params =
          {
              {"threshold_percent", ParamKind::kNumber, defaults.threshold_percent, 0.1, 90,
               "Move, in percent of the window's max (fall) or min (rise), at which a trade counts as a "
               "flash "
               "move."},
              {"window", ParamKind::kDuration, detector_params::seconds(defaults.window), 1, 3600,
               "Time within which the move must happen; also the warm-up."},
              {"recovery_window", ParamKind::kDuration, detector_params::seconds(defaults.recovery_window), 1,
               86400, "How long after a flash move its reversal is tracked and reported."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<FlashCrashDetector>(options_from(params));
      },
      .trusted = true,
  };
}

FlashCrashDetector::Options FlashCrashDetector::options_from(const ParamValues& params) {
  Options options;
  options.threshold_percent = detector_params::number(params, "threshold_percent", options.threshold_percent);
  options.window = detector_params::duration(params, "window", options.window);
  options.recovery_window = detector_params::duration(params, "recovery_window", options.recovery_window);
  return options;
}

void FlashCrashDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const std::int64_t bucket =
      detector_params::floor_div(trade.exchange_time.time_since_epoch().count(), bucket_ns_);
  if (!started_) {
    started_ = true;
    first_bucket_ = bucket;
    bucket_ = bucket;
  }
  bucket_ = std::max(bucket_, bucket);
  max_.add(bucket_, trade.price);
  min_.add(bucket_, trade.price);
  if (bucket_ - first_bucket_ < static_cast<std::int64_t>(kBucketsPerWindow)) return;

  const double fall = trade.price / max_.extreme() - 1.0;  // <= 0
  const double rise = trade.price / min_.extreme() - 1.0;  // >= 0
  const double move_percent = 100.0 * (-fall >= rise ? fall : rise);
  const double ratio = std::abs(move_percent) / threshold_percent_;
  if (in_episode_ && trade.exchange_time - episode_.start >= recovery_window_) {
    last_episode_ = episode_;
    has_last_episode_ = true;
    in_episode_ = false;
  }
  if (!in_episode_ && ratio >= 1) {
    in_episode_ = true;
    episode_ = Episode{
        .crash = move_percent < 0,
        .start = trade.exchange_time,
        .reference_price = move_percent < 0 ? max_.extreme() : min_.extreme(),
        .extreme_price = trade.price,
        .reversed_fraction = 0,
    };
  }
  if (in_episode_) {
    track_episode(trade, move_percent, ratio, sink);
    return;
  }
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = move_percent,
      .expected_low = -threshold_percent_,
      .expected_high = threshold_percent_,
      .quantity = kMoveQuantity,
  });
}

// Reports a trade inside an episode: as the move while the price makes new extremes, else as the
// share of the move reversed. The ratio stays the window's, so the alert clears once the move has
// left the window, whatever the price did.
void FlashCrashDetector::track_episode(const Trade& trade, double move_percent, double ratio,
                                       ObservationSink& sink) {
  const bool new_extreme =
      episode_.crash ? trade.price <= episode_.extreme_price : trade.price >= episode_.extreme_price;
  if (new_extreme) episode_.extreme_price = trade.price;
  const double span = episode_.reference_price - episode_.extreme_price;  // signed, never 0 here
  episode_.reversed_fraction = span != 0 ? (trade.price - episode_.extreme_price) / span : 0.0;
  Observation observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = move_percent,
      .expected_low = -threshold_percent_,
      .expected_high = threshold_percent_,
      .quantity = episode_.crash ? kCrashQuantity : kRallyQuantity,
  };
  if (!new_extreme) {
    observation.observed = episode_.reversed_fraction;
    observation.expected_low = 0;
    observation.expected_high = 1;
    observation.quantity = episode_.crash ? kCrashRecoveryQuantity : kRallyRecoveryQuantity;
  }
  sink.observe(observation);
}

}  // namespace tickguard
