#include "detectors/crossvenue/stale_feed_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../detector_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;
using testing::RecordingSink;

const Timestamp kStart = Timestamp{} + std::chrono::hours(24 * 365 * 50);

// Venues of one asset sharing a context. Each venue sends a ticker every `period` unless silenced.
class Venues {
 public:
  explicit Venues(std::size_t count, const ParamValues& params = {}) {
    const DetectorDescriptor descriptor = StaleFeedDetector::descriptor();
    for (std::size_t i = 0; i < count; ++i) {
      Instrument instrument{static_cast<InstrumentId>(i), "venue" + std::to_string(i), "BTC/USDT"};
      detectors.push_back(descriptor.create_shared(params, instrument, context));
      sinks.emplace_back();
      silent.push_back(false);
      frozen_price.push_back(0);
      period.push_back(100ms);
      next.push_back(kStart);
    }
  }

  void run(Timestamp to) {
    for (;;) {
      std::size_t venue = 0;
      for (std::size_t i = 1; i < next.size(); ++i) {
        if (next[i] < next[venue]) venue = i;
      }
      const Timestamp t = next[venue];
      if (t >= to) return;
      next[venue] += period[venue];
      if (silent[venue] || detectors[venue] == nullptr) continue;
      const double mid = frozen_price[venue] > 0 ? frozen_price[venue] : price;
      Ticker ticker;
      ticker.exchange_time = t;
      ticker.bid_price = mid - 0.5;
      ticker.ask_price = mid + 0.5;
      detectors[venue]->on_ticker(ticker, sinks[venue]);
      price *= 1 + drift_per_tick;
      if (wiggle) price += (++step % 2 == 0) ? 1 : -1;  // keeps the mid changing, as a live market does
    }
  }

  static Timestamp first_alarm(const RecordingSink& sink, Timestamp from) {
    for (const Observation& o : sink.observations) {
      if (o.time >= from && o.ratio >= 1) return o.time;
    }
    return {};
  }
  static double max_ratio(const RecordingSink& sink, Timestamp from, Timestamp to) {
    double max = 0;
    for (const Observation& o : sink.observations) {
      if (o.time >= from && o.time < to) max = std::max(max, o.ratio);
    }
    return max;
  }

  DetectorContext context;
  std::vector<std::unique_ptr<Detector>> detectors;
  std::vector<RecordingSink> sinks;
  std::vector<bool> silent;
  std::vector<double> frozen_price;
  std::vector<Duration> period;
  std::vector<Timestamp> next;
  double price = 60000;
  double drift_per_tick = 0;
  long step = 0;
  bool wiggle = true;
};

TEST(StaleFeedDetector, FlagsASilentVenueWhileItsPeersUpdate) {
  Venues venues(3);
  const Timestamp stop = kStart + 10min;
  venues.run(stop);
  venues.silent[2] = true;
  venues.run(stop + 60s);
  venues.silent[2] = false;
  venues.run(stop + 3min);

  // The default timeout is 15 s (the venue's usual 100 ms gap x 20 is shorter).
  const Timestamp alarm = Venues::first_alarm(venues.sinks[2], stop);
  ASSERT_NE(alarm, Timestamp{});
  EXPECT_GE(alarm - stop, 14s);
  EXPECT_LE(alarm - stop, 17s);
  EXPECT_NEAR(Venues::max_ratio(venues.sinks[2], stop, stop + 61s), 60.0 / 15.0, 0.1);
  EXPECT_LT(Venues::max_ratio(venues.sinks[2], kStart, stop), 1.0);
  // Back: its own next update scores it 0 again.
  const Observation& last = venues.sinks[2].observations.back();
  EXPECT_LT(last.ratio, 0.5);
  EXPECT_LT(Venues::max_ratio(venues.sinks[0], kStart, stop + 3min), 1.0);
  EXPECT_LT(Venues::max_ratio(venues.sinks[1], kStart, stop + 3min), 1.0);
  bool saw_silence_quantity = false;
  for (const Observation& o : venues.sinks[2].observations) {
    if (o.ratio >= 1) {
      saw_silence_quantity = std::string(o.quantity) == "seconds without an update while other venues update";
      EXPECT_NEAR(o.expected_high, 15.0, 1e-9);
      break;
    }
  }
  EXPECT_TRUE(saw_silence_quantity);
}

TEST(StaleFeedDetector, AQuietVenueIsJudgedByItsOwnRhythm) {
  Venues venues(2);
  venues.period[1] = 2s;  // usual gap 2 s: stale only after 20 x 2 s = 40 s
  const Timestamp stop = kStart + 10min;
  venues.run(stop);
  venues.silent[1] = true;
  venues.run(stop + 30s);
  EXPECT_LT(Venues::max_ratio(venues.sinks[1], stop, stop + 30s), 1.0);
  venues.run(stop + 50s);
  const Timestamp alarm = Venues::first_alarm(venues.sinks[1], stop);
  ASSERT_NE(alarm, Timestamp{});
  EXPECT_GE(alarm - stop, 38s);
  EXPECT_LE(alarm - stop, 42s);
}

TEST(StaleFeedDetector, WithoutPeersSilenceIsNotScored) {
  Venues venues(1);
  venues.run(kStart + 10min);
  const std::size_t before = venues.sinks[0].observations.size();
  venues.silent[0] = true;
  venues.run(kStart + 20min);
  EXPECT_EQ(venues.sinks[0].observations.size(), before);
}

TEST(StaleFeedDetector, FlagsAFrozenPriceWhilePeersMove) {
  Venues venues(3);
  const Timestamp freeze = kStart + 10min;
  venues.run(freeze);
  venues.frozen_price[0] = venues.price;  // venue 0 keeps sending, always the same price
  venues.drift_per_tick = 1e-5;           // the others rise ~1.8 % per minute
  venues.run(freeze + 2min);
  const Timestamp alarm = Venues::first_alarm(venues.sinks[0], freeze);
  ASSERT_NE(alarm, Timestamp{});
  // The others' move is counted from 15 s (timeout) after the price froze; 1 % takes ~33 s more.
  EXPECT_GE(alarm - freeze, 40s);
  EXPECT_LE(alarm - freeze, 60s);
  EXPECT_LT(Venues::max_ratio(venues.sinks[1], freeze, freeze + 2min), 0.2);
  EXPECT_LT(Venues::max_ratio(venues.sinks[2], freeze, freeze + 2min), 0.2);
}

TEST(StaleFeedDetector, AJumpThatReachesTheVenuesAnUpdateApartIsNotAFreeze) {
  Venues venues(3);
  venues.wiggle = false;  // prices only change at the jump, as on a coarse tick grid
  const Timestamp jump = kStart + 10min;
  venues.run(jump);
  venues.price *= 1.04;  // the next venue to update sees it first, the others 100 ms later
  venues.run(jump + 2min);
  for (const auto& sink : venues.sinks) EXPECT_LT(Venues::max_ratio(sink, jump, jump + 2min), 0.5);
}

TEST(StaleFeedDetector, AVenueWhoseDetectorIsGoneIsNotChecked) {
  Venues venues(2);
  venues.run(kStart + 5min);
  venues.detectors[1].reset();  // e.g. the instrument was removed by a config reload
  venues.run(kStart + 10min);
  EXPECT_LT(venues.sinks[0].max_ratio(), 1.0);
}

TEST(StaleFeedDetector, StaysQuietOnAHealthyMarketForHours) {
  Venues venues(3);
  venues.period = {100ms, 250ms, 1s};
  venues.run(kStart + 6h);
  for (const auto& sink : venues.sinks) {
    EXPECT_FALSE(sink.observations.empty());
    EXPECT_LT(sink.max_ratio(), 0.5);
  }
}

TEST(StaleFeedDetector, DescriptorDeclaresItsParameters) {
  const DetectorDescriptor descriptor = StaleFeedDetector::descriptor();
  EXPECT_EQ(descriptor.name, "stale_feed");
  ASSERT_NE(descriptor.create, nullptr);
  ASSERT_NE(descriptor.create_shared, nullptr);
  std::vector<std::string> names;
  for (const ParamSpec& spec : descriptor.params) names.push_back(spec.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"timeout", "gap_multiple", "frozen_move_percent", "check_interval"}));
  ParamValues params;
  params.set("timeout", 60);
  params.set("gap_multiple", 5);
  const auto options = StaleFeedDetector::options_from(params);
  EXPECT_EQ(options.timeout, 60s);
  EXPECT_EQ(options.gap_multiple, 5);
}

}  // namespace
}  // namespace tickguard
