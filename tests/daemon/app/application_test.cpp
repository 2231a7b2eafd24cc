#include "app/application.h"

#include <gtest/gtest.h>

#include <thread>

#include "config/config_loader.h"
#include "detectors/registry.h"
#include "exporters/prometheus/prometheus_sink.h"
#include "feeds/registry.h"

namespace tickguard::app {
namespace {

using namespace std::chrono_literals;

config::Config load(const std::string& toml) {
  auto result = config::load_config_string(
      toml, "test.toml", config::ConfigSchema{detector_registry(), feeds::supported_exchanges()});
  EXPECT_TRUE(result.errors.empty()) << result.errors.front().to_string();
  return *result.config;
}

std::string simulator(const std::string& symbols, const std::string& extra = "") {
  return "[[feed]]\nexchange = \"simulator\"\nvenues = [\"simex\"]\nspeed = 1000.0\nsymbols = [" + symbols +
         "]\n" + extra;
}

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 2000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

bool has(const exporters::PrometheusSink& sink, const std::string& needle) {
  return sink.scrape().find(needle) != std::string::npos;
}

class ApplicationTest : public ::testing::Test {
 protected:
  SystemClock clock_;
  exporters::PrometheusSink sink_;
  Application app_{clock_, sink_};
};

TEST_F(ApplicationTest, BecomesReadyOnceFeedsDeliverAndStopsCleanly) {
  EXPECT_FALSE(app_.ready());
  ASSERT_TRUE(app_.start(load(simulator("\"BTC/USDT\", \"ETH/USDT\""))).ok());
  EXPECT_EQ(app_.instrument_count(), 2u);
  EXPECT_TRUE(eventually([&] { return app_.ready(); }));
  EXPECT_TRUE(has(sink_, R"(tickguard_feed_up{exchange="simex"} 1)"));
  EXPECT_TRUE(eventually([&] { return app_.healthy(1s); }));
  app_.stop();
  EXPECT_FALSE(app_.ready());
  EXPECT_FALSE(has(sink_, "tickguard_feed_up{")) << "a stopped application leaves no instrument series";
}

TEST_F(ApplicationTest, ReloadAddsNewInstrumentsAndRemovesDroppedOnes) {
  ASSERT_TRUE(app_.start(load(simulator("\"BTC/USDT\", \"ETH/USDT\""))).ok());
  ASSERT_TRUE(eventually([&] { return app_.ready(); }));
  ASSERT_TRUE(app_.reload(load(simulator("\"BTC/USDT\", \"SOL/USDT\""))).ok());
  EXPECT_TRUE(eventually(
      [&] { return has(sink_, R"(tickguard_trades_total{exchange="simex",symbol="SOL/USDT"})"); }));
  EXPECT_FALSE(has(sink_, "ETH/USDT")) << "series of an unsubscribed symbol must be removed";
  EXPECT_TRUE(has(sink_, R"(tickguard_price{exchange="simex",symbol="BTC/USDT"})"));
  EXPECT_TRUE(eventually([&] { return app_.ready(); }));
}

TEST_F(ApplicationTest, DisabledDetectorHasNoSeries) {
  ASSERT_TRUE(
      app_.start(load(simulator("\"BTC/USDT\"", "[detectors.volume_spike]\nenabled = false\n"))).ok());
  EXPECT_TRUE(has(sink_, R"(detector="zscore")"));
  EXPECT_FALSE(has(sink_, R"(detector="volume_spike")"));
}

}  // namespace
}  // namespace tickguard::app
