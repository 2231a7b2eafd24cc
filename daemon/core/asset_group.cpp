#include "core/asset_group.h"

#include <algorithm>
#include <array>

namespace tickguard {

std::string asset_group(std::string_view symbol) {
  static constexpr std::array<std::string_view, 10> kDollars = {"USD",  "USDT", "USDC", "BUSD",  "FDUSD",
                                                                "TUSD", "USDP", "DAI",  "PYUSD", "USDE"};
  const std::size_t slash = symbol.find('/');
  if (slash == std::string_view::npos) return std::string(symbol);
  const std::string_view quote = symbol.substr(slash + 1);
  if (std::find(kDollars.begin(), kDollars.end(), quote) == kDollars.end()) return std::string(symbol);
  std::string group(symbol.substr(0, slash));
  group += "/USD";
  return group;
}

}  // namespace tickguard
