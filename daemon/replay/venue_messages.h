// Raw recorded exchange WebSocket messages (one per line, as in tests/fixtures/<venue>/ws_*.jsonl)
// to normalized events, through each venue's own pure parser and book synchronizer — the code its
// connector runs — with no network. Native symbols become unified ones from the symbols the caller
// knows (the config's feeds of that venue) or, failing that, a per-venue rule:
//   binance, bybit   "NKNUSDT" -> "NKN/USDT": the longest known quote-asset suffix (USDT, BUSD, BTC, ...)
//   coinbase, okx    "SKL-USD" -> "SKL/USD"; ids of more than two parts (OKX futures and swaps such as
//                    "BTC-USD-220527") are not spot markets: their messages are skipped
//   kraken           "XBT/USD" -> "BTC/USD" (the connector's asset renaming)
// Books: Coinbase, Kraken, OKX and Bybit streams carry their own snapshots, so their books are
// rebuilt and emitted after every applied message; a Binance diff stream needs a REST snapshot
// that a stream recording lacks, so its depth updates are skipped.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tickguard/event.h"
#include "tickguard/status.h"

namespace tickguard::replay {

// One normalized event of a venue message. Times are the venue's; a zero exchange_time means the
// message carried none (Binance bookTicker, Kraken v1 ticker, Coinbase book snapshot).
struct VenueEvent {
  std::string symbol;  // unified
  MarketEvent event;
};

class VenueDecoder {
 public:
  virtual ~VenueDecoder() = default;
  // Decodes one message into `out` (cleared first). Ok with no events for messages that are not
  // market data (acks, heartbeats, status), of non-spot instruments, or book updates that cannot be
  // applied yet; InvalidArgument with the reason when the message is malformed or its symbol
  // cannot be mapped.
  virtual Status decode(std::string_view message, std::vector<VenueEvent>& out) = 0;
};

// A decoder for `venue` (binance, coinbase, kraken, okx or bybit), or nullptr for another name.
// `known_symbols`: unified symbols to map native ones with before the venue rule applies.
std::unique_ptr<VenueDecoder> make_venue_decoder(std::string_view venue,
                                                 const std::vector<std::string>& known_symbols);

}  // namespace tickguard::replay
