// PumpDumpDetector: flags a pump — price rising fast on a surge of volume and of buy-side "rush
// orders" (several buy fills sharing one exchange timestamp: one aggressive order sweeping the
// book) — within seconds of its start, then follows the dump that gives the rise back.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "detectors/common/rolling_moments.h"
#include "tickguard/detector.h"

namespace tickguard {

class PumpDumpDetector final : public Detector {
 public:
  struct Options {
    Duration bucket = std::chrono::seconds(1);          // aggregation step, aligned on multiples of it
    Duration lookback = std::chrono::seconds(60);       // span of the rise, volume and rush-order sums
    Duration baseline = std::chrono::seconds(1800);     // closed buckets in the volume/rush baseline
    Duration min_baseline = std::chrono::seconds(300);  // baseline needed before scoring
    double min_rise_percent = 2.0;                      // rise over lookback that maps to ratio 1
    double volume_multiple = 2.0;                       // multiple of baseline volume/rush for ratio 1
    std::size_t min_rush_orders = 0;                    // rush orders in lookback for ratio 1; 0: ignore them
    double dump_fraction = 0.5;                         // share of the rise given back that is a dump
    Duration dump_window = std::chrono::seconds(900);   // how long after a pump its dump is watched
  };

  enum class Phase { kWatching, kPump, kDump };

  // Buy fills sharing one exchange timestamp that make a rush order.
  static constexpr std::size_t kRushOrderFills = 2;
  // Upper bound on each component ratio, so an empty baseline gives a large, finite ratio.
  static constexpr double kMaxComponentRatio = 1e6;

  explicit PumpDumpDetector(const Options& options);

  // Name "pump_dump", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Adds the trade to its bucket (closing earlier ones first), then, once min_baseline of buckets
  // have closed, scores the lookback ending with this trade:
  //   rise   = price / close of the bucket `lookback` ago - 1, over min_rise_percent
  //   volume = volume in lookback / (volume_multiple * expected lookback volume)
  //   rush   = rush orders in lookback / max(min_rush_orders, volume_multiple * expected count)
  // ratio = min of the three: a pump needs all of them. Invalid trades are ignored; a late trade
  // counts towards the current bucket. See Phase handling in the .cpp for pump and dump.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  Phase phase() const { return phase_; }
  // Values held in rings, fixed at construction, for the bounded-memory test.
  std::size_t state_size() const {
    return lookback_.size() + baseline_volume_.capacity() + baseline_rush_.capacity();
  }

 private:
  struct Bucket {
    double volume = 0;
    double rush_orders = 0;
    double close = 0;
  };

  void count_rush_order(const Trade& trade);
  void advance_to(std::int64_t bucket);
  void close_bucket(const Bucket& bucket);
  double live_ratio(double price) const;
  void score(const Trade& trade, ObservationSink& sink);

  std::int64_t bucket_ns_;
  std::size_t min_buckets_;
  double min_rise_percent_;
  double volume_multiple_;
  double min_rush_orders_;
  double dump_fraction_;
  Duration dump_window_;

  std::vector<Bucket> lookback_;  // ring of the last closed buckets; the oldest at next_ once full
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
  std::size_t closes_since_resum_ = 0;
  double lookback_volume_ = 0;  // sums over lookback_
  double lookback_rush_ = 0;
  RollingMoments baseline_volume_;  // per closed bucket
  RollingMoments baseline_rush_;

  bool started_ = false;
  std::int64_t bucket_ = 0;
  Bucket current_;
  double last_price_ = 0;
  bool previous_was_buy_ = false;
  Timestamp previous_time_{};
  std::size_t buy_fills_at_time_ = 0;

  Phase phase_ = Phase::kWatching;
  Timestamp phase_start_{};
  double pump_base_ = 0;  // the price the pump rose from
  double pump_peak_ = 0;
};

}  // namespace tickguard
