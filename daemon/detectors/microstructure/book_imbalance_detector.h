// BookImbalanceDetector: flags an order book leaning far to one side. The imbalance
// (bid depth - ask depth) / (bid depth + ask depth) over the top `levels` levels is scored against
// the rolling mean and standard deviation of its Fisher transform atanh(imbalance) = ln(bid/ask)/2,
// which, unlike the bounded imbalance, has roughly normal tails. An absolute floor keeps a book
// that is usually balanced to the tick from alarming on a mild lean.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "detectors/common/rolling_moments.h"
#include "detectors/microstructure/interval_sampler.h"
#include "tickguard/detector.h"

namespace tickguard {

class BookImbalanceDetector final : public Detector {
 public:
  struct Options {
    std::size_t levels = 5;                              // top levels per side in the depth sums
    Duration sample_interval = std::chrono::seconds(1);  // one baseline sample per interval
    std::size_t window = 300;                            // samples in the baseline
    std::size_t min_samples = 100;                       // samples needed before scoring; clamped to window
    double threshold = 6.0;                              // |z| of atanh(imbalance) that maps to ratio 1
    double min_imbalance = 0.5;                          // |imbalance| that maps to ratio 1
  };

  // Standard deviations of atanh(imbalance) below this are treated as having it, so a book that
  // has kept one shape does not turn the first change into an infinite z-score.
  static constexpr double kMinStddev = 0.05;
  // A one-sided book has imbalance +/-1 and an infinite transform; it is scored as this instead.
  static constexpr double kMaxAbsImbalance = 1 - 1e-9;

  explicit BookImbalanceDetector(const Options& options);

  // Name "book_imbalance", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Scores the book's imbalance once the baseline holds min_samples samples: ratio =
  // min(|z| / threshold, imbalance on the side of z / min_imbalance), so it reaches 1 only when the
  // imbalance is both extreme for this book and large in absolute terms. The first book of each
  // sample_interval then enters the baseline (winsorized once scoring). Invalid books (see
  // is_valid_book) and books with no depth in the top levels are ignored. O(book depth), amortized;
  // no allocation after construction.
  void on_book(const BookSnapshot& book, ObservationSink& sink) override;

  // Samples in the baseline, and the most it can hold (the window): memory is fixed.
  std::size_t baseline_count() const { return baseline_.count(); }
  std::size_t baseline_capacity() const { return baseline_.capacity(); }

 private:
  std::size_t levels_;
  std::size_t min_samples_;
  double threshold_;
  double min_imbalance_;
  IntervalSampler sampler_;
  RollingMoments baseline_;  // atanh(imbalance), one sample per interval
};

}  // namespace tickguard
