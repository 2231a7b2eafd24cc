#include "detectors/microstructure/book_imbalance_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/microstructure/book_depth.h"
#include "detectors/microstructure/param_reading.h"

namespace tickguard {

namespace {

constexpr const char* kQuantity = "book imbalance";

// The imbalance at a band edge given in atanh units. Past the transform of the clamp the edge is
// +/-1 exactly: tanh would round to just inside it and put a one-sided book outside its own band.
double imbalance_at(double transformed) {
  const double limit = std::atanh(BookImbalanceDetector::kMaxAbsImbalance);
  if (transformed >= limit) return 1.0;
  if (transformed <= -limit) return -1.0;
  return std::tanh(transformed);
}

}  // namespace

BookImbalanceDetector::BookImbalanceDetector(const Options& options)
    : levels_(std::clamp<std::size_t>(options.levels, 1, BookSnapshot::kMaxDepth)),
      min_samples_(std::clamp<std::size_t>(options.min_samples, 2, std::max<std::size_t>(options.window, 2))),
      threshold_(options.threshold > 0 ? options.threshold : Options{}.threshold),
      min_imbalance_(options.min_imbalance > 0 && options.min_imbalance < 1 ? options.min_imbalance
                                                                            : Options{}.min_imbalance),
      sampler_(options.sample_interval),
      baseline_(std::max<std::size_t>(options.window, 2)) {}

DetectorDescriptor BookImbalanceDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "book_imbalance",
      .help =
          "Top-of-book depth imbalance (bid - ask) / (bid + ask) against its rolling distribution: flags a "
          "book leaning far to one side.",
      .params =
          {
              {"levels", ParamKind::kInteger, static_cast<double>(defaults.levels), 1,
               static_cast<double>(BookSnapshot::kMaxDepth),
               "Top levels per side summed into bid and ask depth."},
              {"sample_interval", ParamKind::kDuration,
               std::chrono::duration<double>(defaults.sample_interval).count(), 0.01, 3600,
               "Exchange time between baseline samples: the first book of each interval is sampled."},
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 10, 100000,
               "Number of sampled imbalances in the baseline."},
              {"min_samples", ParamKind::kInteger, static_cast<double>(defaults.min_samples), 10, 100000,
               "Sampled imbalances needed before scoring starts (clamped to window)."},
              {"threshold", ParamKind::kNumber, defaults.threshold, 1, 100,
               "|z-score| of atanh(imbalance) at which a book can count as imbalanced."},
              {"min_imbalance", ParamKind::kNumber, defaults.min_imbalance, 0.01, 0.99,
               "|imbalance| a book must also reach to count as imbalanced."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<BookImbalanceDetector>(options_from(params));
      },
  };
}

BookImbalanceDetector::Options BookImbalanceDetector::options_from(const ParamValues& params) {
  Options options;
  options.levels = count_param(params, "levels", options.levels);
  options.sample_interval = duration_param(params, "sample_interval", options.sample_interval);
  options.window = count_param(params, "window", options.window);
  options.min_samples = count_param(params, "min_samples", options.min_samples);
  options.threshold = number_param(params, "threshold", options.threshold);
  options.min_imbalance = number_param(params, "min_imbalance", options.min_imbalance);
  return options;
}

void BookImbalanceDetector::on_book(const BookSnapshot& book, ObservationSink& sink) {
  if (!is_valid_book(book)) return;
  const SideDepth sides = top_levels_depth(book, levels_);
  const double total = sides.bids + sides.asks;
  if (!(total > 0) || !std::isfinite(total)) return;
  const double imbalance = (sides.bids - sides.asks) / total;
  const double transformed = std::atanh(std::clamp(imbalance, -kMaxAbsImbalance, kMaxAbsImbalance));
  const bool sampled = sampler_.take(book.exchange_time);
  if (baseline_.count() < min_samples_) {
    if (sampled) baseline_.add(transformed);
    return;
  }

  const double mean = baseline_.mean();
  const double stddev = std::max(baseline_.stddev(), kMinStddev);
  const double low = mean - threshold_ * stddev;
  const double high = mean + threshold_ * stddev;
  const double z = (transformed - mean) / stddev;
  // The floor applies on the side z points to: a book swinging back from a usual lean towards
  // balance is unusual but not imbalanced.
  const double lean = z >= 0 ? imbalance : -imbalance;
  const double ratio = std::min(std::abs(z) / threshold_, std::max(lean, 0.0) / min_imbalance_);
  sink.observe(Observation{
      .time = book.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = imbalance,
      .expected_low = std::min(imbalance_at(low), -min_imbalance_),
      .expected_high = std::max(imbalance_at(high), min_imbalance_),
      .quantity = kQuantity,
  });
  // Winsorized, so one lopsided stretch inflates the spread a little instead of hiding the next.
  if (sampled) baseline_.add(std::clamp(transformed, low, high));
}

}  // namespace tickguard
