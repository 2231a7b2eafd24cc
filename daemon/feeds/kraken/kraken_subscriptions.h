// Kraken WebSocket v2 requests (subscribe, unsubscribe, ping) and the limits the connector keeps
// when sending them. Pure: the feed sends what these build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tickguard::feeds::kraken {

// Kraken documents no fixed cap on symbols per request nor on requests per second for the public
// channels: the per-connection message budget adapts to load, and a request past it is refused with
// an "Exceeded msg rate" error. So requests are kept small and paced, and refused ones are resent.
inline constexpr std::size_t kMaxSymbolsPerRequest = 50;
inline constexpr double kRequestBurst = 5;       // requests sent back to back on connect
inline constexpr double kRequestsPerSecond = 2;  // sustained rate after the burst

// One channel subscription's parameters.
struct KrakenChannel {
  std::string_view name;           // "trade", "ticker", "book"
  int depth = 0;                   // book: levels per side (10, 25, 100, 500, 1000); 0 omits it
  std::string_view event_trigger;  // ticker: "bbo" (on best bid/offer changes) or "trades"; empty omits
  std::optional<bool> snapshot;    // omitted when unset (the venue's default applies)
};

// The book depth to subscribe for reporting `levels` per side: the smallest depth the venue accepts
// that covers both `levels` and the 10 levels its checksum is computed over.
int subscription_depth(int levels);

// What the connector streams for every symbol: trades (without a snapshot of past trades, which
// would be counted twice after a reconnect), the ticker on every best bid/offer change, and the
// book at `book_depth` (a value from subscription_depth).
std::vector<KrakenChannel> market_data_channels(int book_depth);

// The `method` ("subscribe" or "unsubscribe") requests for `symbols` on `channel`, split so that
// no request names more than `max_symbols` symbols (at least one). Each request carries
// req_id = next_req_id++, so a refusal can be matched to its request. Symbols are venue names
// (letters, digits, '/'), written without escaping. Empty when `symbols` is.
std::vector<std::string> v2_channel_requests(std::string_view method, const KrakenChannel& channel,
                                             std::span<const std::string> symbols, std::size_t max_symbols,
                                             std::uint64_t& next_req_id);

// {"method":"ping","req_id":N}: the venue answers with a pong.
std::string v2_ping_request(std::uint64_t req_id);

// True when the venue refused a request (WebSocket or REST) because too many were sent: worth
// sending again later, as opposed to a request that is wrong.
bool is_rate_limit_error(std::string_view error_text);

}  // namespace tickguard::feeds::kraken
