// Unified symbols ("BTC/USD") to Kraken markets, built from the REST AssetPairs metadata rather than
// by string surgery: only listed pairs map, each with the precisions its book checksum needs.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "feeds/kraken/kraken_parse.h"

namespace tickguard::feeds::kraken {

// One listed spot pair as the connector uses it.
struct KrakenMarket {
  std::string unified;     // "BTC/USD"
  std::string v2_symbol;   // the WebSocket v2 name, "BTC/USD"
  std::string rest_key;    // the AssetPairs key, "XXBTZUSD" (for logs)
  int price_decimals = 0;  // pair_decimals: the price precision of the book checksum
  int qty_decimals = 0;    // lot_decimals: the quantity precision
  std::string status;      // "online", "cancel_only", ...; empty when the body has none
};

class KrakenSymbolMap {
 public:
  KrakenSymbolMap() = default;
  // Indexes every pair of the body. Where two entries name the same unified symbol, the one with a
  // WebSocket name wins (legacy dark-pool ".d" entries have none and cannot be streamed).
  explicit KrakenSymbolMap(const KrakenAssetPairs& pairs);

  // The market for "BTC/USD", or nullptr when Kraken does not list it.
  const KrakenMarket* find_unified(std::string_view unified) const;
  std::size_t size() const { return by_unified_.size(); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, KrakenMarket, StringHash, std::equal_to<>> by_unified_;
};

}  // namespace tickguard::feeds::kraken
