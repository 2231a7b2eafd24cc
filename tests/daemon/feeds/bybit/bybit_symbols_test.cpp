#include "feeds/bybit/bybit_symbols.h"

#include <gtest/gtest.h>

#include <vector>

namespace tickguard::feeds::bybit {
namespace {

std::vector<InstrumentInfo> instruments() {
  return {{"BTCUSDT", "BTC", "USDT", "Trading"},
          {"ETHUSDC", "ETH", "USDC", "Trading"},
          {"OLDUSDT", "OLD", "USDT", "Closed"}};
}

TEST(BybitSymbolMap, MapsUnifiedAndVenueSymbolsBothWays) {
  const BybitSymbolMap map(instruments());
  EXPECT_EQ(map.size(), 3u);
  const SymbolLookup venue = map.to_venue("BTC/USDT");
  ASSERT_TRUE(venue.ok());
  EXPECT_EQ(venue.symbol, "BTCUSDT");
  const SymbolLookup unified = map.to_unified("ETHUSDC");
  ASSERT_TRUE(unified.ok());
  EXPECT_EQ(unified.symbol, "ETH/USDC");
}

TEST(BybitSymbolMap, UnknownSymbolIsAnErrorValue) {
  const BybitSymbolMap map(instruments());
  const SymbolLookup missing = map.to_venue("DOGE/USDT");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.error, SymbolError::kUnknownSymbol);
  EXPECT_TRUE(missing.symbol.empty());
  EXPECT_EQ(map.to_unified("DOGEUSDT").error, SymbolError::kUnknownSymbol);
  EXPECT_EQ(map.to_venue("BTCUSDT").error, SymbolError::kUnknownSymbol);  // venue form is not unified
  EXPECT_EQ(to_string(SymbolError::kUnknownSymbol), "unknown symbol");
}

TEST(BybitSymbolMap, ListedButNotTradingIsReported) {
  const BybitSymbolMap map(instruments());
  EXPECT_EQ(map.to_venue("OLD/USDT").error, SymbolError::kNotTrading);
  EXPECT_EQ(map.to_unified("OLDUSDT").error, SymbolError::kNotTrading);
}

TEST(BybitSymbolMap, EmptyMapKnowsNothing) {
  const BybitSymbolMap map;
  EXPECT_EQ(map.to_venue("BTC/USDT").error, SymbolError::kUnknownSymbol);
}

}  // namespace
}  // namespace tickguard::feeds::bybit
