#include "detectors/crypto/pump_dump_detector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "tests/daemon/detectors/crypto/crypto_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::alarms;
using testing::all_finite;
using testing::at_seconds;
using testing::kStart;
using testing::Random;
using testing::RecordingSink;
using testing::trade_at;

// Taker orders arriving as a Poisson process; each is 1-3 fills at one timestamp (so rush orders
// happen in the quiet market too), with lognormal sizes and a random-walk price.
class OrderFlow {
 public:
  OrderFlow(PumpDumpDetector& detector, RecordingSink& sink, std::uint64_t seed)
      : detector_(detector), sink_(sink), random_(seed) {}

  // Orders at `rate` per second for `seconds`, buys with probability `buy_share`; the price
  // drifts by `drift` (log) per second on top of the noise.
  void run_for(double seconds, double rate, double buy_share = 0.5, double drift = 0,
               bool multi_fill = true) {
    for (const double end = now + seconds;;) {
      const double next = now + random_.exponential(rate);
      if (next >= end) break;
      price *= std::exp(drift * (next - now) + 2e-4 * random_.gaussian());
      now = next;
      const Side side = random_.uniform() < buy_share ? Side::kBuy : Side::kSell;
      const int fills = multi_fill ? 1 + static_cast<int>(random_.uniform() * 3) : 1;
      for (int fill = 0; fill < fills; ++fill) {
        detector_.on_trade(trade_at(now, price, random_.lognormal(0, 0.7), side), sink_);
      }
    }
  }

  double now = kStart;
  double price = 100;

 private:
  PumpDumpDetector& detector_;
  RecordingSink& sink_;
  Random random_;
};

const Observation* first_alarm(const RecordingSink& sink, std::size_t from) {
  for (std::size_t i = from; i < sink.observations.size(); ++i) {
    if (sink.observations[i].ratio >= 1) return &sink.observations[i];
  }
  return nullptr;
}

TEST(PumpDumpDetector, EmitsNothingBeforeMinBaseline) {
  PumpDumpDetector detector(PumpDumpDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second < 300; ++second) detector.on_trade(trade_at(kStart + second, 100, 1), sink);
  EXPECT_TRUE(sink.observations.empty());
  // The first trade of bucket 300 closes the 300th bucket.
  detector.on_trade(trade_at(kStart + 300, 100, 1), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  EXPECT_STREQ(sink.observations[0].quantity, "price rise % over lookback");
  EXPECT_EQ(sink.observations[0].expected_high, 2.0);
  EXPECT_EQ(sink.observations[0].ratio, 0.0);
}

TEST(PumpDumpDetector, StaysQuietOnBalancedOrderFlow) {
  PumpDumpDetector detector(PumpDumpDetector::Options{});
  RecordingSink sink;
  OrderFlow flow(detector, sink, 31);
  flow.run_for(20'000, 3.0);
  EXPECT_GT(sink.observations.size(), 100'000u);
  std::printf("pump_dump max ratio on noise: %.3f over %zu trades\n", sink.max_ratio(),
              sink.observations.size());
  EXPECT_LT(sink.max_ratio(), 1.0);
  EXPECT_EQ(detector.phase(), PumpDumpDetector::Phase::kWatching);
  EXPECT_TRUE(all_finite(sink));
}

TEST(PumpDumpDetector, FlagsPumpWithinSecondsThenReportsDump) {
  PumpDumpDetector detector(PumpDumpDetector::Options{});
  RecordingSink sink;
  OrderFlow flow(detector, sink, 32);
  flow.run_for(1200, 3.0);
  ASSERT_EQ(alarms(sink), 0u);
  const std::size_t before = sink.observations.size();
  const double pump_start = flow.now;
  const double base = flow.price;
  flow.run_for(40, 60.0, 0.9, 0.005);  // x20 the orders, 90% buys, +0.5% a second
  const Observation* alarm = first_alarm(sink, before);
  ASSERT_NE(alarm, nullptr);
  EXPECT_LT(alarm->time, at_seconds(pump_start + 10));
  EXPECT_STREQ(alarm->quantity, "pump: price rise % since its start");
  EXPECT_GE(alarm->observed, alarm->expected_high);
  EXPECT_EQ(detector.phase(), PumpDumpDetector::Phase::kPump);
  EXPECT_NEAR(sink.observations.back().observed, 100 * (flow.price / base - 1), 1.0);

  // The dump: sellers give back most of the rise within half a minute.
  const double peak = flow.price;
  flow.run_for(30, 60.0, 0.1, -0.02);
  EXPECT_EQ(detector.phase(), PumpDumpDetector::Phase::kDump);
  const Observation& dump = sink.observations.back();
  EXPECT_STREQ(dump.quantity, "dump: share of the pump's rise given back");
  EXPECT_GT(dump.observed, 0.5);
  EXPECT_NEAR(dump.observed, (peak - flow.price) / (peak - base), 0.1);
  EXPECT_EQ(dump.expected_high, 0.5);
  EXPECT_NEAR(dump.ratio, dump.observed / 0.5, 1e-12);
  // After dump_window the detector watches again.
  flow.run_for(900, 3.0);
  EXPECT_EQ(detector.phase(), PumpDumpDetector::Phase::kWatching);
  EXPECT_STREQ(sink.observations.back().quantity, "price rise % over lookback");
}

TEST(PumpDumpDetector, RiseWithoutRushOrdersIsNotAPumpUnlessRushIsIgnored) {
  for (std::size_t min_rush_orders : {std::size_t{3}, std::size_t{0}}) {
    PumpDumpDetector detector(PumpDumpDetector::Options{.min_rush_orders = min_rush_orders});
    RecordingSink sink;
    OrderFlow flow(detector, sink, 33);
    flow.run_for(1200, 3.0, 0.5, 0, /*multi_fill=*/false);
    const std::size_t before = sink.observations.size();
    flow.run_for(40, 60.0, 0.9, 0.005, /*multi_fill=*/false);
    if (min_rush_orders > 0) {
      EXPECT_EQ(alarms(sink, before), 0u);
    } else {
      EXPECT_GT(alarms(sink, before), 0u);
    }
  }
}

TEST(PumpDumpDetector, RiseOnOrdinaryVolumeIsNotAPump) {
  PumpDumpDetector detector(PumpDumpDetector::Options{});
  RecordingSink sink;
  OrderFlow flow(detector, sink, 34);
  flow.run_for(1200, 3.0);
  const std::size_t before = sink.observations.size();
  flow.run_for(60, 3.0, 0.5, 0.005);  // +30% on the usual flow: a repricing, not a pump
  EXPECT_EQ(alarms(sink, before), 0u);
  EXPECT_GT(sink.observations.back().observed, 3.0);
}

TEST(PumpDumpDetector, ConstantTradesGiveFiniteZeroRatio) {
  PumpDumpDetector detector(PumpDumpDetector::Options{});
  RecordingSink sink;
  for (int i = 0; i < 20'000; ++i) detector.on_trade(trade_at(kStart + 0.25 * i, 100, 1, Side::kBuy), sink);
  EXPECT_FALSE(sink.observations.empty());
  EXPECT_EQ(sink.max_ratio(), 0.0);
  EXPECT_TRUE(all_finite(sink));
  // Zero sizes and long gaps too.
  for (int i = 0; i < 100; ++i) detector.on_trade(trade_at(kStart + 10'000 + 1000.0 * i, 100, 0), sink);
  EXPECT_EQ(sink.max_ratio(), 0.0);
  EXPECT_TRUE(all_finite(sink));
}

TEST(PumpDumpDetector, IgnoresInvalidTrades) {
  PumpDumpDetector detector(PumpDumpDetector::Options{});
  RecordingSink sink;
  for (int second = 0; second <= 300; ++second) detector.on_trade(trade_at(kStart + second, 100, 1), sink);
  ASSERT_EQ(sink.observations.size(), 1u);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double price : {nan, inf, 0.0, -5.0}) detector.on_trade(trade_at(kStart + 400, price, 1), sink);
  for (double quantity : {nan, inf, -1.0}) detector.on_trade(trade_at(kStart + 400, 100, quantity), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
  detector.on_trade(trade_at(kStart + 300.5, 100, 1), sink);
  EXPECT_EQ(sink.observations.size(), 2u);
  EXPECT_TRUE(all_finite(sink));
}

TEST(PumpDumpDetector, MemoryStaysBoundedOverMillionTrades) {
  PumpDumpDetector detector(PumpDumpDetector::Options{});
  testing::CountingSink sink;
  const std::size_t size = detector.state_size();
  EXPECT_EQ(size, 60u + 2 * 1800u);
  Random random(35);
  double price = 100;
  for (int i = 0; i < 1'000'000; ++i) {  // 50 trades a second
    price *= std::exp(1e-4 * random.gaussian());
    detector.on_trade(trade_at(kStart + 0.02 * i, price, 1, i % 2 == 0 ? Side::kBuy : Side::kSell), sink);
  }
  EXPECT_EQ(detector.state_size(), size);
  EXPECT_GT(sink.observations, 900'000u);
  EXPECT_EQ(sink.alarms, 0u);
  EXPECT_EQ(sink.non_finite, 0u);
}

TEST(PumpDumpDetector, DescriptorCreatesDetectorFromParams) {
  const DetectorDescriptor descriptor = PumpDumpDetector::descriptor();
  EXPECT_EQ(descriptor.name, "pump_dump");
  ASSERT_EQ(descriptor.params.size(), 9u);
  for (const ParamSpec& spec : descriptor.params) {
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_GE(spec.max, spec.default_value) << spec.name;
  }
  ParamValues params;
  params.set("bucket", 0.5);
  params.set("lookback", 10);
  params.set("min_baseline", 20);
  params.set("min_rush_orders", 0);
  const PumpDumpDetector::Options options = PumpDumpDetector::options_from(params);
  EXPECT_EQ(options.bucket, 500ms);
  EXPECT_EQ(options.lookback, 10s);
  EXPECT_EQ(options.min_baseline, 20s);
  EXPECT_EQ(options.min_rush_orders, 0u);
  EXPECT_EQ(options.baseline, 1800s);  // missing: defaults
  EXPECT_EQ(options.min_rise_percent, 2.0);
  EXPECT_EQ(options.volume_multiple, 2.0);
  EXPECT_TRUE(descriptor.trusted);
  EXPECT_EQ(options.dump_fraction, 0.5);
  const std::unique_ptr<Detector> detector = descriptor.create(params);
  ASSERT_NE(detector, nullptr);
  RecordingSink sink;
  for (int i = 0; i < 40; ++i) detector->on_trade(trade_at(kStart + 0.5 * i, 100, 1), sink);
  EXPECT_TRUE(sink.observations.empty());  // 39 half-second buckets closed
  detector->on_trade(trade_at(kStart + 20, 100, 1), sink);
  EXPECT_EQ(sink.observations.size(), 1u);
}

}  // namespace
}  // namespace tickguard
