#include "detectors/microstructure/interval_sampler.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/daemon/detectors/microstructure/microstructure_test_support.h"

namespace tickguard {
namespace {

using namespace std::chrono_literals;

using testing::at_seconds;
using testing::kStartSeconds;

TEST(IntervalSampler, TakesFirstEventOfEachAlignedInterval) {
  IntervalSampler sampler(1s);
  EXPECT_TRUE(sampler.take(at_seconds(kStartSeconds + 0.7)));
  EXPECT_FALSE(sampler.take(at_seconds(kStartSeconds + 0.99)));
  // The interval ends at the next whole second, not one second after the first event.
  EXPECT_TRUE(sampler.take(at_seconds(kStartSeconds + 1.0)));
  EXPECT_FALSE(sampler.take(at_seconds(kStartSeconds + 1.5)));
  EXPECT_TRUE(sampler.take(at_seconds(kStartSeconds + 7.2)));  // skipped intervals do not matter
}

TEST(IntervalSampler, IgnoresEventsStampedBeforeTheLastSample) {
  IntervalSampler sampler(1s);
  EXPECT_TRUE(sampler.take(at_seconds(kStartSeconds + 5.5)));
  EXPECT_FALSE(sampler.take(at_seconds(kStartSeconds + 3.5)));
  EXPECT_FALSE(sampler.take(at_seconds(kStartSeconds + 5.9)));
  EXPECT_TRUE(sampler.take(at_seconds(kStartSeconds + 6.0)));
}

TEST(IntervalSampler, AlignsIntervalsBeforeTheEpoch) {
  IntervalSampler sampler(10s);
  EXPECT_TRUE(sampler.take(at_seconds(-9.5)));   // interval [-10, 0)
  EXPECT_FALSE(sampler.take(at_seconds(-0.5)));  // same interval
  EXPECT_TRUE(sampler.take(at_seconds(0.0)));
}

TEST(IntervalSampler, NonPositiveIntervalMeansOneSecond) {
  IntervalSampler sampler(0s);
  EXPECT_EQ(sampler.interval(), 1s);
  EXPECT_TRUE(sampler.take(at_seconds(kStartSeconds)));
  EXPECT_FALSE(sampler.take(at_seconds(kStartSeconds + 0.5)));
  EXPECT_TRUE(sampler.take(at_seconds(kStartSeconds + 1)));
}

}  // namespace
}  // namespace tickguard
