#include "feeds/coinbase/coinbase_symbols.h"

namespace tickguard::feeds::coinbase {
namespace {

// True for "<non-empty><separator><non-empty>" with exactly one separator.
bool well_formed(std::string_view symbol, char separator) {
  const auto at = symbol.find(separator);
  return at != std::string_view::npos && at > 0 && at + 1 < symbol.size() &&
         symbol.find(separator, at + 1) == std::string_view::npos;
}

}  // namespace

std::string_view to_string(SymbolError error) {
  switch (error) {
    case SymbolError::kNone:
      return "ok";
    case SymbolError::kUnknownSymbol:
      return "unknown symbol";
    case SymbolError::kMalformedSymbol:
      return "malformed symbol";
  }
  return "unknown";
}

SymbolMap::SymbolMap(std::span<const Product> products) {
  for (const Product& product : products) {
    std::string unified = product.base_currency + "/" + product.quote_currency;
    by_unified_[unified] = product.id;
    by_native_[product.id] = Entry{std::move(unified), product.tradable()};
  }
}

SymbolError SymbolMap::to_native(std::string_view unified, std::string_view& native) const {
  if (!well_formed(unified, '/')) return SymbolError::kMalformedSymbol;
  const auto it = by_unified_.find(unified);
  if (it == by_unified_.end()) return SymbolError::kUnknownSymbol;
  native = it->second;
  return SymbolError::kNone;
}

SymbolError SymbolMap::to_unified(std::string_view native, std::string_view& unified) const {
  if (!well_formed(native, '-')) return SymbolError::kMalformedSymbol;
  const auto it = by_native_.find(native);
  if (it == by_native_.end()) return SymbolError::kUnknownSymbol;
  unified = it->second.unified;
  return SymbolError::kNone;
}

bool SymbolMap::tradable(std::string_view native) const {
  const auto it = by_native_.find(native);
  return it != by_native_.end() && it->second.tradable;
}

}  // namespace tickguard::feeds::coinbase
