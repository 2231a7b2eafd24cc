#include "feeds/okx/okx_symbols.h"

namespace tickguard::feeds::okx {

std::size_t OkxSymbolMap::add(const std::vector<OkxInstrument>& instruments) {
  std::size_t added = 0;
  for (const OkxInstrument& instrument : instruments) {
    if (instrument.base_ccy.empty() || instrument.quote_ccy.empty() || instrument.inst_id.empty()) continue;
    std::string unified = instrument.base_ccy + "/" + instrument.quote_ccy;
    const bool live = instrument.state == "live";
    by_native_.insert_or_assign(instrument.inst_id, Entry{unified, live});
    by_unified_.insert_or_assign(std::move(unified), Entry{instrument.inst_id, live});
    ++added;
  }
  return added;
}

SymbolLookup OkxSymbolMap::find(const Map& map, std::string_view key) {
  const auto it = map.find(key);
  if (it == map.end()) return SymbolLookup{};
  return SymbolLookup{SymbolStatus::kOk, it->second.other, it->second.live};
}

SymbolLookup OkxSymbolMap::to_native(std::string_view unified) const { return find(by_unified_, unified); }

SymbolLookup OkxSymbolMap::to_unified(std::string_view native) const { return find(by_native_, native); }

}  // namespace tickguard::feeds::okx
