// Mapping between tickguard's unified symbols ("BTC/USDT") and Binance's native ones ("BTCUSDT"),
// built from GET /api/v3/exchangeInfo: native names cannot be split reliably without it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "feeds/binance/binance_parse.h"

namespace tickguard::feeds::binance {

// Both directions of the symbol mapping for one exchangeInfo response. Immutable once built.
class SymbolTable {
 public:
  SymbolTable() = default;
  // Indexes every listed symbol, whatever its trading status (status() reports it).
  explicit SymbolTable(std::span<const SymbolInfo> symbols);

  std::size_t size() const { return by_native_.size(); }
  // The exchangeInfo entry for a native symbol, or nullptr when Binance did not list it.
  const SymbolInfo* find_native(std::string_view native) const;

 private:
  friend std::optional<std::string> to_native(std::string_view unified, const SymbolTable& table);
  std::unordered_map<std::string, SymbolInfo> by_native_;
  std::unordered_map<std::string, std::string> native_by_unified_;
};

// "BTC/USDT" -> "BTCUSDT"; nullopt when the pair is not listed (or the text has no '/').
std::optional<std::string> to_native(std::string_view unified, const SymbolTable& table);

// "BTCUSDT" -> "BTC/USDT"; nullopt when the symbol is not listed. Case-sensitive: stream payloads
// carry upper-case symbols, stream names lower-case ones (see stream_symbol).
std::optional<std::string> from_native(std::string_view native, const SymbolTable& table);

// The lower-case form used in stream names: "BTCUSDT" -> "btcusdt" (as in "btcusdt@aggTrade").
std::string stream_symbol(std::string_view native);

}  // namespace tickguard::feeds::binance
