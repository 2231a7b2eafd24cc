// Sharding: stable, every venue of an asset on one shard, an even split.
#include "core/shard.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace tickguard {
namespace {

TEST(StableHash, NeverChanges) {
  // Pinned values: instances of different versions in one deployment must agree on the split, so a
  // change here breaks every sharded deployment during an upgrade.
  EXPECT_EQ(stable_hash(""), 0xf52a15e9a9b5e89bull);
  EXPECT_EQ(stable_hash("BTC/USD"), 0xc718e27695501b3bull);
  EXPECT_EQ(shard_of("BTC/USDT", 3), 0);
  EXPECT_EQ(shard_of("ETH/USDT", 3), 2);
  EXPECT_EQ(shard_of("SOL/USDT", 3), 1);
  EXPECT_EQ(shard_of("ETH/BTC", 7), 4);
}

TEST(ShardOf, EveryVenueAndDollarQuoteOfAnAssetShareAShard) {
  for (int shards : {2, 3, 5, 16}) {
    const int btc = shard_of("BTC/USDT", shards);
    EXPECT_EQ(shard_of("BTC/USD", shards), btc);
    EXPECT_EQ(shard_of("BTC/USDC", shards), btc);
    EXPECT_EQ(shard_of("BTC/FDUSD", shards), btc);
    EXPECT_GE(btc, 0);
    EXPECT_LT(btc, shards);
  }
}

TEST(ShardOf, OneShardTakesEverything) {
  EXPECT_EQ(shard_of("BTC/USDT", 1), 0);
  EXPECT_EQ(shard_of("ETH/BTC", 1), 0);
}

TEST(ShardOf, SplitsManyAssetsEvenly) {
  constexpr int kShards = 4;
  constexpr int kAssets = 400;
  std::map<int, int> counts;
  for (int i = 0; i < kAssets; ++i) ++counts[shard_of("A" + std::to_string(i) + "/USDT", kShards)];
  ASSERT_EQ(counts.size(), static_cast<std::size_t>(kShards));
  for (const auto& [shard, count] : counts) {
    EXPECT_GT(count, kAssets / kShards * 3 / 4) << shard;  // within 25 % of an even share
    EXPECT_LT(count, kAssets / kShards * 5 / 4) << shard;
  }
}

}  // namespace
}  // namespace tickguard
