// Unified "BASE/QUOTE" symbols <-> Bybit spot symbols ("BTCUSDT"), built from REST
// /v5/market/instruments-info. Bybit symbols carry no separator, so the mapping must come from the
// venue's baseCoin/quoteCoin rather than from splitting text.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "feeds/bybit/bybit_parse.h"

namespace tickguard::feeds::bybit {

enum class SymbolError : std::uint8_t {
  kNone,
  kUnknownSymbol,  // not in the instruments list
  kNotTrading,     // listed, but status is not "Trading"
};
std::string_view to_string(SymbolError error);

// A lookup result: `symbol` is meaningful only when error == kNone. It views storage owned by the
// BybitSymbolMap and stays valid until the map is rebuilt or destroyed.
struct SymbolLookup {
  SymbolError error = SymbolError::kUnknownSymbol;
  std::string_view symbol;
  bool ok() const { return error == SymbolError::kNone; }
};

// The URL of one page of spot instrument metadata: `rest_url` (no trailing slash) +
// /v5/market/instruments-info?category=spot, plus &cursor=<cursor> for the pages after the first.
// The cursor is percent-encoded except for unreserved characters and existing %XX escapes, so a
// cursor Bybit already encoded is sent back unchanged.
std::string instruments_info_url(std::string_view rest_url, std::string_view cursor);

// Bybit spot recent-trade accepts limit 1..60 (default 60); the REST fallback asks for all 60, the
// same one request in Bybit's per-IP count as a smaller page.
inline constexpr int kRecentTradesLimit = 60;
// The REST fallback's URLs for one symbol (percent-encoded like the cursor above):
// `rest_url`/v5/market/tickers?category=spot&symbol=<symbol> (best bid/ask, last price) and
// `rest_url`/v5/market/recent-trade?category=spot&symbol=<symbol>&limit=<limit>.
std::string tickers_url(std::string_view rest_url, std::string_view venue_symbol);
std::string recent_trades_url(std::string_view rest_url, std::string_view venue_symbol,
                              int limit = kRecentTradesLimit);

class BybitSymbolMap {
 public:
  BybitSymbolMap() = default;
  // Replaces the mapping with `instruments` (rows without base/quote coin are skipped).
  explicit BybitSymbolMap(std::span<const InstrumentInfo> instruments);
  void rebuild(std::span<const InstrumentInfo> instruments);

  // "BTC/USDT" -> "BTCUSDT"; kUnknownSymbol / kNotTrading otherwise.
  SymbolLookup to_venue(std::string_view unified) const;
  // "BTCUSDT" -> "BTC/USDT"; kUnknownSymbol / kNotTrading otherwise.
  SymbolLookup to_unified(std::string_view venue) const;
  std::size_t size() const { return by_venue_.size(); }

 private:
  struct Entry {
    std::string other;  // the symbol in the other form
    bool trading = false;
  };
  static SymbolLookup find(const std::map<std::string, Entry, std::less<>>& map, std::string_view key);

  std::map<std::string, Entry, std::less<>> by_unified_;
  std::map<std::string, Entry, std::less<>> by_venue_;
};

}  // namespace tickguard::feeds::bybit
