// Unified symbols ("BTC/USDT") to OKX instrument ids ("BTC-USDT") and back, built from the
// instruments REST metadata rather than by string surgery: only listed instruments map.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feeds/okx/okx_parse.h"

namespace tickguard::feeds::okx {

enum class SymbolStatus : std::uint8_t {
  kOk,
  kUnknownSymbol,  // not in the instruments metadata (or not a spot pair with base and quote)
};

// A lookup result: `value` is meaningful only when status is kOk. It views the map's storage and is
// valid until the map is next modified.
struct SymbolLookup {
  SymbolStatus status = SymbolStatus::kUnknownSymbol;
  std::string_view value;
  bool live = false;  // the instrument's state is "live" (tradable now)
  bool ok() const { return status == SymbolStatus::kOk; }
};

class OkxSymbolMap {
 public:
  // Adds every instrument that has both a base and a quote currency (spot pairs); derivatives have
  // no BASE/QUOTE identity and are skipped. Returns how many were added or replaced.
  std::size_t add(const std::vector<OkxInstrument>& instruments);

  // "BTC/USDT" -> "BTC-USDT".
  SymbolLookup to_native(std::string_view unified) const;
  // "BTC-USDT" -> "BTC/USDT".
  SymbolLookup to_unified(std::string_view native) const;

  std::size_t size() const { return by_unified_.size(); }

 private:
  struct Entry {
    std::string other;  // the other spelling
    bool live = false;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using Map = std::unordered_map<std::string, Entry, StringHash, std::equal_to<>>;
  static SymbolLookup find(const Map& map, std::string_view key);

  Map by_unified_;
  Map by_native_;
};

}  // namespace tickguard::feeds::okx
