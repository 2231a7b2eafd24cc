// Unified symbols ("BTC/USD") to Coinbase product ids ("BTC-USD") and back, built from the REST
// /products listing so that a symbol the venue does not list is reported, not guessed.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "feeds/coinbase/coinbase_parse.h"

namespace tickguard::feeds::coinbase {

enum class SymbolError : std::uint8_t {
  kNone,
  kUnknownSymbol,    // well-formed, but the venue lists no such product
  kMalformedSymbol,  // not BASE/QUOTE (unified) or BASE-QUOTE (native)
};

std::string_view to_string(SymbolError error);

class SymbolMap {
 public:
  SymbolMap() = default;
  // Builds the map from a products listing; products of any status are included (tradable()
  // tells whether one can be subscribed usefully).
  explicit SymbolMap(std::span<const Product> products);

  // "BTC/USD" -> "BTC-USD". On error `native` is left untouched. The view stays valid for the
  // life of the map.
  SymbolError to_native(std::string_view unified, std::string_view& native) const;
  // "BTC-USD" -> "BTC/USD", likewise.
  SymbolError to_unified(std::string_view native, std::string_view& unified) const;
  // True when the product is listed, online and not trading-disabled.
  bool tradable(std::string_view native) const;
  std::size_t size() const { return by_native_.size(); }

 private:
  struct Entry {
    std::string unified;
    bool tradable = false;
  };
  std::map<std::string, Entry, std::less<>> by_native_;
  std::map<std::string, std::string, std::less<>> by_unified_;
};

}  // namespace tickguard::feeds::coinbase
