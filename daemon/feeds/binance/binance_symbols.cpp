#include "feeds/binance/binance_symbols.h"

#include <cctype>

namespace tickguard::feeds::binance {
namespace {

std::string unified_name(const SymbolInfo& info) { return info.base_asset + "/" + info.quote_asset; }

}  // namespace

SymbolTable::SymbolTable(std::span<const SymbolInfo> symbols) {
  for (const SymbolInfo& info : symbols) {
    native_by_unified_[unified_name(info)] = info.native;
    by_native_[info.native] = info;
  }
}

const SymbolInfo* SymbolTable::find_native(std::string_view native) const {
  const auto it = by_native_.find(std::string(native));
  return it == by_native_.end() ? nullptr : &it->second;
}

std::optional<std::string> to_native(std::string_view unified, const SymbolTable& table) {
  if (unified.find('/') == std::string_view::npos) return std::nullopt;
  const auto it = table.native_by_unified_.find(std::string(unified));
  if (it == table.native_by_unified_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> from_native(std::string_view native, const SymbolTable& table) {
  const SymbolInfo* info = table.find_native(native);
  if (!info) return std::nullopt;
  return unified_name(*info);
}

std::string stream_symbol(std::string_view native) {
  std::string lower(native);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace tickguard::feeds::binance
