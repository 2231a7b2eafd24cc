// WashTradingDetector: flags windows of trades whose sizes look manufactured rather than traded:
// sizes that do not follow Benford's first-digit law, clustering on round sizes, a size tail
// without the power law of real order flow, and same-size buy/sell prints in quick succession
// (one party on both sides).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "tickguard/detector.h"

namespace tickguard {

class WashTradingDetector final : public Detector {
 public:
  struct Options {
    std::size_t window = 2000;                        // trades per rolling window; also the warm-up
    Duration match_window = std::chrono::seconds(1);  // how close a same-size opposite print must be
    double max_benford_mad = 0.015;                   // first-digit MAD from Benford at ratio 1
    double max_round_share = 0.6;                     // share of round sizes at ratio 1
    double max_matched_share = 0.1;                   // share of matched prints at ratio 1
    double min_tail_alpha = 0.7;                      // Hill tail exponent band: outside it is ratio > 1
    double max_tail_alpha = 4.0;
    double tail_fraction = 0.05;  // share of the window in the Hill estimate's tail
  };

  // Each component ratio is capped here before averaging, so one signal alone reaches at most
  // kComponentCap / 4 = 0.5: an alarm needs two components at twice their limits, or all four at
  // theirs, or any mix summing to 4.
  static constexpr double kComponentCap = 2.0;
  // Recent trades searched for a matching opposite print (bounded work per trade).
  static constexpr std::size_t kMatchCandidates = 64;
  // Size histogram for the Hill estimator: log10 size from kMinLog10 in bins of 1/kBinsPerDecade.
  static constexpr int kMinLog10 = -12;
  static constexpr int kDecades = 24;
  static constexpr int kBinsPerDecade = 64;
  // The tail exponent is re-estimated every this many trades (O(bins) each time).
  static constexpr std::size_t kTailStride = 64;

  // The four statistics of the current window and their ratios to their limits (uncapped).
  struct Components {
    double benford_mad = 0;
    double round_share = 0;
    double tail_alpha = 0;  // +inf when the tail has no spread
    double matched_share = 0;
    double benford_ratio = 0;
    double round_ratio = 0;
    double tail_ratio = 0;
    double matched_ratio = 0;
    bool degenerate = false;  // all sizes in one histogram bin: the size distribution says nothing
  };

  explicit WashTradingDetector(const Options& options);

  // Name "wash_trading", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Adds the trade to the window (matching it against recent opposite-side prints of the same
  // size), then, once the window is full, emits ratio = mean of the four capped component ratios:
  //   benford = MAD of first-digit shares from Benford's / max_benford_mad
  //   round   = share of sizes with one significant digit or a trailing 5 / max_round_share
  //   tail    = max(alpha / max_tail_alpha, min_tail_alpha / alpha), alpha the Hill estimate
  //   matched = share of trades in matched pairs / max_matched_share
  // If the window's sizes have no spread, the three distribution components are 0. Invalid and
  // zero-size trades are ignored.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  const Components& components() const { return components_; }
  // Slots held by the window, the match candidates and the histogram: fixed at construction.
  std::size_t state_size() const { return window_.size() + candidates_.size() + histogram_.size(); }

 private:
  struct Entry {
    std::uint8_t digit = 0;  // first significant digit, 1-9
    bool round = false;
    bool matched = false;
    int bin = 0;
  };
  struct Candidate {
    Timestamp time{};
    double quantity = 0;
    Side side = Side::kUnknown;
    bool matched = false;
    std::uint64_t sequence = 0;  // position in the trade stream, to find its window entry
  };

  void evict_oldest();
  bool match(const Trade& trade);
  void estimate_tail();
  void update_components();

  Options options_;
  std::int64_t match_window_ns_;
  std::size_t tail_count_;
  std::vector<Entry> window_;          // ring indexed by sequence % size
  std::vector<Candidate> candidates_;  // ring of the latest trades
  std::vector<std::uint32_t> histogram_;
  std::array<std::size_t, 10> digit_counts_{};
  std::size_t round_count_ = 0;
  std::size_t matched_count_ = 0;
  std::uint64_t sequence_ = 0;  // trades added so far
  double tail_alpha_ = 0;
  bool degenerate_ = false;
  Components components_;
};

}  // namespace tickguard
