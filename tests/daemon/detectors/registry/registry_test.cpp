#include "detectors/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace tickguard {
namespace {

// Grouped by family, in the order the README documents them.
TEST(DetectorRegistry, ListsDetectorsInRegistrationOrder) {
  std::vector<std::string> names;
  for (const DetectorDescriptor& descriptor : detector_registry()) names.push_back(descriptor.name);
  EXPECT_THAT(names,
              ::testing::ElementsAre("zscore", "volume_spike", "mad", "iqr", "grubbs", "dixon_q", "cusum",
                                     "page_hinkley", "ewma_control", "ma_break", "bollinger", "rsi",
                                     "adaptive_threshold", "isolation_forest", "pump_dump", "wash_trading",
                                     "whale_trade", "flash_crash", "spread_shock", "liquidity_drop",
                                     "book_imbalance", "cross_exchange_divergence", "stale_feed"));
}

TEST(DetectorRegistry, NamesAreUnique) {
  std::set<std::string> names;
  for (const DetectorDescriptor& descriptor : detector_registry()) {
    EXPECT_TRUE(names.insert(descriptor.name).second) << descriptor.name;
  }
}

TEST(DetectorRegistry, EveryDescriptorIsComplete) {
  for (const DetectorDescriptor& descriptor : detector_registry()) {
    SCOPED_TRACE(descriptor.name);
    EXPECT_FALSE(descriptor.name.empty());
    EXPECT_FALSE(descriptor.help.empty());
    EXPECT_NE(descriptor.create, nullptr);
    std::set<std::string> params;
    for (const ParamSpec& spec : descriptor.params) {
      SCOPED_TRACE(spec.name);
      EXPECT_TRUE(params.insert(spec.name).second);
      EXPECT_FALSE(spec.help.empty());
      EXPECT_LE(spec.min, spec.max);
      EXPECT_GE(spec.default_value, spec.min);
      EXPECT_LE(spec.default_value, spec.max);
    }
  }
}

TEST(DetectorRegistry, CreatesEveryDetectorFromDefaults) {
  for (const DetectorDescriptor& descriptor : detector_registry()) {
    SCOPED_TRACE(descriptor.name);
    ParamValues params;
    for (const ParamSpec& spec : descriptor.params) params.set(spec.name, spec.default_value);
    ASSERT_NE(descriptor.create, nullptr);
    EXPECT_NE(descriptor.create(params), nullptr);
  }
}

TEST(DetectorRegistry, FindsDetectorsByName) {
  const DetectorDescriptor* zscore = find_detector("zscore");
  ASSERT_NE(zscore, nullptr);
  EXPECT_EQ(zscore->name, "zscore");
  EXPECT_EQ(zscore, &detector_registry()[0]);
  const DetectorDescriptor* volume = find_detector("volume_spike");
  ASSERT_NE(volume, nullptr);
  EXPECT_EQ(volume->name, "volume_spike");
  EXPECT_EQ(find_detector("no_such_detector"), nullptr);
  EXPECT_EQ(find_detector(""), nullptr);
  EXPECT_EQ(find_detector("ZSCORE"), nullptr);
}

}  // namespace
}  // namespace tickguard
