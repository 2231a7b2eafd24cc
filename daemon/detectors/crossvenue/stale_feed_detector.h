// StaleFeedDetector: flags a venue that stops updating an asset while the other venues of the
// asset (core/asset_group.h) keep updating it, and a venue whose price stays frozen while the
// other venues' price moves.
#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include "detectors/crossvenue/venue_peers.h"
#include "tickguard/clock.h"
#include "tickguard/detector.h"

namespace tickguard {

class StaleFeedDetector final : public Detector {
 public:
  struct Options {
    Duration timeout = std::chrono::seconds(15);  // silence that is always stale ...
    double gap_multiple = 20;                     // ... or this many of the venue's usual gaps, if longer
    double frozen_move_percent = 1.0;             // peers' move while this venue's price stays unchanged
    Duration check_interval = std::chrono::seconds(1);  // how often peers' updates re-check the group
  };

  // The venues of one asset group; shared by the group's detectors (one thread).
  struct Group {
    struct Member {
      StaleFeedDetector* detector = nullptr;  // null once that detector is gone
      double log_price = 0;
      bool has_price = false;
      bool has_ticker = false;
      Timestamp updated{};
      bool seen = false;
    };
    std::array<Member, crossvenue::kMaxVenues> members{};
    std::size_t size = 0;
    Timestamp last_check{};
  };

  // `group` may be shared with the detectors of the other venues of the asset; null: a group of one.
  StaleFeedDetector(const Options& options, std::shared_ptr<Group> group);
  ~StaleFeedDetector() override;
  StaleFeedDetector(const StaleFeedDetector&) = delete;
  StaleFeedDetector& operator=(const StaleFeedDetector&) = delete;

  // Name "stale_feed", parameters, and factories (create_shared joins the asset group).
  static DetectorDescriptor descriptor();
  static Options options_from(const ParamValues& params);

  // Every event of this venue refreshes it and scores its frozen-price ratio: the peers' price move
  // since `timeout` after this venue's price last changed, over frozen_move_percent. At most every
  // check_interval of event time, an event also scores every other venue of the group that has been silent:
  // ratio = silence / max(timeout, gap_multiple x its mean gap between updates), observed in
  // seconds. The silence of a venue is thus only measured while its peers keep updating.
  void on_trade(const Trade& trade, ObservationSink& sink) override;
  void on_ticker(const Ticker& ticker, ObservationSink& sink) override;
  void on_book(const BookSnapshot& book, ObservationSink& sink) override;

 private:
  void update(Timestamp time, double price, bool from_ticker, ObservationSink& sink);
  // Scores this (silent) venue at `now`, a peer's event time.
  void check_silence(Timestamp now);
  // The median log price of the fresh peers of this venue, or NaN without one.
  double peer_price(Timestamp now) const;
  double silence_limit_seconds() const;

  Options options_;
  std::shared_ptr<Group> group_;
  std::size_t member_ = crossvenue::kMaxVenues;  // kMaxVenues: the group is full, stay quiet
  ObservationSink* sink_ = nullptr;              // the sink of this venue's last event
  double mean_gap_seconds_ = 0;
  std::size_t gaps_ = 0;
  Timestamp price_changed_{};        // when this venue's price last changed
  double peer_price_at_change_ = 0;  // peers' median log price `timeout` after that
  bool has_peer_price_at_change_ = false;
};

}  // namespace tickguard
