#include "detectors/crypto/pump_dump_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/common/param_reading.h"

namespace tickguard {

namespace {

constexpr const char* kRiseQuantity = "price rise % over lookback";
constexpr const char* kPumpQuantity = "pump: price rise % since its start";
constexpr const char* kDumpQuantity = "dump: share of the pump's rise given back";

// Whole buckets in `span`, at least 1.
std::size_t buckets_in(Duration span, std::int64_t bucket_ns) {
  const auto buckets = span.count() / bucket_ns;
  return static_cast<std::size_t>(std::max<std::int64_t>(buckets, 1));
}

std::int64_t bucket_length(Duration bucket) {
  return bucket.count() > 0 ? bucket.count() : PumpDumpDetector::Options{}.bucket.count();
}

// numerator / denominator, large but finite for a zero denominator.
double component_ratio(double numerator, double denominator) {
  if (numerator <= 0) return 0;
  if (denominator <= 0) return PumpDumpDetector::kMaxComponentRatio;
  return std::min(numerator / denominator, PumpDumpDetector::kMaxComponentRatio);
}

}  // namespace

PumpDumpDetector::PumpDumpDetector(const Options& options)
    : bucket_ns_(bucket_length(options.bucket)),
      min_rise_percent_(options.min_rise_percent > 0 ? options.min_rise_percent : Options{}.min_rise_percent),
      volume_multiple_(options.volume_multiple > 0 ? options.volume_multiple : Options{}.volume_multiple),
      min_rush_orders_(static_cast<double>(options.min_rush_orders)),
      dump_fraction_(options.dump_fraction > 0 && options.dump_fraction <= 1 ? options.dump_fraction
                                                                             : Options{}.dump_fraction),
      dump_window_(std::max(options.dump_window, Duration::zero())),
      lookback_(buckets_in(options.lookback, bucket_ns_)),
      baseline_volume_(std::max(buckets_in(options.baseline, bucket_ns_), lookback_.size())),
      baseline_rush_(baseline_volume_.capacity()) {
  min_buckets_ =
      std::clamp(buckets_in(options.min_baseline, bucket_ns_), lookback_.size(), baseline_volume_.capacity());
}

DetectorDescriptor PumpDumpDetector::descriptor() {
  const Options defaults;
  using detector_params::seconds;
  return DetectorDescriptor{
      .name = "pump_dump",
      .help =
          "Price rise with a volume and buy rush-order surge over a short lookback: flags pumps within "
          "seconds, then reports the dump that gives the rise back.",
      .params =
          {
              {"bucket", ParamKind::kDuration, seconds(defaults.bucket), 0.1, 60,
               "Aggregation step of volume, rush orders and closing price, aligned on exchange time."},
              {"lookback", ParamKind::kDuration, seconds(defaults.lookback), 1, 3600,
               "Span over which the rise, the volume and the rush orders are measured."},
              {"baseline", ParamKind::kDuration, seconds(defaults.baseline), 60, 86400,
               "Span of closed buckets whose mean volume and rush-order count are the baseline."},
              {"min_baseline", ParamKind::kDuration, seconds(defaults.min_baseline), 10, 86400,
               "Baseline needed before scoring starts (clamped to [lookback, baseline])."},
              {"min_rise_percent", ParamKind::kNumber, defaults.min_rise_percent, 0.1, 1000,
               "Price rise over the lookback, in percent, at which the rise condition is met."},
              {"volume_multiple", ParamKind::kNumber, defaults.volume_multiple, 1, 1000,
               "Multiple of the baseline's volume (and rush orders) over the lookback at which the surge "
               "conditions are met."},
              {"min_rush_orders", ParamKind::kInteger, static_cast<double>(defaults.min_rush_orders), 0,
               100000,
               "Rush orders (buy fills sharing one timestamp) the lookback needs at least; 0 ignores rush "
               "orders (venues that aggregate fills)."},
              {"dump_fraction", ParamKind::kNumber, defaults.dump_fraction, 0.05, 1,
               "Share of the pump's rise given back at which the dump phase starts."},
              {"dump_window", ParamKind::kDuration, seconds(defaults.dump_window), 10, 86400,
               "How long after a pump starts its pump and dump phases are tracked."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<PumpDumpDetector>(options_from(params));
      },
      .trusted = true,
  };
}

PumpDumpDetector::Options PumpDumpDetector::options_from(const ParamValues& params) {
  Options options;
  options.bucket = detector_params::duration(params, "bucket", options.bucket);
  options.lookback = detector_params::duration(params, "lookback", options.lookback);
  options.baseline = detector_params::duration(params, "baseline", options.baseline);
  options.min_baseline = detector_params::duration(params, "min_baseline", options.min_baseline);
  options.min_rise_percent = detector_params::number(params, "min_rise_percent", options.min_rise_percent);
  options.volume_multiple = detector_params::number(params, "volume_multiple", options.volume_multiple);
  options.min_rush_orders = detector_params::count(params, "min_rush_orders", options.min_rush_orders);
  options.dump_fraction = detector_params::number(params, "dump_fraction", options.dump_fraction);
  options.dump_window = detector_params::duration(params, "dump_window", options.dump_window);
  return options;
}

void PumpDumpDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  const std::int64_t bucket =
      detector_params::floor_div(trade.exchange_time.time_since_epoch().count(), bucket_ns_);
  if (!started_) {
    started_ = true;
    bucket_ = bucket;
  } else if (bucket > bucket_) {
    advance_to(bucket);
  }
  count_rush_order(trade);
  current_.volume += trade.quantity;
  last_price_ = trade.price;
  if (baseline_volume_.count() >= min_buckets_) score(trade, sink);
}

// A rush order is counted once, when its kRushOrderFills-th consecutive buy fill at one exchange
// timestamp arrives.
void PumpDumpDetector::count_rush_order(const Trade& trade) {
  const bool buy = trade.side == Side::kBuy;
  if (buy && previous_was_buy_ && trade.exchange_time == previous_time_) {
    ++buy_fills_at_time_;
  } else {
    buy_fills_at_time_ = buy ? 1 : 0;
  }
  if (buy_fills_at_time_ == kRushOrderFills) current_.rush_orders += 1;
  previous_was_buy_ = buy;
  previous_time_ = trade.exchange_time;
}

// Closes the bucket in progress and the empty ones up to `bucket`. Past a full baseline of empty
// buckets the rest cannot change anything, so a gap costs O(baseline) at most.
void PumpDumpDetector::advance_to(std::int64_t bucket) {
  current_.close = last_price_;
  close_bucket(current_);
  const auto empty = static_cast<std::uint64_t>(bucket - bucket_ - 1);
  const auto repeats = std::min<std::uint64_t>(empty, baseline_volume_.capacity());
  for (std::uint64_t i = 0; i < repeats; ++i)
    close_bucket(Bucket{.volume = 0, .rush_orders = 0, .close = last_price_});
  bucket_ = bucket;
  current_ = Bucket{};
}

void PumpDumpDetector::close_bucket(const Bucket& bucket) {
  Bucket& slot = lookback_[next_];
  if (filled_ == lookback_.size()) {
    lookback_volume_ -= slot.volume;
    lookback_rush_ -= slot.rush_orders;
  } else {
    ++filled_;
  }
  slot = bucket;
  lookback_volume_ += bucket.volume;
  lookback_rush_ += bucket.rush_orders;
  next_ = next_ + 1 == lookback_.size() ? 0 : next_ + 1;
  // Subtracting evicted volumes leaves rounding residue; resum once per ring turn (O(1) amortized).
  if (++closes_since_resum_ >= lookback_.size()) {
    closes_since_resum_ = 0;
    lookback_volume_ = 0;
    lookback_rush_ = 0;
    for (const Bucket& b : lookback_) {
      lookback_volume_ += b.volume;
      lookback_rush_ += b.rush_orders;
    }
  }
  baseline_volume_.add(bucket.volume);
  baseline_rush_.add(bucket.rush_orders);
}

// The three-condition ratio for the lookback ending at `price`. The reference is the close of the
// oldest bucket in the lookback ring (scoring starts only once it is full).
double PumpDumpDetector::live_ratio(double price) const {
  const double reference = lookback_[next_].close;
  const double rise_percent = 100.0 * (price / reference - 1.0);
  const auto lookback_buckets = static_cast<double>(lookback_.size());
  const double rise = component_ratio(rise_percent, min_rise_percent_);
  const double volume = component_ratio(lookback_volume_ + current_.volume,
                                        volume_multiple_ * lookback_buckets * baseline_volume_.mean());
  double ratio = std::min(rise, volume);
  if (min_rush_orders_ > 0) {
    const double expected_rush = volume_multiple_ * lookback_buckets * baseline_rush_.mean();
    ratio = std::min(ratio, component_ratio(lookback_rush_ + current_.rush_orders,
                                            std::max(min_rush_orders_, expected_rush)));
  }
  return ratio;
}

// Phases: watching until the live ratio reaches 1; then pump, measured from the lookback's
// reference price, until the price gives back dump_fraction of the rise to its peak; then dump,
// reported as the share given back (ratio = share / dump_fraction). Both end dump_window after
// the pump started.
void PumpDumpDetector::score(const Trade& trade, ObservationSink& sink) {
  const double price = trade.price;
  const double ratio = live_ratio(price);
  if (phase_ != Phase::kWatching && trade.exchange_time - phase_start_ >= dump_window_)
    phase_ = Phase::kWatching;
  if (phase_ == Phase::kWatching && ratio >= 1) {
    phase_ = Phase::kPump;
    phase_start_ = trade.exchange_time;
    pump_base_ = lookback_[next_].close;
    pump_peak_ = price;
  }
  if (phase_ == Phase::kPump) {
    pump_peak_ = std::max(pump_peak_, price);
    const double given_back =
        pump_peak_ > pump_base_ ? (pump_peak_ - price) / (pump_peak_ - pump_base_) : 0.0;
    if (given_back >= dump_fraction_) phase_ = Phase::kDump;
  }
  Observation observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = 100.0 * (price / lookback_[next_].close - 1.0),
      .expected_low = -100,
      .expected_high = min_rise_percent_,
      .quantity = kRiseQuantity,
  };
  if (phase_ == Phase::kPump) {
    observation.observed = 100.0 * (price / pump_base_ - 1.0);
    observation.quantity = kPumpQuantity;
  } else if (phase_ == Phase::kDump) {
    const double given_back = (pump_peak_ - price) / (pump_peak_ - pump_base_);
    observation.ratio = std::max(given_back, 0.0) / dump_fraction_;
    observation.score = score_from_threshold_ratio(observation.ratio);
    observation.observed = given_back;
    observation.expected_low = 0;
    observation.expected_high = dump_fraction_;
    observation.quantity = kDumpQuantity;
  }
  sink.observe(observation);
}

}  // namespace tickguard
