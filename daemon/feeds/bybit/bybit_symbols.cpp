#include "feeds/bybit/bybit_symbols.h"

namespace tickguard::feeds::bybit {

std::string_view to_string(SymbolError error) {
  switch (error) {
    case SymbolError::kNone:
      return "ok";
    case SymbolError::kUnknownSymbol:
      return "unknown symbol";
    case SymbolError::kNotTrading:
      return "symbol not trading";
  }
  return "unknown";
}

BybitSymbolMap::BybitSymbolMap(std::span<const InstrumentInfo> instruments) { rebuild(instruments); }

void BybitSymbolMap::rebuild(std::span<const InstrumentInfo> instruments) {
  by_unified_.clear();
  by_venue_.clear();
  for (const InstrumentInfo& info : instruments) {
    if (info.symbol.empty() || info.base_coin.empty() || info.quote_coin.empty()) continue;
    const bool trading = info.status == "Trading";
    std::string unified = info.base_coin + "/" + info.quote_coin;
    by_venue_[info.symbol] = Entry{unified, trading};
    by_unified_[std::move(unified)] = Entry{info.symbol, trading};
  }
}

SymbolLookup BybitSymbolMap::find(const std::map<std::string, Entry, std::less<>>& map,
                                  std::string_view key) {
  const auto it = map.find(key);
  if (it == map.end()) return {SymbolError::kUnknownSymbol, {}};
  if (!it->second.trading) return {SymbolError::kNotTrading, {}};
  return {SymbolError::kNone, it->second.other};
}

SymbolLookup BybitSymbolMap::to_venue(std::string_view unified) const { return find(by_unified_, unified); }

SymbolLookup BybitSymbolMap::to_unified(std::string_view venue) const { return find(by_venue_, venue); }

}  // namespace tickguard::feeds::bybit
