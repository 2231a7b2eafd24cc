// IsolationForestDetector: a streaming isolation forest (Half-Space Trees) over a per-bucket
// feature vector of price, activity, spread and book shape: flags time buckets that look unlike
// any recent bucket as a whole, such as a crash with a volume burst and a blown-out spread.
//
// Each bucket of exchange time (1 s by default) in which the instrument traded gives five
// features: the log return since the previous traded bucket, log(1 + volume), log(1 + trade
// count), the relative spread of the latest ticker and the imbalance of the latest book's top
// levels (0 until the first ticker / book). Buckets without a trade are skipped. The first
// `window` traded buckets are the warm-up: they fix the scaling of each feature (median ± 3
// robust sigmas maps onto [0,1]) and become the first reference window of the forest. From then
// on each bucket, when it closes, is scored against the reference window and then added to the
// latest window; every `window` buckets the latest window replaces the reference.
//
// Score: the bucket's relative mass m (see HalfSpaceForest::relative_mass; large where recent
// buckets are dense, near 0 for a bucket unlike all of them). The buckets of the previous window calibrate
// it: q = their `calibration_quantile` mass quantile. statistic = q / m, ratio = statistic / `threshold`: a
// bucket is anomalous when its mass is `threshold` times below what the lightest
// `calibration_quantile` of recent buckets had.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "detectors/ml/half_space_forest.h"
#include "tickguard/detector.h"

namespace tickguard {

class IsolationForestDetector final : public Detector {
 public:
  struct Options {
    Duration interval = std::chrono::seconds(1);  // bucket length, aligned on multiples of it
    std::size_t trees = 25;                       // trees in the forest
    std::size_t depth = 8;                        // levels below the root of each tree
    std::size_t window = 300;                     // traded buckets per mass window; also the warm-up
    std::size_t shingle = 1;                      // consecutive traded buckets in one point
    std::uint64_t seed = 1;                       // seeds the random trees
    double calibration_quantile = 0.05;           // mass quantile of the previous window, q
    double threshold = 300.0;                     // q / mass that maps to ratio 1
    std::size_t book_levels = 5;                  // book levels per side in the imbalance
  };

  // Features of one bucket, in this order.
  static constexpr std::size_t kFeatures = 5;
  // Floors on each feature's robust sigma, so a feature that was constant during warm-up (no
  // ticker, a fixed lot size) does not turn the smallest later change into an infinite outlier:
  // log return, log(1 + volume), log(1 + trades), relative spread, book imbalance.
  static constexpr std::array<double, kFeatures> kMinFeatureSigma = {1e-6, 0.1, 0.1, 1e-6, 0.01};
  // Robust sigmas on either side of the median that the scaling maps onto [0,1].
  static constexpr double kScaleSigmas = 3.0;
  // Scales a MAD to the standard deviation it implies for normally distributed data.
  static constexpr double kMadToSigma = 1.4826;

  explicit IsolationForestDetector(const Options& options);

  // Name "isolation_forest", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Each hook first closes the bucket in progress if the event's exchange time is past it
  // (scoring it, see the class comment), then records the event. An event stamped before the
  // bucket in progress counts towards it. Invalid events are ignored and close nothing.
  void on_trade(const Trade& trade, ObservationSink& sink) override;
  void on_ticker(const Ticker& ticker, ObservationSink& sink) override;
  void on_book(const BookSnapshot& book, ObservationSink& sink) override;

  bool warmed_up() const { return warmed_up_; }
  // Bytes held by the detector's buffers and forest (their capacity): fixed at construction.
  std::size_t memory_bytes() const;

 private:
  void advance(Timestamp time, ObservationSink& sink);
  void close_bucket(Timestamp time, ObservationSink& sink);
  void add_bucket(const std::array<double, kFeatures>& features, Timestamp time, ObservationSink& sink);
  void finish_warmup();
  void push_shingle(const double* raw_features);
  double scaled(std::size_t feature, double value) const;
  void calibrate();

  std::int64_t interval_ns_;
  std::size_t window_;
  std::size_t shingle_;
  double calibration_quantile_;
  double threshold_;
  std::size_t book_levels_;
  HalfSpaceForest forest_;

  // Bucket in progress.
  bool started_ = false;
  std::int64_t bucket_ = 0;  // floor(exchange time / interval)
  double bucket_volume_ = 0;
  double bucket_last_price_ = 0;
  std::uint32_t bucket_trades_ = 0;
  double previous_close_ = 0;  // last price of the previous traded bucket; 0 before the first
  double spread_ = 0;          // of the latest valid ticker
  double imbalance_ = 0;       // of the latest valid book

  // Warm-up: raw features of the first `window` traded buckets, then the scaling learned from them.
  std::vector<double> warmup_features_;  // window × kFeatures
  std::size_t warmup_count_ = 0;
  bool warmed_up_ = false;
  std::array<double, kFeatures> center_{};
  std::array<double, kFeatures> scale_{};  // width of the [0,1] range in feature units

  std::vector<double> point_;  // the shingle: scaled features of the last `shingle` buckets, newest first

  // Calibration: masses of the buckets scored in the current window, and what the previous
  // window's gave.
  std::vector<double> window_masses_;
  std::size_t window_mass_count_ = 0;
  std::vector<double> scratch_;  // window values, for quantiles without allocating
  double mass_threshold_ = 0;    // q / threshold
  double mass_high_ = 0;         // highest mass of the calibration window
  double min_mass_;              // floor on masses, so ratios stay finite
};

}  // namespace tickguard
