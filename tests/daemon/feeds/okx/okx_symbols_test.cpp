#include "feeds/okx/okx_symbols.h"

#include <gtest/gtest.h>

#include "feeds/okx/okx_parse.h"
#include "okx_fixtures.h"

namespace tickguard::feeds::okx {
namespace {

OkxSymbolMap recorded_map() {
  OkxParser parser;
  std::vector<OkxInstrument> instruments;
  for (const auto& line : testing::fixture_lines("rest_instruments.jsonl")) {
    EXPECT_TRUE(parser.parse_instruments(line, instruments).ok);
  }
  OkxSymbolMap map;
  EXPECT_EQ(map.add(instruments), 8u);  // the two swaps have no base/quote
  return map;
}

TEST(OkxSymbolMap, MapsUnifiedToNativeAndBack) {
  const OkxSymbolMap map = recorded_map();
  const SymbolLookup native = map.to_native("BTC/USDT");
  ASSERT_TRUE(native.ok());
  EXPECT_EQ(native.value, "BTC-USDT");
  EXPECT_TRUE(native.live);
  const SymbolLookup unified = map.to_unified("FITFI-USDT");
  ASSERT_TRUE(unified.ok());
  EXPECT_EQ(unified.value, "FITFI/USDT");
}

TEST(OkxSymbolMap, UnknownSymbolIsAnErrorValue) {
  const OkxSymbolMap map = recorded_map();
  EXPECT_EQ(map.to_native("XRP/USDT").status, SymbolStatus::kUnknownSymbol);
  EXPECT_FALSE(map.to_native("BTC-USDT").ok());  // native spelling is not a unified symbol
  EXPECT_FALSE(map.to_unified("BTC-USD-SWAP").ok());
  EXPECT_TRUE(map.to_unified("").value.empty());
}

TEST(OkxSymbolMap, ReportsStateOtherThanLive) {
  OkxSymbolMap map;
  map.add({OkxInstrument{"NEW-USDT", "SPOT", "NEW", "USDT", "preopen"}});
  const SymbolLookup lookup = map.to_native("NEW/USDT");
  ASSERT_TRUE(lookup.ok());
  EXPECT_FALSE(lookup.live);
}

}  // namespace
}  // namespace tickguard::feeds::okx
