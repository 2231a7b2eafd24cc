#include "config/default_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "config/config_loader.h"
#include "detectors/registry.h"

namespace tickguard::config {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

// The default config is what new users run first and read in the README: it must load cleanly
// against the detectors actually compiled in, and set every parameter to the registry's default.
TEST(DefaultConfig, LoadsWithoutErrorsAgainstTheRealRegistry) {
  const ConfigSchema schema{.detectors = detector_registry(), .exchanges = {"simulator"}};
  const LoadResult result =
      load_config_string(default_config_toml(), std::string(kEmbeddedConfigName), schema);
  std::string errors;
  for (const ConfigError& error : result.errors) errors += error.to_string() + "\n";
  ASSERT_TRUE(result.errors.empty()) << errors;
  ASSERT_TRUE(result.config.has_value());

  const Config& config = *result.config;
  EXPECT_EQ(config.source, "<embedded>");
  EXPECT_EQ(config.server.listen_address, ":9787");
  EXPECT_EQ(config.log.level, LogLevel::kInfo);
  EXPECT_EQ(config.log.format, LogFormat::kLogfmt);

  ASSERT_THAT(config.feeds, SizeIs(1));
  const FeedOptions& feed = config.feeds[0];
  EXPECT_EQ(feed.exchange, "simulator");
  EXPECT_THAT(feed.symbols, ElementsAre("BTC/USDT", "ETH/USDT", "SOL/USDT"));
  EXPECT_THAT(feed.simulator.venues, ElementsAre("simex", "mockex"));
  EXPECT_EQ(feed.simulator.seed, 42u);
  EXPECT_EQ(feed.simulator.speed, 1.0);
  EXPECT_EQ(feed.simulator.anomaly_interval, std::chrono::minutes(2));
  EXPECT_EQ(feed.simulator.trades_per_second, 4.0);
  EXPECT_EQ(feed.simulator.warmup, std::chrono::minutes(20));

  const auto registry = detector_registry();
  ASSERT_THAT(config.detectors, SizeIs(registry.size()));
  for (std::size_t i = 0; i < registry.size(); ++i) {
    SCOPED_TRACE(registry[i].name);
    const DetectorOptions& detector = config.detectors[i];
    EXPECT_EQ(detector.name, registry[i].name);
    EXPECT_TRUE(detector.enabled);
    for (const ParamSpec& spec : registry[i].params) {
      EXPECT_EQ(detector.params.get(spec.name), spec.default_value) << spec.name;
    }
  }
}

// New users learn the detectors from this text: every registered detector has its table, and every
// parameter is written out in it (at its default, checked above).
TEST(DefaultConfig, ShowsEveryParameterOfEveryRegisteredDetector) {
  const std::string text(default_config_toml());
  for (const DetectorDescriptor& descriptor : detector_registry()) {
    SCOPED_TRACE(descriptor.name);
    const std::string header = "\n[detectors." + descriptor.name + "]\n";
    const std::size_t start = text.find(header);
    ASSERT_NE(start, std::string::npos);
    const std::size_t end = std::min(text.find("\n[", start + header.size()), text.size());
    const std::string table = text.substr(start, end - start);
    for (const ParamSpec& spec : descriptor.params) {
      EXPECT_NE(table.find("\n" + spec.name + " = "), std::string::npos) << spec.name;
    }
  }
}

}  // namespace
}  // namespace tickguard::config
