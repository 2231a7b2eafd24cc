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

TEST(BybitSymbolMap, PagesBuiltFromInstrumentsInfoMapEverySymbol) {
  std::vector<InstrumentInfo> listed = instruments();
  listed.push_back({"XTZUSDT", "XTZ", "USDT", "Trading"});  // a second page, appended
  const BybitSymbolMap map(listed);
  EXPECT_EQ(map.to_venue("XTZ/USDT").symbol, "XTZUSDT");
  EXPECT_EQ(map.to_venue("BTC/USDT").symbol, "BTCUSDT");
}

TEST(BybitInstrumentsUrl, FirstPageHasNoCursor) {
  EXPECT_EQ(instruments_info_url("https://api.bybit.com", ""),
            "https://api.bybit.com/v5/market/instruments-info?category=spot");
}

TEST(BybitInstrumentsUrl, CursorIsPercentEncoded) {
  EXPECT_EQ(instruments_info_url("http://127.0.0.1:8080", "eyJwYWdlIjoyfQ=="),
            "http://127.0.0.1:8080/v5/market/instruments-info?category=spot&cursor=eyJwYWdlIjoyfQ%3D%3D");
  EXPECT_EQ(instruments_info_url("http://h", "a b&c+d/e"),
            "http://h/v5/market/instruments-info?category=spot&cursor=a%20b%26c%2Bd%2Fe");
}

TEST(BybitInstrumentsUrl, AlreadyEncodedCursorIsSentBackUnchanged) {
  EXPECT_EQ(instruments_info_url("http://h", "first%3DBTCUSDT%26last%3DXRPUSDT"),
            "http://h/v5/market/instruments-info?category=spot&cursor=first%3DBTCUSDT%26last%3DXRPUSDT");
  // A lone '%' is not an escape: it is encoded.
  EXPECT_EQ(instruments_info_url("http://h", "50%"),
            "http://h/v5/market/instruments-info?category=spot&cursor=50%25");
}

TEST(BybitRestFallbackUrls, TickerAndRecentTradeForOneSpotSymbol) {
  EXPECT_EQ(tickers_url("https://api.bybit.com", "BTCUSDT"),
            "https://api.bybit.com/v5/market/tickers?category=spot&symbol=BTCUSDT");
  EXPECT_EQ(recent_trades_url("https://api.bybit.com", "BTCUSDT"),
            "https://api.bybit.com/v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=60");
  EXPECT_EQ(recent_trades_url("http://127.0.0.1:8080", "ETHUSDC", 1),
            "http://127.0.0.1:8080/v5/market/recent-trade?category=spot&symbol=ETHUSDC&limit=1");
  // Spot symbols are alphanumeric; anything else is percent-encoded rather than breaking the query.
  EXPECT_EQ(tickers_url("http://h", "A&B C"), "http://h/v5/market/tickers?category=spot&symbol=A%26B%20C");
}

}  // namespace
}  // namespace tickguard::feeds::bybit
