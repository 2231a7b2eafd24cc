#include "detectors/ml/isolation_forest_detector.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace tickguard {

namespace {

constexpr const char* kQuantity = "half-space mass of the bucket";

std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback) {
  if (!params.has(name)) return fallback;
  const double value = params.get(name);
  // The config loader checks the declared range; this only keeps a bad value from being UB.
  if (!(value >= 1)) return 1;
  return static_cast<std::size_t>(std::llround(std::min(value, 1e9)));
}

// Rounds towards negative infinity, so buckets stay aligned for times before the epoch too.
std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

// Median of the first `count` values of `values`, reordering them. O(count).
double median_of(std::vector<double>& values, std::size_t count) {
  const auto begin = values.begin();
  const auto middle = begin + static_cast<std::ptrdiff_t>(count / 2);
  std::nth_element(begin, middle, begin + static_cast<std::ptrdiff_t>(count));
  return *middle;
}

}  // namespace

IsolationForestDetector::IsolationForestDetector(const Options& options)
    : interval_ns_(options.interval.count() > 0 ? options.interval.count() : Options{}.interval.count()),
      window_(std::max<std::size_t>(options.window, 2)),
      shingle_(std::clamp<std::size_t>(options.shingle, 1, window_)),
      calibration_quantile_(options.calibration_quantile > 0 && options.calibration_quantile < 1
                                ? options.calibration_quantile
                                : Options{}.calibration_quantile),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      book_levels_(std::clamp<std::size_t>(options.book_levels, 1, BookSnapshot::kMaxDepth)),
      forest_(options.trees, options.depth, kFeatures * shingle_, options.seed),
      warmup_features_(window_ * kFeatures, 0.0),
      point_(kFeatures * shingle_, 0.0),
      window_masses_(window_, 0.0),
      scratch_(window_, 0.0),
      min_mass_(0.5 / (static_cast<double>(forest_.trees()) * static_cast<double>(window_))) {}

DetectorDescriptor IsolationForestDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "isolation_forest",
      .help =
          "Streaming isolation forest (Half-Space Trees) over per-bucket return, volume, trade count, "
          "spread and book imbalance: flags buckets unlike recent ones.",
      .params =
          {
              {"interval", ParamKind::kDuration, std::chrono::duration<double>(defaults.interval).count(),
               0.1, 3600, "Length of one feature bucket, aligned on exchange time."},
              {"trees", ParamKind::kInteger, static_cast<double>(defaults.trees), 1, 100,
               "Number of random half-space trees."},
              {"depth", ParamKind::kInteger, static_cast<double>(defaults.depth), 1, 12,
               "Levels below the root of each tree (memory grows as trees x 2^depth)."},
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 20, 100000,
               "Traded buckets per mass window; the first window is the warm-up."},
              {"shingle", ParamKind::kInteger, static_cast<double>(defaults.shingle), 1, 10,
               "Consecutive traded buckets whose features form one point."},
              {"seed", ParamKind::kInteger, static_cast<double>(defaults.seed), 0, 4294967295.0,
               "Seed of the random trees: the same seed gives the same scores."},
              {"calibration_quantile", ParamKind::kNumber, defaults.calibration_quantile, 0.001, 0.5,
               "Quantile of the previous window's bucket masses that the threshold is relative to."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 1000,
               "How many times lighter than that quantile a bucket must be to count as anomalous."},
              {"book_levels", ParamKind::kInteger, static_cast<double>(defaults.book_levels), 1, 10,
               "Book levels per side summed into the book imbalance."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<IsolationForestDetector>(options_from(params));
      },
  };
}

IsolationForestDetector::Options IsolationForestDetector::options_from(const ParamValues& params) {
  Options options;
  if (params.has("interval")) {
    const std::chrono::duration<double> seconds(params.get("interval"));
    options.interval = std::chrono::round<Duration>(seconds);
  }
  options.trees = count_param(params, "trees", options.trees);
  options.depth = count_param(params, "depth", options.depth);
  options.window = count_param(params, "window", options.window);
  options.shingle = count_param(params, "shingle", options.shingle);
  if (params.has("seed")) {
    const double seed = params.get("seed");
    options.seed = seed >= 0 ? static_cast<std::uint64_t>(std::llround(std::min(seed, 1e18))) : 0;
  }
  if (params.has("calibration_quantile")) options.calibration_quantile = params.get("calibration_quantile");
  if (params.has("threshold")) options.threshold = params.get("threshold");
  options.book_levels = count_param(params, "book_levels", options.book_levels);
  return options;
}

void IsolationForestDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity < 0) return;
  advance(trade.exchange_time, sink);
  bucket_volume_ += trade.quantity;
  bucket_last_price_ = trade.price;
  ++bucket_trades_;
}

void IsolationForestDetector::on_ticker(const Ticker& ticker, ObservationSink& sink) {
  if (!std::isfinite(ticker.bid_price) || !std::isfinite(ticker.ask_price)) return;
  if (ticker.bid_price <= 0 || ticker.ask_price < ticker.bid_price) return;
  advance(ticker.exchange_time, sink);
  spread_ = (ticker.ask_price - ticker.bid_price) / (0.5 * (ticker.ask_price + ticker.bid_price));
}

void IsolationForestDetector::on_book(const BookSnapshot& book, ObservationSink& sink) {
  const std::size_t bid_levels = std::min<std::size_t>(book.bid_count, book_levels_);
  const std::size_t ask_levels = std::min<std::size_t>(book.ask_count, book_levels_);
  if (bid_levels == 0 && ask_levels == 0) return;
  double bid_size = 0;
  double ask_size = 0;
  for (std::size_t i = 0; i < bid_levels; ++i) bid_size += book.bids[i].size;
  for (std::size_t i = 0; i < ask_levels; ++i) ask_size += book.asks[i].size;
  // A NaN or negative size anywhere makes a sum non-finite or lets it hide; reject the snapshot.
  for (std::size_t i = 0; i < bid_levels; ++i) {
    if (!(book.bids[i].size >= 0)) return;
  }
  for (std::size_t i = 0; i < ask_levels; ++i) {
    if (!(book.asks[i].size >= 0)) return;
  }
  const double total = bid_size + ask_size;
  if (!std::isfinite(total)) return;
  advance(book.exchange_time, sink);
  imbalance_ = total > 0 ? (bid_size - ask_size) / total : 0.0;
}

void IsolationForestDetector::advance(Timestamp time, ObservationSink& sink) {
  const std::int64_t bucket = floor_div(time.time_since_epoch().count(), interval_ns_);
  if (!started_) {
    started_ = true;
    bucket_ = bucket;
  } else if (bucket > bucket_) {
    close_bucket(time, sink);
    bucket_ = bucket;
  }
}

// Turns the bucket in progress into features, unless it had no trade. Empty buckets in a gap are
// skipped as well: the log return of the next traded bucket spans the gap.
void IsolationForestDetector::close_bucket(Timestamp time, ObservationSink& sink) {
  if (bucket_trades_ == 0) return;
  const double previous_close = previous_close_;
  previous_close_ = bucket_last_price_;
  const std::array<double, kFeatures> features = {
      previous_close > 0 ? std::log(bucket_last_price_ / previous_close) : 0.0,
      std::log1p(bucket_volume_),
      std::log1p(static_cast<double>(bucket_trades_)),
      spread_,
      imbalance_,
  };
  bucket_volume_ = 0;
  bucket_trades_ = 0;
  // The first traded bucket only sets the price its successor's return is measured from.
  if (previous_close > 0) add_bucket(features, time, sink);
}

void IsolationForestDetector::add_bucket(const std::array<double, kFeatures>& features, Timestamp time,
                                         ObservationSink& sink) {
  if (!warmed_up_) {
    std::copy(features.begin(), features.end(), warmup_features_.begin() + warmup_count_ * kFeatures);
    if (++warmup_count_ == window_) finish_warmup();
    return;
  }
  push_shingle(features.data());
  const double mass = forest_.relative_mass(point_);
  const double ratio = mass_threshold_ / std::max(mass, min_mass_);
  sink.observe(Observation{
      .time = time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = mass,
      .expected_low = mass_threshold_,
      .expected_high = mass_high_,
      .quantity = kQuantity,
  });
  if (window_mass_count_ < window_masses_.size()) window_masses_[window_mass_count_++] = mass;
  forest_.update(point_);
  if (forest_.latest_count() >= window_) {
    forest_.swap_windows();
    calibrate();
  }
}

// Learns each feature's scaling from the warm-up buckets, builds the first reference window from
// them and calibrates on their leave-one-out masses. O(T·d·window), once.
void IsolationForestDetector::finish_warmup() {
  for (std::size_t feature = 0; feature < kFeatures; ++feature) {
    for (std::size_t i = 0; i < window_; ++i) scratch_[i] = warmup_features_[i * kFeatures + feature];
    const double median = median_of(scratch_, window_);
    for (std::size_t i = 0; i < window_; ++i) scratch_[i] = std::abs(scratch_[i] - median);
    const double sigma = std::max(kMadToSigma * median_of(scratch_, window_), kMinFeatureSigma[feature]);
    center_[feature] = median;
    scale_[feature] = 2.0 * kScaleSigmas * sigma;
  }
  for (std::size_t i = 0; i < window_; ++i) {
    push_shingle(&warmup_features_[i * kFeatures]);
    if (i + 1 >= shingle_) forest_.update(point_);
  }
  forest_.swap_windows();
  for (std::size_t i = 0; i < window_; ++i) {
    push_shingle(&warmup_features_[i * kFeatures]);
    if (i + 1 >= shingle_) window_masses_[window_mass_count_++] = forest_.relative_mass(point_, true);
  }
  calibrate();
  warmed_up_ = true;
}

// Shifts the shingle by one bucket and puts the scaled `raw_features` first.
void IsolationForestDetector::push_shingle(const double* raw_features) {
  std::copy_backward(point_.begin(), point_.end() - kFeatures, point_.end());
  for (std::size_t feature = 0; feature < kFeatures; ++feature) {
    point_[feature] = scaled(feature, raw_features[feature]);
  }
}

double IsolationForestDetector::scaled(std::size_t feature, double value) const {
  return 0.5 + (value - center_[feature]) / scale_[feature];
}

// The threshold for the next window from the masses of the last one. O(window), once per window.
void IsolationForestDetector::calibrate() {
  const std::size_t count = window_mass_count_;
  window_mass_count_ = 0;
  if (count == 0) return;
  std::copy_n(window_masses_.begin(), count, scratch_.begin());
  const auto begin = scratch_.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(count);
  const double high = *std::max_element(begin, end);
  const auto index = static_cast<std::size_t>(calibration_quantile_ * static_cast<double>(count - 1));
  const auto nth = begin + static_cast<std::ptrdiff_t>(index);
  std::nth_element(begin, nth, end);
  mass_threshold_ = std::max(*nth, min_mass_) / threshold_;
  mass_high_ = std::max(high, mass_threshold_);
}

std::size_t IsolationForestDetector::memory_bytes() const {
  return forest_.memory_bytes() +
         (warmup_features_.capacity() + point_.capacity() + window_masses_.capacity() + scratch_.capacity()) *
             sizeof(double);
}

}  // namespace tickguard
