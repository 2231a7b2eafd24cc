// CrossExchangeDivergenceDetector: flags a venue whose price for an asset departs from the other
// venues' prices for the same asset (core/asset_group.h: BTC/USD, BTC/USDT and BTC/USDC compare)
// by more than a band, for longer than a minimum duration.
#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include "detectors/crossvenue/venue_peers.h"
#include "tickguard/clock.h"
#include "tickguard/detector.h"

namespace tickguard {

class CrossExchangeDivergenceDetector final : public Detector {
 public:
  struct Options {
    double threshold_percent = 0.5;                      // divergence band, % of the peers' price
    double tracking_threshold = 8;                       // divergence in units of its usual noise; 0: off
    Duration min_duration = std::chrono::seconds(5);     // how long beyond the band before ratio >= 1
    Duration basis_halflife = std::chrono::minutes(30);  // memory of the learned venue/quote basis
    Duration warmup = std::chrono::minutes(2);           // peer comparisons before scoring starts
    Duration max_age = std::chrono::seconds(30);         // a peer quote older than this is ignored
  };

  // The prices of one asset group across venues; shared by the group's detectors (one thread).
  struct Group {
    struct Member {
      double log_price = 0;  // less the venue's learned basis
      bool has_price = false;
      bool has_ticker = false;  // once tickers arrive, trades no longer move the price
      Timestamp updated{};
    };
    std::array<Member, crossvenue::kMaxVenues> members{};
    std::size_t size = 0;
  };

  // `group` may be shared with the detectors of the other venues of the asset; null: a group of one.
  CrossExchangeDivergenceDetector(const Options& options, std::shared_ptr<Group> group);

  // Name "cross_exchange_divergence", parameters, and factories (create_shared joins the asset group).
  static DetectorDescriptor descriptor();
  static Options options_from(const ParamValues& params);

  // Ticker mids (or trade prices, until the first ticker) update this venue's price, then score it:
  // d = ln(price / median of all fresh venues' prices) - basis, where basis is this venue's usual
  // offset (an EWMA of d while inside the band, so a persistent USDT premium or venue basis is not
  // an anomaly). It is measured two ways: against the fixed band (a venue off-market by more than
  // threshold_percent), and against its own usual noise, the EWMA standard deviation of d (a venue
  // that stops tracking the others: a correlation break, small in price but unlike its history).
  // ratio = the larger of |d| / band and |d| / (tracking_threshold x noise), once beyond 1 for
  // min_duration; until then it is capped just below 1. Nothing is emitted without a fresh peer or
  // before warm-up.
  void on_trade(const Trade& trade, ObservationSink& sink) override;
  void on_ticker(const Ticker& ticker, ObservationSink& sink) override;

 private:
  void update(Timestamp time, double price, bool from_ticker, ObservationSink& sink);

  Options options_;
  std::shared_ptr<Group> group_;
  std::size_t member_ = crossvenue::kMaxVenues;  // kMaxVenues: the group is full, stay quiet
  double basis_ = 0;
  double noise_variance_ = 0;  // EWMA of (d - basis)^2 ...
  double noise_weight_ = 0;    // ... and the total weight it has accumulated
  bool has_basis_ = false;
  Duration compared_{};  // summed time with a fresh peer, for warm-up
  Timestamp last_compared_{};
  Timestamp beyond_since_{};  // when |d| last went beyond the band; {} while inside
};

}  // namespace tickguard
