// Sharding across instances: N daemons with the same config split the instruments exactly once,
// every venue of an asset on the same instance.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <thread>

#include "daemon_process.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSevenAssets = R"toml(
[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "ADA/USDT", "DOGE/USDT", "ETH/BTC"]
venues = ["simex", "mockex"]
anomaly_interval = "0s"
)toml";

// (exchange, symbol) pairs a daemon watches, from /api/v1/symbols.
std::set<std::pair<std::string, std::string>> watched(const DaemonProcess& daemon) {
  std::set<std::pair<std::string, std::string>> out;
  const auto body = daemon.get("/api/v1/symbols");
  if (!body) return out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(*body).get(root)) return out;
  for (auto symbol : root["data"]["symbols"].get_array()) {
    out.emplace(std::string(symbol["exchange"].get_string().value()),
                std::string(symbol["symbol"].get_string().value()));
  }
  return out;
}

TEST(Sharding, ThreeInstancesSplitEveryInstrumentExactlyOnceByAsset) {
  TempDir dir;
  const auto config = dir.write("tickguard.toml", kSevenAssets);
  constexpr int kShards = 3;
  std::vector<std::unique_ptr<DaemonProcess>> daemons;
  for (int shard = 0; shard < kShards; ++shard) {
    daemons.push_back(std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", config.string(), "--cluster.shard", std::to_string(shard), "--cluster.shards", "3"}));
  }
  std::map<std::pair<std::string, std::string>, int> owner;
  for (int shard = 0; shard < kShards; ++shard) {
    auto& daemon = *daemons[shard];
    ASSERT_TRUE(daemon.wait_until_serving("/-/healthy", 30s)) << daemon.stderr_text();
    EXPECT_EQ(
        sum_of(daemon.scrape(), "tickguard_shard_info", {{"shard", std::to_string(shard)}, {"shards", "3"}}),
        1)
        << "shard " << shard;
    for (const auto& instrument : watched(daemon)) {
      EXPECT_TRUE(owner.emplace(instrument, shard).second)
          << instrument.first << " " << instrument.second << " on shards " << owner[instrument] << " and "
          << shard;
    }
  }
  // 7 symbols x 2 venues, each watched by exactly one instance.
  EXPECT_EQ(owner.size(), 14u);
  std::set<int> used;
  for (const auto& [instrument, shard] : owner) {
    // Both venues of a symbol on one shard (the cross-venue detectors need them together).
    const std::string other = instrument.first == "simex" ? "mockex" : "simex";
    EXPECT_EQ((owner[{other, instrument.second}]), shard) << instrument.second;
    used.insert(shard);
  }
  EXPECT_EQ(used.size(), 3u);  // the split uses every instance
  // The split is the stable one of core/shard.h (pinned in its unit test): BTC 0, ETH 2, SOL 1.
  EXPECT_EQ((owner[{"simex", "BTC/USDT"}]), 0);
  EXPECT_EQ((owner[{"simex", "ETH/USDT"}]), 2);
  EXPECT_EQ((owner[{"simex", "SOL/USDT"}]), 1);
}

TEST(Sharding, ShardOutOfRangeIsAUsageError) {
  const auto result = run_tickguard(
      {"run", "--web.listen-address", "127.0.0.1:0", "--cluster.shard", "3", "--cluster.shards", "3"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, ::testing::HasSubstr("invalid shard 3: must be between 0 and shards - 1 (2)"));
}

}  // namespace
}  // namespace tickguard::testing
