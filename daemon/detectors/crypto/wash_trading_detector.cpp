#include "detectors/crypto/wash_trading_detector.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "detectors/common/param_reading.h"

namespace tickguard {

namespace {

constexpr const char* kQuantity = "wash trading evidence (mean of capped component ratios)";
constexpr int kBins = WashTradingDetector::kDecades * WashTradingDetector::kBinsPerDecade;

// Benford's first-digit probabilities log10(1 + 1/d), d = 1..9 (index 0 unused).
constexpr std::array<double, 10> kBenford = {0,         0.30103,   0.176091,  0.124939,  0.09691,
                                             0.0791812, 0.0669468, 0.0579919, 0.0511525, 0.0457575};

// Mantissa of `quantity` in [1, 10).
double mantissa(double quantity) {
  double m = quantity * std::pow(10.0, -std::floor(std::log10(quantity)));
  if (!std::isfinite(m)) return 1.0;  // subnormal sizes: 10^-exponent overflows
  if (m >= 10) m /= 10;
  if (m < 1) m *= 10;
  return m;
}

// One significant digit (0.3, 20) or a trailing 5 (0.25, 1.5): the sizes people pick by hand.
bool is_round(double m) {
  const double doubled = 2 * m;
  return std::abs(doubled - std::round(doubled)) < 1e-6 * doubled;
}

int histogram_bin(double quantity) {
  const double position =
      (std::log10(quantity) - WashTradingDetector::kMinLog10) * WashTradingDetector::kBinsPerDecade;
  return static_cast<int>(std::clamp(std::floor(position), 0.0, static_cast<double>(kBins - 1)));
}

// ln of the size at the centre of `bin`.
double bin_log(int bin) {
  const double log10_size =
      WashTradingDetector::kMinLog10 + (bin + 0.5) / WashTradingDetector::kBinsPerDecade;
  return log10_size * std::numbers::ln10;
}

double capped(double ratio) { return std::min(ratio, WashTradingDetector::kComponentCap); }

}  // namespace

WashTradingDetector::WashTradingDetector(const Options& options)
    : options_(options),
      match_window_ns_(std::max<std::int64_t>(options.match_window.count(), 0)),
      window_(std::max<std::size_t>(options.window, 100)),
      candidates_(kMatchCandidates),
      histogram_(kBins, 0) {
  const Options defaults;
  if (!(options_.max_benford_mad > 0)) options_.max_benford_mad = defaults.max_benford_mad;
  if (!(options_.max_round_share > 0)) options_.max_round_share = defaults.max_round_share;
  if (!(options_.max_matched_share > 0)) options_.max_matched_share = defaults.max_matched_share;
  if (!(options_.min_tail_alpha > 0)) options_.min_tail_alpha = defaults.min_tail_alpha;
  if (!(options_.max_tail_alpha >= options_.min_tail_alpha))
    options_.max_tail_alpha = options_.min_tail_alpha;
  const double fraction =
      std::clamp(std::isfinite(options_.tail_fraction) ? options_.tail_fraction : 0.05, 0.0, 0.5);
  tail_count_ =
      std::max<std::size_t>(static_cast<std::size_t>(fraction * static_cast<double>(window_.size())), 10);
}

DetectorDescriptor WashTradingDetector::descriptor() {
  const Options defaults;
  return DetectorDescriptor{
      .name = "wash_trading",
      .help =
          "Trade-size forensics over a rolling window (Benford first digits, round sizes, Hill tail "
          "exponent, matched buy/sell prints): flags manufactured volume.",
      .params =
          {
              {"window", ParamKind::kInteger, static_cast<double>(defaults.window), 500, 100000,
               "Trades in the rolling window; nothing is scored before it is full."},
              {"match_window", ParamKind::kDuration, detector_params::seconds(defaults.match_window), 0.001,
               60, "Time within which a same-size print on the opposite side counts as its match."},
              {"max_benford_mad", ParamKind::kNumber, defaults.max_benford_mad, 0.001, 1,
               "Mean absolute deviation of first-digit shares from Benford's law at ratio 1."},
              {"max_round_share", ParamKind::kNumber, defaults.max_round_share, 0.01, 1,
               "Share of round trade sizes at ratio 1."},
              {"max_matched_share", ParamKind::kNumber, defaults.max_matched_share, 0.001, 1,
               "Share of trades in matched same-size buy/sell pairs at ratio 1."},
              {"min_tail_alpha", ParamKind::kNumber, defaults.min_tail_alpha, 0.1, 10,
               "Lowest plausible Hill tail exponent of trade sizes."},
              {"max_tail_alpha", ParamKind::kNumber, defaults.max_tail_alpha, 0.5, 100,
               "Highest plausible Hill tail exponent of trade sizes."},
              {"tail_fraction", ParamKind::kNumber, defaults.tail_fraction, 0.005, 0.5,
               "Share of the window's largest sizes used by the Hill estimator (at least 10 trades)."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<WashTradingDetector>(options_from(params));
      },
      .trusted = true,
  };
}

WashTradingDetector::Options WashTradingDetector::options_from(const ParamValues& params) {
  Options options;
  options.window = detector_params::count(params, "window", options.window);
  options.match_window = detector_params::duration(params, "match_window", options.match_window);
  options.max_benford_mad = detector_params::number(params, "max_benford_mad", options.max_benford_mad);
  options.max_round_share = detector_params::number(params, "max_round_share", options.max_round_share);
  options.max_matched_share = detector_params::number(params, "max_matched_share", options.max_matched_share);
  options.min_tail_alpha = detector_params::number(params, "min_tail_alpha", options.min_tail_alpha);
  options.max_tail_alpha = detector_params::number(params, "max_tail_alpha", options.max_tail_alpha);
  options.tail_fraction = detector_params::number(params, "tail_fraction", options.tail_fraction);
  return options;
}

void WashTradingDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  if (!std::isfinite(trade.price) || trade.price <= 0) return;
  if (!std::isfinite(trade.quantity) || trade.quantity <= 0) return;
  if (sequence_ >= window_.size()) evict_oldest();

  const double m = mantissa(trade.quantity);
  Entry& entry = window_[sequence_ % window_.size()];
  entry = Entry{
      .digit = static_cast<std::uint8_t>(std::clamp(std::floor(m), 1.0, 9.0)),
      .round = is_round(m),
      .matched = false,
      .bin = histogram_bin(trade.quantity),
  };
  ++digit_counts_[entry.digit];
  if (entry.round) ++round_count_;
  ++histogram_[static_cast<std::size_t>(entry.bin)];
  if (match(trade)) {
    entry.matched = true;
    ++matched_count_;
  }
  candidates_[sequence_ % candidates_.size()] = Candidate{
      .time = trade.exchange_time,
      .quantity = trade.quantity,
      .side = trade.side,
      .matched = entry.matched,
      .sequence = sequence_,
  };
  ++sequence_;
  if (sequence_ < window_.size()) return;
  if (sequence_ == window_.size() || sequence_ % kTailStride == 0) estimate_tail();
  update_components();
  const double ratio = (capped(components_.benford_ratio) + capped(components_.round_ratio) +
                        capped(components_.tail_ratio) + capped(components_.matched_ratio)) /
                       4;
  sink.observe(Observation{
      .time = trade.exchange_time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = ratio,
      .expected_low = 0,
      .expected_high = 1,
      .quantity = kQuantity,
  });
}

void WashTradingDetector::evict_oldest() {
  const Entry& oldest = window_[sequence_ % window_.size()];
  --digit_counts_[oldest.digit];
  if (oldest.round) --round_count_;
  if (oldest.matched) --matched_count_;
  --histogram_[static_cast<std::size_t>(oldest.bin)];
}

// Pairs the trade with the latest unmatched opposite-side print of exactly the same size within
// match_window, marking that print matched too. O(kMatchCandidates).
bool WashTradingDetector::match(const Trade& trade) {
  if (trade.side == Side::kUnknown) return false;
  const std::size_t searched =
      static_cast<std::size_t>(std::min<std::uint64_t>(sequence_, candidates_.size()));
  for (std::size_t back = 1; back <= searched; ++back) {
    Candidate& candidate = candidates_[(sequence_ - back) % candidates_.size()];
    if ((trade.exchange_time - candidate.time).count() > match_window_ns_) break;
    if (candidate.matched || candidate.side == Side::kUnknown || candidate.side == trade.side) continue;
    if (candidate.quantity != trade.quantity) continue;
    candidate.matched = true;
    // Still in the window: the window is far longer than the candidate ring.
    Entry& partner = window_[candidate.sequence % window_.size()];
    partner.matched = true;
    ++matched_count_;
    return true;
  }
  return false;
}

// Hill estimate of the tail exponent from the size histogram: alpha = k / sum over the k largest
// sizes of ln(size / size of the (k+1)-th largest), bin centres standing in for sizes (1/64
// decade, about 3.6% in size).
void WashTradingDetector::estimate_tail() {
  int lowest = 0;
  while (lowest < kBins && histogram_[static_cast<std::size_t>(lowest)] == 0) ++lowest;
  int highest = kBins - 1;
  while (highest > 0 && histogram_[static_cast<std::size_t>(highest)] == 0) --highest;
  degenerate_ = lowest >= highest;

  std::size_t taken = 0;
  double log_sum = 0;
  int bin = highest;
  for (; bin >= 0; --bin) {
    const std::size_t count = histogram_[static_cast<std::size_t>(bin)];
    if (taken + count > tail_count_) break;  // the (k+1)-th largest lies in this bin
    taken += count;
    log_sum += static_cast<double>(count) * bin_log(bin);
  }
  if (bin < 0) {
    tail_alpha_ = std::numeric_limits<double>::infinity();
    return;
  }
  // Sizes of the k-th group that share the threshold's bin add nothing to the sum.
  const double threshold_log = bin_log(bin);
  const double excess = log_sum - static_cast<double>(taken) * threshold_log;
  tail_alpha_ =
      excess > 0 ? static_cast<double>(tail_count_) / excess : std::numeric_limits<double>::infinity();
}

void WashTradingDetector::update_components() {
  const auto n = static_cast<double>(window_.size());
  Components& c = components_;
  double deviation = 0;
  for (std::size_t digit = 1; digit <= 9; ++digit) {
    deviation += std::abs(static_cast<double>(digit_counts_[digit]) / n - kBenford[digit]);
  }
  c.benford_mad = deviation / 9;
  c.round_share = static_cast<double>(round_count_) / n;
  c.tail_alpha = tail_alpha_;
  c.matched_share = static_cast<double>(matched_count_) / n;
  c.degenerate = degenerate_;
  c.matched_ratio = c.matched_share / options_.max_matched_share;
  if (degenerate_) {
    c.benford_ratio = 0;
    c.round_ratio = 0;
    c.tail_ratio = 0;
    return;
  }
  c.benford_ratio = c.benford_mad / options_.max_benford_mad;
  c.round_ratio = c.round_share / options_.max_round_share;
  c.tail_ratio = std::isfinite(tail_alpha_)
                     ? std::max(tail_alpha_ / options_.max_tail_alpha, options_.min_tail_alpha / tail_alpha_)
                     : kComponentCap;
}

}  // namespace tickguard
