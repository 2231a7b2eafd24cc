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

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Appends `text` percent-encoded except for unreserved characters and existing %XX escapes.
void append_encoded(std::string& url, std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool escape_already = c == '%' && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2]);
    if (is_unreserved(c) || escape_already) {
      url += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      url += '%';
      url += kHex[byte >> 4];
      url += kHex[byte & 15];
    }
  }
}

}  // namespace

std::string instruments_info_url(std::string_view rest_url, std::string_view cursor) {
  std::string url(rest_url);
  url += "/v5/market/instruments-info?category=spot";
  if (cursor.empty()) return url;
  url += "&cursor=";
  append_encoded(url, cursor);
  return url;
}

std::string tickers_url(std::string_view rest_url, std::string_view venue_symbol) {
  std::string url(rest_url);
  url += "/v5/market/tickers?category=spot&symbol=";
  append_encoded(url, venue_symbol);
  return url;
}

std::string recent_trades_url(std::string_view rest_url, std::string_view venue_symbol, int limit) {
  std::string url(rest_url);
  url += "/v5/market/recent-trade?category=spot&symbol=";
  append_encoded(url, venue_symbol);
  url += "&limit=";
  url += std::to_string(limit);
  return url;
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
