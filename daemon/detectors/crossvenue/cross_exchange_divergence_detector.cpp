#include "detectors/crossvenue/cross_exchange_divergence_detector.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/asset_group.h"
#include "detectors/common/param_reading.h"

namespace tickguard {
namespace {

constexpr const char* kQuantity = "divergence from the other venues (%)";
constexpr double kBelowThreshold = 0.99;  // the cap while a divergence is younger than min_duration
// Floor of the usual noise of the divergence (0.2 bp): below it, tick rounding dominates.
constexpr double kMinNoise = 2e-5;

double seconds_of(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

CrossExchangeDivergenceDetector::CrossExchangeDivergenceDetector(const Options& options,
                                                                 std::shared_ptr<Group> group)
    : options_(options), group_(group ? std::move(group) : std::make_shared<Group>()) {
  if (!(options_.threshold_percent > 0)) options_.threshold_percent = Options{}.threshold_percent;
  if (group_->size < crossvenue::kMaxVenues) member_ = group_->size++;
}

DetectorDescriptor CrossExchangeDivergenceDetector::descriptor() {
  using detector_params::seconds;
  const Options defaults;
  return DetectorDescriptor{
      .name = "cross_exchange_divergence",
      .help =
          "A venue's price against the consensus (median) of every venue's price for the same asset "
          "(USD, USDT and USDC quotes compared through a learned basis).",
      .params =
          {
              {"threshold_percent", ParamKind::kNumber, defaults.threshold_percent, 0.01, 100,
               "Divergence from the consensus of the venues, in % of the price, at which a venue is "
               "anomalous."},
              {"tracking_threshold", ParamKind::kNumber, defaults.tracking_threshold, 0, 1000,
               "Divergence, in standard deviations of its usual noise, at which a venue has stopped "
               "tracking the others (0 turns this off)."},
              {"min_duration", ParamKind::kDuration, seconds(defaults.min_duration), 0, 3600,
               "How long the divergence must last beyond the band before it counts."},
              {"basis_halflife", ParamKind::kDuration, seconds(defaults.basis_halflife), 60, 7 * 86400,
               "Half-life of the learned usual offset of this venue (quote currency basis, venue premium)."},
              {"warmup", ParamKind::kDuration, seconds(defaults.warmup), 0, 86400,
               "Time compared with a peer before scoring starts."},
              {"max_age", ParamKind::kDuration, seconds(defaults.max_age), 1, 3600,
               "A venue whose price is older than this is left out of the consensus."},
          },
      .create = [](const ParamValues& params) -> std::unique_ptr<Detector> {
        return std::make_unique<CrossExchangeDivergenceDetector>(options_from(params), nullptr);
      },
      .create_shared = [](const ParamValues& params, const Instrument& instrument,
                          DetectorContext& context) -> std::unique_ptr<Detector> {
        return std::make_unique<CrossExchangeDivergenceDetector>(
            options_from(params),
            context.shared<Group>("cross_exchange_divergence/" + asset_group(instrument.symbol)));
      },
      .trusted = true,
  };
}

CrossExchangeDivergenceDetector::Options CrossExchangeDivergenceDetector::options_from(
    const ParamValues& params) {
  Options options;
  options.threshold_percent = detector_params::number(params, "threshold_percent", options.threshold_percent);
  options.tracking_threshold =
      detector_params::number(params, "tracking_threshold", options.tracking_threshold);
  options.min_duration = detector_params::duration(params, "min_duration", options.min_duration);
  options.basis_halflife = detector_params::duration(params, "basis_halflife", options.basis_halflife);
  options.warmup = detector_params::duration(params, "warmup", options.warmup);
  options.max_age = detector_params::duration(params, "max_age", options.max_age);
  return options;
}

void CrossExchangeDivergenceDetector::on_trade(const Trade& trade, ObservationSink& sink) {
  update(crossvenue::event_time(trade), trade.price, false, sink);
}

void CrossExchangeDivergenceDetector::on_ticker(const Ticker& ticker, ObservationSink& sink) {
  update(crossvenue::event_time(ticker), crossvenue::ticker_mid(ticker), true, sink);
}

void CrossExchangeDivergenceDetector::update(Timestamp time, double price, bool from_ticker,
                                             ObservationSink& sink) {
  if (member_ >= crossvenue::kMaxVenues || !std::isfinite(price) || price <= 0) return;
  Group::Member& self = group_->members[member_];
  if (!from_ticker && self.has_ticker) return;  // the mid is the better price once we have it
  self.has_ticker = self.has_ticker || from_ticker;
  // Each venue publishes its price less its learned basis, so the consensus is a median of
  // comparable prices and does not jump when the venue at the median changes.
  self.log_price = std::log(price) - basis_;
  self.has_price = true;
  self.updated = time;

  // The consensus is the median over every fresh venue, this one included: with three or more
  // venues one deviant cannot move it much, and with two it is their midpoint.
  std::array<double, crossvenue::kMaxVenues> prices{};
  std::size_t count = 0;
  for (std::size_t i = 0; i < group_->size; ++i) {
    const Group::Member& peer = group_->members[i];
    if (!peer.has_price) continue;
    if (time - peer.updated > options_.max_age || peer.updated - time > options_.max_age) continue;
    prices[count++] = peer.log_price;
  }
  if (count < 2) {  // no fresh peer: nothing to compare with
    beyond_since_ = {};
    last_compared_ = {};
    return;
  }
  const double deviation = self.log_price - crossvenue::median_of(prices, count);
  const double band = options_.threshold_percent / 100;

  // Learn the usual offset: freely during warm-up, afterwards only while inside the band, so a
  // divergence is not absorbed into the baseline it is measured against.
  const Duration step = last_compared_ == Timestamp{}
                            ? Duration{}
                            : std::clamp(time - last_compared_, Duration{}, options_.max_age);
  last_compared_ = time;
  compared_ += step;
  const bool warm = compared_ >= options_.warmup;
  // The EWMA starts at 0, so it is divided by the weight it has accumulated (no bias while young).
  const double variance = noise_weight_ > 0 ? noise_variance_ / noise_weight_ : 0.0;
  const double noise = std::sqrt(std::max(variance, kMinNoise * kMinNoise));
  const double band_ratio = std::abs(deviation) / band;
  const double tracking_ratio =
      options_.tracking_threshold > 0 ? std::abs(deviation) / (options_.tracking_threshold * noise) : 0.0;
  if (!has_basis_) {
    basis_ = deviation;
    self.log_price -= deviation;
    has_basis_ = true;
  } else if (!warm || (band_ratio < 1 && tracking_ratio < 1)) {
    const double alpha =
        1 - std::exp2(-seconds_of(step) / std::max(seconds_of(options_.basis_halflife), 1e-9));
    basis_ += alpha * deviation;
    self.log_price -= alpha * deviation;
    noise_variance_ += alpha * (deviation * deviation - noise_variance_);
    noise_weight_ += alpha * (1 - noise_weight_);
  }
  if (!warm) return;

  const double divergence = deviation;
  double ratio = std::max(band_ratio, tracking_ratio);
  if (ratio >= 1) {
    if (beyond_since_ == Timestamp{}) beyond_since_ = time;
    if (time - beyond_since_ < options_.min_duration) ratio = kBelowThreshold;
  } else {
    beyond_since_ = {};
  }
  // The band the divergence was judged against: the narrower of the two.
  const double expected =
      options_.tracking_threshold > 0 ? std::min(band, options_.tracking_threshold * noise) : band;
  sink.observe(Observation{
      .time = time,
      .score = score_from_threshold_ratio(ratio),
      .ratio = ratio,
      .observed = std::expm1(divergence) * 100,
      .expected_low = std::expm1(-expected) * 100,
      .expected_high = std::expm1(expected) * 100,
      .quantity = kQuantity,
  });
}

}  // namespace tickguard
