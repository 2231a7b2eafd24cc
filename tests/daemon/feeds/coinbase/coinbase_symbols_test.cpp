#include "feeds/coinbase/coinbase_symbols.h"

#include <gtest/gtest.h>

#include <vector>

#include "coinbase_fixtures.h"

namespace tickguard::feeds::coinbase {
namespace {

SymbolMap recorded_symbols() {
  CoinbaseParser parser;
  std::vector<Product> products;
  EXPECT_EQ(parser.parse_products(testing::read_all("rest_products.json"), products), ParseError::kNone);
  return SymbolMap(products);
}

TEST(SymbolMap, MapsUnifiedToNativeAndBackFromRecordedProducts) {
  const SymbolMap symbols = recorded_symbols();
  EXPECT_EQ(symbols.size(), 14u);
  std::string_view native;
  ASSERT_EQ(symbols.to_native("BTC/USD", native), SymbolError::kNone);
  EXPECT_EQ(native, "BTC-USD");
  ASSERT_EQ(symbols.to_native("SKL/GBP", native), SymbolError::kNone);
  EXPECT_EQ(native, "SKL-GBP");
  std::string_view unified;
  ASSERT_EQ(symbols.to_unified("DASH-BTC", unified), SymbolError::kNone);
  EXPECT_EQ(unified, "DASH/BTC");
  EXPECT_TRUE(symbols.tradable("ETH-USD"));
}

TEST(SymbolMap, ReportsUnknownAndMalformedSymbols) {
  const SymbolMap symbols = recorded_symbols();
  std::string_view out = "untouched";
  EXPECT_EQ(symbols.to_native("DOGE/JPY", out), SymbolError::kUnknownSymbol);
  EXPECT_EQ(symbols.to_native("btc/usd", out), SymbolError::kUnknownSymbol);  // ids are case-sensitive
  EXPECT_EQ(symbols.to_native("BTC-USD", out), SymbolError::kMalformedSymbol);
  EXPECT_EQ(symbols.to_native("BTC/", out), SymbolError::kMalformedSymbol);
  EXPECT_EQ(symbols.to_native("", out), SymbolError::kMalformedSymbol);
  EXPECT_EQ(symbols.to_unified("DOGE-JPY", out), SymbolError::kUnknownSymbol);
  EXPECT_EQ(symbols.to_unified("BTC/USD", out), SymbolError::kMalformedSymbol);
  EXPECT_EQ(out, "untouched");
  EXPECT_FALSE(symbols.tradable("DOGE-JPY"));
  EXPECT_EQ(to_string(SymbolError::kUnknownSymbol), "unknown symbol");
}

TEST(SymbolMap, MarksDisabledOrOfflineProductsAsNotTradable) {
  std::vector<Product> products(2);
  products[0] = {"AAA-USD", "AAA", "USD", "online", true};
  products[1] = {"BBB-USD", "BBB", "USD", "delisted", false};
  const SymbolMap symbols(products);
  std::string_view native;
  EXPECT_EQ(symbols.to_native("AAA/USD", native), SymbolError::kNone);  // listed, so mapped
  EXPECT_FALSE(symbols.tradable("AAA-USD"));
  EXPECT_FALSE(symbols.tradable("BBB-USD"));
}

}  // namespace
}  // namespace tickguard::feeds::coinbase
