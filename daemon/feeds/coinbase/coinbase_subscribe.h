// The subscribe/unsubscribe requests the Coinbase Exchange feed takes, built and split without
// I/O: which public channels each product gets, and how many product ids one request carries.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tickguard::feeds::coinbase {

// The book channel. Coinbase's `level2` now requires an authenticated subscription; `level2_batch`
// is its public form (the same snapshot + l2update messages, batched every 50 ms).
inline constexpr std::string_view kBookChannel = "level2_batch";

// Every product is subscribed to: per-second heartbeats (sequence and last trade id, for gap
// detection), every trade, the best bid/ask after each trade, and the book.
inline constexpr std::array<std::string_view, 4> kChannels = {"heartbeat", "matches", "ticker", kBookChannel};

// Product ids per request. The venue documents no per-request product limit but disconnects on
// oversized messages ("Message too big"); 100 ids keep a request near 1.5 KB.
inline constexpr std::size_t kMaxProductsPerRequest = 100;

enum class RequestType : std::uint8_t { kSubscribe, kUnsubscribe };

// One request: {"type":"subscribe","product_ids":[...],"channels":[...]}. Ids and channel names
// are written as given (Coinbase ids are plain ASCII such as "BTC-USD").
std::string subscription_request(RequestType type, std::span<const std::string_view> product_ids,
                                 std::span<const std::string_view> channels);

// The requests covering every product id, at most `max_products` ids each (at least 1), in order.
// Empty when there is no product id.
std::vector<std::string> subscription_requests(RequestType type,
                                               std::span<const std::string_view> product_ids,
                                               std::span<const std::string_view> channels,
                                               std::size_t max_products = kMaxProductsPerRequest);

}  // namespace tickguard::feeds::coinbase
