// Bybit v5 public spot subscriptions, as pure functions: the topics of a symbol, the op requests
// that carry them (split to the venue's per-request argument limit), and how symbols are spread
// over connections so that no connection exceeds the venue's limit on the total length of its
// subscription arguments. No I/O.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tickguard::feeds::bybit {

// Spot accepts at most 10 args in one subscribe/unsubscribe request.
inline constexpr std::size_t kMaxArgsPerRequest = 10;
// One public connection may carry at most 21,000 characters of subscription args.
inline constexpr std::size_t kMaxArgsCharsPerConnection = 21000;
// The smallest spot orderbook depth that covers BookSnapshot::kMaxDepth (spot offers 1, 50, 200
// and 1000 levels; 50 is pushed every 20 ms).
inline constexpr int kOrderbookDepth = 50;

// The topics one symbol is subscribed to: trades, ticker, order book.
inline constexpr std::size_t kTopicsPerSymbol = 3;
std::array<std::string, kTopicsPerSymbol> symbol_topics(std::string_view venue_symbol);
// "orderbook.50.BTCUSDT": the topic resubscribed alone when that book must resync.
std::string book_topic(std::string_view venue_symbol);

// {"op":"<op>","args":["t1","t2",...]} requests for `topics`, in order, each with at most
// `max_args` args (empty when `topics` is).
std::vector<std::string> op_requests(std::string_view op, std::span<const std::string> topics,
                                     std::size_t max_args = kMaxArgsPerRequest);

// The characters `topics` occupy in an args array: each topic with its quotes and a comma.
std::size_t args_chars(std::span<const std::string> topics);

// Groups consecutive symbols into connections: `chars[i]` is the args length of symbol i; each
// returned group lists symbol indexes whose total stays within `budget` (a symbol larger than the
// budget on its own gets a connection to itself). Empty input gives no groups.
std::vector<std::vector<std::size_t>> plan_connections(std::span<const std::size_t> chars,
                                                       std::size_t budget = kMaxArgsCharsPerConnection);

}  // namespace tickguard::feeds::bybit
