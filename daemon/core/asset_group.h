// Asset groups: the instruments that quote the same asset in comparable money, whatever the venue.
// Cross-venue detectors compare the members of a group, and the pipeline keeps every member of a
// group on one shard so that they can do so without locks.
#pragma once

#include <string>
#include <string_view>

namespace tickguard {

// The group of a unified symbol BASE/QUOTE: "BASE/USD" when QUOTE is the US dollar or a dollar
// stablecoin (USD, USDT, USDC, BUSD, FDUSD, TUSD, USDP, DAI, PYUSD, USDE), else the symbol itself.
// So BTC/USD on one venue and BTC/USDT on another are compared (their small quote basis is learned
// by the detectors), while ETH/BTC is only compared with ETH/BTC. A symbol without '/' is its own
// group.
std::string asset_group(std::string_view symbol);

}  // namespace tickguard
