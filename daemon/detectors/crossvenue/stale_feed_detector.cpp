#include "detectors/crossvenue/stale_feed_detector.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/asset_group.h"
#include "detectors/common/param_reading.h"

namespace tickguard {
namespace {

constexpr const char* kSilence = "seconds without an update while other venues update";
constexpr const char* kFrozen = "other venues' move while this price is unchanged (%)";
constexpr double kGapSmoothing = 0.05;  // EWMA weight of one gap in the mean gap
constexpr std::size_t kMinGaps = 20;    // gaps seen before the mean gap is trusted
// Peers whose price is older than this are not used for the frozen-price comparison.
constexpr Duration kPeerMaxAge = std::chrono::seconds(60);

double seconds_of(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

StaleFeedDetector::StaleFeedDetector(const Options& options, std::shared_ptr<Group> group)
    : options_(options), group_(group ? std::move(group) : std::make_shared<Group>()) {
  if (group_->size < crossvenue::kMaxVenues) {
    member_ = group_->size++;
    group_->members[member_].detector = this;
  }
}

StaleFeedDetector::~StaleFeedDetector() {
  if (member_ < crossvenue::kMaxVenues) group_->members[member_].detector = nullptr;
}

DetectorDescriptor StaleFeedDetector::descriptor() {
  using detector_params::seconds;
  const Options defaults;
  return DetectorDescriptor{
      .name = "stale_feed",
      .help =
          "A venue that stops updating an asset, or whose price stays frozen, while the other "
          "venues of the asset keep updating.",
      .params =
          {
              {"timeout", ParamKind::kDuration, seconds(defaults.timeout), 1, 86400,
               "Silence, while other venues update, that is always stale."},
              {"gap_multiple", ParamKind::kNumber, defaults.gap_multiple, 2, 10000,
               "Or this many of the venue's mean gaps between updates, when that is longer (quiet symbols)."},
              {"frozen_move_percent", ParamKind::kNumber, defaults.frozen_move_percent, 0.01, 100,
               "Move of the other venues' price, in %, while this venue's price stays unchanged."},
              {"check_interval", ParamKind::kDuration, seconds(defaults.check_interval), 0.01, 60,
               "How often, in event time, the silence of the other venues is checked."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<StaleFeedDetector>(options_from(params), nullptr);
      },
      .create_shared = [](const ParamValues& params, const Instrument& instrument,
                          DetectorContext& context) -> std::unique_ptr<Detector> {
        return std::make_unique<StaleFeedDetector>(
            options_from(params), context.shared<Group>("stale_feed/" + asset_group(instrument.symbol)));
      },
      .trusted = true,
  };
}

StaleFeedDetector::Options StaleFeedDetector::options_from(const ParamValues& params) {
  Options options;
  options.timeout = detector_params::duration(params, "timeout", options.timeout);
  options.gap_multiple = detector_params::number(params, "gap_multiple", options.gap_multiple);
  options.frozen_move_percent =
      detector_params::number(params, "frozen_move_percent", options.frozen_move_percent);
  options.check_interval = detector_params::duration(params, "check_interval", options.check_interval);
  return options;
}

void StaleFeedDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  update(crossvenue::event_time(trade), trade.price, false, sink);
}

void StaleFeedDetector::on_ticker(const Ticker& ticker, ObservationSink& sink) {
  update(crossvenue::event_time(ticker), crossvenue::ticker_mid(ticker), true, sink);
}

void StaleFeedDetector::on_book(const BookSnapshot& book, ObservationSink& sink) {
  update(crossvenue::event_time(book), std::numeric_limits<double>::quiet_NaN(), false, sink);
}

double StaleFeedDetector::silence_limit_seconds() const {
  const double usual = gaps_ >= kMinGaps ? options_.gap_multiple * mean_gap_seconds_ : 0.0;
  return std::max(seconds_of(options_.timeout), usual);
}

double StaleFeedDetector::peer_price(Timestamp now) const {
  std::array<double, crossvenue::kMaxVenues> peers{};
  std::size_t count = 0;
  for (std::size_t i = 0; i < group_->size; ++i) {
    const Group::Member& peer = group_->members[i];
    if (i == member_ || !peer.has_price) continue;
    if (now - peer.updated > kPeerMaxAge || peer.updated - now > kPeerMaxAge) continue;
    peers[count++] = peer.log_price;
  }
  return count == 0 ? std::numeric_limits<double>::quiet_NaN() : crossvenue::median_of(peers, count);
}

void StaleFeedDetector::update(Timestamp time, double price, bool from_ticker, ObservationSink& sink) {
  if (member_ >= crossvenue::kMaxVenues) return;
  sink_ = &sink;
  Group::Member& self = group_->members[member_];
  if (self.seen) {
    const double gap = seconds_of(time - self.updated);
    // A gap beyond the limit is an outage, not the venue's usual rhythm: keep it out of the mean.
    if (gap >= 0 && gap < silence_limit_seconds()) {
      mean_gap_seconds_ = gaps_ == 0 ? gap : mean_gap_seconds_ + kGapSmoothing * (gap - mean_gap_seconds_);
      ++gaps_;
    }
  }
  self.seen = true;
  self.updated = std::max(self.updated, time);

  const bool use_price = std::isfinite(price) && price > 0 && (from_ticker || !self.has_ticker);
  const double peers = peer_price(time);
  if (use_price) {
    self.has_ticker = self.has_ticker || from_ticker;
    const double log_price = std::log(price);
    if (!self.has_price || log_price != self.log_price) {
      self.log_price = log_price;
      self.has_price = true;
      price_changed_ = time;
    }
  }
  // The reference for a frozen price is the other venues' price `timeout` after this venue's price
  // last changed: until then it follows them, so a move they make at the same moment (a jump that
  // reaches the venues a few updates apart) is not mistaken for a freeze.
  const bool frozen_long_enough = time - price_changed_ >= options_.timeout;
  if (std::isfinite(peers) && self.has_price && (!frozen_long_enough || !has_peer_price_at_change_)) {
    peer_price_at_change_ = peers;
    has_peer_price_at_change_ = true;
  }

  // This venue just updated, so its silence is 0; what remains is whether its price is frozen.
  if (self.has_price && has_peer_price_at_change_ && std::isfinite(peers)) {
    const double move = std::abs(std::expm1(peers - peer_price_at_change_));
    const double limit = options_.frozen_move_percent / 100;
    const double ratio = move / limit;
    sink.observe(Observation{
        .time = time,
        .score = score_from_threshold_ratio(ratio),
        .ratio = ratio,
        .observed = move * 100,
        .expected_low = 0,
        .expected_high = options_.frozen_move_percent,
        .quantity = kFrozen,
    });
  }

  if (group_->last_check != Timestamp{} && time - group_->last_check < options_.check_interval) return;
  group_->last_check = time;
  for (std::size_t i = 0; i < group_->size; ++i) {
    const Group::Member& peer = group_->members[i];
    if (i == member_ || peer.detector == nullptr || !peer.seen) continue;
    if (time - peer.updated < options_.check_interval) continue;  // it is updating; it scores itself
    peer.detector->check_silence(time);
  }
}

void StaleFeedDetector::check_silence(Timestamp now) {
  if (sink_ == nullptr) return;
  const Group::Member& self = group_->members[member_];
  const double silence = seconds_of(now - self.updated);
  const double limit = silence_limit_seconds();
  const double ratio = silence / limit;
  sink_->observe(Observation{
      .time = now,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = silence,
      .expected_low = 0,
      .expected_high = limit,
      .quantity = kSilence,
  });
}

}  // namespace tickguard
