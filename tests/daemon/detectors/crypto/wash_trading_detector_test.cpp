#include "detectors/crypto/wash_trading_detector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "tests/daemon/detectors/crypto/crypto_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::alarms;
using testing::all_finite;
using testing::kStart;
using testing::Random;
using testing::RecordingSink;
using testing::trade_at;

// Organic flow: 5 trades a second, random sides, sizes lognormal over several decades in lots of
// 0.0001, and one trade in ten a hand-picked round size.
class OrganicFlow {
 public:
  OrganicFlow(WashTradingDetector& detector, ObservationSink& sink, std::uint64_t seed)
      : detector_(detector), sink_(sink), random_(seed) {}

  void organic_trade() {
    now += random_.exponential(5.0);
    double size = std::max(std::round(random_.lognormal(-1.0, 1.6) * 1e4) / 1e4, 1e-4);
    if (random_.uniform() < 0.1) {
      constexpr double kRound[] = {0.01, 0.1, 0.5, 1, 2, 5, 10};
      size = kRound[static_cast<int>(random_.uniform() * 7)];
    }
    trade(size, random_.uniform() < 0.5 ? Side::kBuy : Side::kSell);
  }
  // A bot trading with itself: a buy and a sell of the same size 50 ms apart.
  void wash_pair(double size) {
    now += 0.05;
    trade(size, Side::kBuy);
    now += 0.05;
    trade(size, Side::kSell);
  }
  void trade(double size, Side side) { detector_.on_trade(trade_at(now, 100, size, side), sink_); }

  Random& random() { return random_; }
  double now = kStart;

 private:
  WashTradingDetector& detector_;
  ObservationSink& sink_;
  Random random_;
};

TEST(WashTradingDetector, EmitsNothingUntilWindowIsFull) {
  WashTradingDetector detector(WashTradingDetector::Options{});
  RecordingSink sink;
  OrganicFlow flow(detector, sink, 41);
  for (int i = 0; i < 1999; ++i) flow.organic_trade();
  EXPECT_TRUE(sink.observations.empty());
  flow.organic_trade();
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "wash trading evidence (mean of capped component ratios)");
  EXPECT_EQ(sink.observations[0].expected_high, 1.0);
}

TEST(WashTradingDetector, StaysQuietOnOrganicFlow) {
  WashTradingDetector detector(WashTradingDetector::Options{});
  RecordingSink sink;
  OrganicFlow flow(detector, sink, 42);
  for (int i = 0; i < 102'000; ++i) flow.organic_trade();
  ASSERT_EQ(sink.observations.size(), 100'001u);
  const WashTradingDetector::Components& c = detector.components();
  std::printf(
      "wash_trading max ratio on noise: %.3f (benford MAD %.4f, round %.3f, alpha %.2f, matched %.4f)\n",
      sink.max_ratio(), c.benford_mad, c.round_share, c.tail_alpha, c.matched_share);
  EXPECT_LT(sink.max_ratio(), 0.8);
  EXPECT_FALSE(c.degenerate);
  EXPECT_TRUE(all_finite(sink));
}

TEST(WashTradingDetector, FlagsBotTradingWithItself) {
  WashTradingDetector detector(WashTradingDetector::Options{});
  RecordingSink sink;
  OrganicFlow flow(detector, sink, 43);
  for (int i = 0; i < 5000; ++i) flow.organic_trade();
  ASSERT_EQ(alarms(sink), 0u);
  // Half the prints become a bot's matched pairs of sizes between 10 and 20 (first digit 1).
  for (int i = 0; i < 2000; ++i) {
    flow.organic_trade();
    flow.wash_pair(10 + std::round(flow.random().uniform() * 1000) / 100);
  }
  const Observation& last = sink.observations.back();
  const WashTradingDetector::Components& c = detector.components();
  EXPECT_GE(last.ratio, 1.0);
  EXPECT_EQ(last.observed, last.ratio);
  EXPECT_GT(c.matched_share, 0.6);
  EXPECT_GT(c.matched_ratio, 2.0);
  EXPECT_GT(c.benford_ratio, 2.0);
  EXPECT_FALSE(c.degenerate);
}

TEST(WashTradingDetector, MatchedPrintsAloneDoNotAlarm) {
  WashTradingDetector detector(WashTradingDetector::Options{});
  RecordingSink sink;
  OrganicFlow flow(detector, sink, 44);
  for (int i = 0; i < 5000; ++i) flow.organic_trade();
  // Every print matched, but sizes with organic digits and tail: one signal, capped at 2 of 4.
  for (int i = 0; i < 3000; ++i) {
    flow.wash_pair(std::max(std::round(flow.random().lognormal(-1.0, 1.6) * 1e4) / 1e4, 1e-4));
  }
  EXPECT_GT(detector.components().matched_ratio, 5.0);
  EXPECT_LT(sink.observations.back().ratio, 1.0);
  EXPECT_GE(sink.observations.back().ratio, 0.5);
}

TEST(WashTradingDetector, MatchesOnlyOppositeSidesWithinMatchWindow) {
  WashTradingDetector detector(WashTradingDetector::Options{.window = 100});
  RecordingSink sink;
  OrganicFlow flow(detector, sink, 45);
  for (int i = 0; i < 99; ++i) flow.organic_trade();
  flow.now += 10;
  flow.trade(3.14159, Side::kBuy);
  flow.now += 0.5;
  flow.trade(3.14159, Side::kBuy);  // same side
  flow.now += 2;
  flow.trade(3.14159, Side::kSell);  // too late for both buys
  EXPECT_EQ(detector.components().matched_share, 0.0);
  flow.now += 0.9;
  flow.trade(3.14159, Side::kBuy);  // matches the sell
  EXPECT_NEAR(detector.components().matched_share, 2.0 / 100, 1e-12);
}

TEST(WashTradingDetector, ConstantSizesAreDegenerateNotWash) {
  WashTradingDetector detector(WashTradingDetector::Options{});
  RecordingSink sink;
  for (int i = 0; i < 10'000; ++i) detector.on_trade(trade_at(kStart + i, 100, 1.0, Side::kBuy), sink);
  ASSERT_EQ(sink.observations.size(), 8001u);
  EXPECT_TRUE(detector.components().degenerate);
  EXPECT_EQ(sink.max_ratio(), 0.0);
  EXPECT_TRUE(all_finite(sink));
}

TEST(WashTradingDetector, IgnoresInvalidAndZeroSizeTrades) {
  WashTradingDetector detector(WashTradingDetector::Options{.window = 100});
  RecordingSink sink;
  OrganicFlow flow(detector, sink, 46);
  for (int i = 0; i < 100; ++i) flow.organic_trade();
  ASSERT_EQ(sink.observations.size(), 1u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double quantity : {nan, inf, -inf, -1.0, 0.0})
    detector.on_trade(trade_at(flow.now, 100, quantity), sink);
  for (double price : {nan, inf, 0.0, -5.0}) detector.on_trade(trade_at(flow.now, price, 1.0), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
  // Extreme but valid sizes land in the histogram's end bins.
  detector.on_trade(trade_at(flow.now, 100, 1e-300), sink);
  detector.on_trade(trade_at(flow.now, 100, 1e300), sink);
  detector.on_trade(trade_at(flow.now, 100, std::numeric_limits<double>::denorm_min()), sink);
  EXPECT_EQ(sink.observations.size(), 4u);
  EXPECT_TRUE(all_finite(sink));
}

TEST(WashTradingDetector, MemoryStaysBoundedOverMillionTrades) {
  WashTradingDetector detector(WashTradingDetector::Options{});
  testing::CountingSink sink;
  const std::size_t size = detector.state_size();
  EXPECT_EQ(size, 2000u + 64u + 24u * 64u);
  OrganicFlow flow(detector, sink, 47);
  for (int i = 0; i < 1'000'000; ++i) flow.organic_trade();
  EXPECT_EQ(detector.state_size(), size);
  std::printf("wash_trading alarms on 1M organic trades: %zu\n", sink.alarms);
  EXPECT_EQ(sink.observations, 998'001u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_EQ(sink.non_finite, 0u);
}

TEST(WashTradingDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = WashTradingDetector::descriptor();
  EXPECT_EQ(descriptor.name, "wash_trading");
  ASSERT_EQ(descriptor.params.size(), 8u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_GE(spec.max, spec.default_value) << spec.name;
  }
  ParamValues params;
  params.set("window", 500);
  params.set("match_window", 0.25);
  params.set("max_round_share", 0.3);
  const WashTradingDetector::Options options = WashTradingDetector::options_from(params);
  EXPECT_EQ(options.window, 500u);
  EXPECT_EQ(options.match_window, 250ms);
  EXPECT_EQ(options.max_round_share, 0.3);
  EXPECT_EQ(options.max_benford_mad, 0.015);  // missing: defaults
  EXPECT_EQ(options.max_matched_share, 0.1);
  EXPECT_EQ(options.tail_fraction, 0.05);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  for (int i = 0; i < 500; ++i) detector->on_trade(trade_at(kStart + i, 100, 1.0 + i), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
}

}  // namespace
}  // namespace tickguard
