#include "feeds/kraken/kraken_symbols.h"

namespace tickguard::feeds::kraken {

KrakenSymbolMap::KrakenSymbolMap(const KrakenAssetPairs& pairs) {
  for (const KrakenAssetPair& pair : pairs.pairs) {
    std::string unified = pair.unified_symbol();
    if (unified.empty() || unified.front() == '/' || unified.back() == '/') continue;
    const bool streamable = !pair.wsname.empty();
    auto found = by_unified_.find(unified);
    if (found != by_unified_.end()) {
      // Keep the first streamable entry; replace an entry that cannot be streamed.
      if (!found->second.v2_symbol.empty() || !streamable) continue;
    }
    KrakenMarket market;
    market.unified = unified;
    market.v2_symbol = streamable ? v2_symbol(unified) : std::string();
    market.rest_key = pair.key;
    market.price_decimals = pair.pair_decimals;
    market.qty_decimals = pair.lot_decimals;
    market.status = pair.status;
    by_unified_.insert_or_assign(std::move(unified), std::move(market));
  }
}

const KrakenMarket* KrakenSymbolMap::find_unified(std::string_view unified) const {
  const auto found = by_unified_.find(unified);
  if (found == by_unified_.end() || found->second.v2_symbol.empty()) return nullptr;
  return &found->second;
}

}  // namespace tickguard::feeds::kraken
