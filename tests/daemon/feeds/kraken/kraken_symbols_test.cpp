// Unified symbols to Kraken markets from the recorded AssetPairs excerpt (real venue data).
#include "feeds/kraken/kraken_symbols.h"

#include <gtest/gtest.h>

#include "kraken_test_util.h"

namespace tickguard::feeds::kraken {
namespace {

TEST(KrakenSymbolMap, MapsListedPairsWithTheirChecksumPrecisions) {
  const KrakenSymbolMap map(parse_asset_pairs(testing::read_fixture("rest_AssetPairs_excerpt.json")));
  EXPECT_EQ(map.size(), 10u);
  const KrakenMarket* btc = map.find_unified("BTC/USD");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->v2_symbol, "BTC/USD");
  EXPECT_EQ(btc->rest_key, "XXBTZUSD");
  EXPECT_EQ(btc->price_decimals, 1);
  EXPECT_EQ(btc->qty_decimals, 8);
  const KrakenMarket* ksm = map.find_unified("KSM/BTC");
  ASSERT_NE(ksm, nullptr);
  EXPECT_EQ(ksm->v2_symbol, "KSM/BTC");
  EXPECT_EQ(ksm->price_decimals, 6);
  const KrakenMarket* doge = map.find_unified("DOGE/USD");
  ASSERT_NE(doge, nullptr);
  EXPECT_EQ(doge->rest_key, "XDGUSD");
  EXPECT_EQ(doge->price_decimals, 7);
  EXPECT_EQ(map.find_unified("XBT/USD"), nullptr) << "unified names only";
  EXPECT_EQ(map.find_unified("NOPE/USD"), nullptr);
  EXPECT_EQ(map.find_unified(""), nullptr);
}

TEST(KrakenSymbolMap, PrefersTheStreamableEntryOfASymbol) {
  // A legacy dark-pool entry has no wsname and cannot be streamed; its twin can.
  const KrakenAssetPairs pairs = parse_asset_pairs(
      R"({"error":[],"result":{"XBTUSD.d":{"altname":"XBTUSD.d","base":"XXBT","quote":"ZUSD","pair_decimals":1,)"
      R"("lot_decimals":8},"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","base":"XXBT","quote":"ZUSD",)"
      R"("pair_decimals":1,"lot_decimals":8,"status":"online"},"ONLYD.d":{"altname":"ONLYD.d","base":"FOO",)"
      R"("quote":"ZUSD","pair_decimals":2,"lot_decimals":8}}})");
  ASSERT_EQ(pairs.error, KrakenParseError::kNone);
  const KrakenSymbolMap map(pairs);
  const KrakenMarket* btc = map.find_unified("BTC/USD");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->rest_key, "XXBTZUSD");
  EXPECT_EQ(btc->status, "online");
  EXPECT_EQ(map.find_unified("FOO/USD"), nullptr) << "no wsname: not streamable";
}

}  // namespace
}  // namespace tickguard::feeds::kraken
