#include "feeds/binance/binance_symbols.h"

#include <gtest/gtest.h>

#include "binance_fixtures.h"

namespace tickguard::feeds::binance {
namespace {

SymbolTable recorded_table() {
  BinanceParser parser;
  std::vector<SymbolInfo> symbols;
  EXPECT_TRUE(
      parser.parse_exchange_info(testing::read_fixture("rest_exchangeInfo_trimmed.json"), symbols).ok);
  return SymbolTable(symbols);
}

TEST(BinanceSymbols, MapsUnifiedToNativeAndBack) {
  const SymbolTable table = recorded_table();
  EXPECT_EQ(table.size(), 9u);
  EXPECT_EQ(to_native("BTC/USDT", table), "BTCUSDT");
  EXPECT_EQ(to_native("RUNE/EUR", table), "RUNEEUR");
  EXPECT_EQ(from_native("NKNUSDT", table), "NKN/USDT");
  EXPECT_EQ(from_native("ETHBTC", table), "ETH/BTC");
  ASSERT_NE(table.find_native("BCCBTC"), nullptr);
  EXPECT_EQ(table.find_native("BCCBTC")->status, "BREAK");
}

TEST(BinanceSymbols, UnknownSymbolsYieldNoValue) {
  const SymbolTable table = recorded_table();
  EXPECT_EQ(to_native("DOGE/USDT", table), std::nullopt);
  EXPECT_EQ(to_native("BTCUSDT", table), std::nullopt);  // not unified form
  EXPECT_EQ(to_native("", table), std::nullopt);
  EXPECT_EQ(from_native("DOGEUSDT", table), std::nullopt);
  EXPECT_EQ(from_native("btcusdt", table), std::nullopt);  // payload symbols are upper-case
  EXPECT_EQ(to_native("BTC/USDT", SymbolTable{}), std::nullopt);
}

TEST(BinanceSymbols, StreamNamesUseLowerCase) { EXPECT_EQ(stream_symbol("NKNUSDT"), "nknusdt"); }

}  // namespace
}  // namespace tickguard::feeds::binance
