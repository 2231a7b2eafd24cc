// DixonQDetector: Dixon's Q test on the newest trade price within a small window of recent prices:
// a print that is the window's extreme and stands apart from all the others, such as a fat-finger
// trade or a bad tick. A minimum gap, relative to the price, keeps ordinary one-tick moves on a
// flat market (where Q is 1) from counting.
#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include "tickguard/detector.h"

namespace tickguard {

class DixonQDetector final : public Detector {
 public:
  static constexpr std::size_t kMinWindow = 3;
  static constexpr std::size_t kMaxWindow = 25;

  struct Options {
    std::size_t window = 10;  // prices in one test sample, the newest included: 3..25
    int confidence = 99;      // 90, 95 or 99 (percent); others are rounded to the nearest
    double min_gap = 0.005;   // the newest price must also be this far (fraction of price) from the rest
  };

  explicit DixonQDetector(const Options& options);

  // Name "dixon_q", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);
  // The published critical Q (r10, two-sided; Rorabacher 1991) for n values at 90, 95 or 99 %
  // confidence; n outside 3..25 is clamped into it, other confidences round to the nearest.
  static double critical_value(std::size_t n, int confidence);

  // Once window - 1 earlier prices are held, scores the trade's price as the newest member of the
  // sample: ratio = min(Q / Q_critical, gap / (min_gap price)), where Q is the gap between the
  // price and its nearest neighbour over the sample's range when the price is the sample's
  // extreme, and 0 otherwise. Invalid trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // Prices held (never more than window - 1): for memory tests.
  std::size_t held() const { return count_; }

 private:
  std::size_t others_;  // earlier prices in a sample: window - 1
  double critical_;
  double min_gap_;
  std::array<double, kMaxWindow - 1> prices_{};  // ring of the earlier prices
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

}  // namespace tickguard
