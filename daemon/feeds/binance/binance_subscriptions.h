// What the Binance connector subscribes and how it splits that over connections and messages, within
// the venue's WebSocket limits: at most 1024 streams per connection and at most 5 incoming messages per
// second per connection (pings, pongs and SUBSCRIBE requests all count). Pure functions: no I/O.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tickguard::feeds::binance {

// The venue's documented stream limits, and the share of them the connector allows itself.
struct StreamLimits {
  std::size_t max_streams_per_connection = 1024;
  // Not a documented limit: keeps each SUBSCRIBE frame a few kilobytes long.
  std::size_t max_streams_per_message = 200;
  // Between two requests on one connection: 4 per second at most, leaving room under the limit of 5
  // for the pong frames answering the venue's pings.
  std::chrono::milliseconds subscribe_interval{250};
};

// Streams per symbol: aggregate trades, best bid/offer, and the 100 ms diff-depth stream.
inline constexpr std::size_t kStreamsPerSymbol = 3;

// The stream names of one symbol, e.g. for "BTCUSDT": "btcusdt@aggTrade", "btcusdt@bookTicker",
// "btcusdt@depth@100ms" (stream names use the lower-case symbol).
std::array<std::string, kStreamsPerSymbol> symbol_streams(std::string_view native);

// How many symbols one connection carries: all streams of a symbol stay on one connection, so its
// book updates and trades arrive in order.
std::size_t symbols_per_connection(const StreamLimits& limits);

// Splits `symbol_count` symbols (in order) into consecutive groups, one per connection; the sizes
// of the groups. Empty when there are no symbols.
std::vector<std::size_t> connection_groups(std::size_t symbol_count, const StreamLimits& limits);

// SUBSCRIBE requests ({"method":"SUBSCRIBE","params":[...],"id":N}) for `streams`, at most
// limits.max_streams_per_message names each, with ids next_id, next_id + 1, ... (next_id is advanced
// past the last one used).
std::vector<std::string> subscribe_messages(std::span<const std::string> streams, const StreamLimits& limits,
                                            std::uint64_t& next_id);

// Finds a subscribed symbol's slot by the native name a payload carries ("BTCUSDT") without building
// a string: a sorted array searched by binary search. Built once, then read-only.
class NativeSymbolIndex {
 public:
  // `natives[i]` is the native name of slot i. Duplicate names keep the first slot.
  explicit NativeSymbolIndex(std::span<const std::string> natives = {});

  // The slot of `native`, or kNotFound.
  std::size_t find(std::string_view native) const;
  std::size_t size() const { return entries_.size(); }

  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

 private:
  struct Entry {
    std::string native;
    std::size_t slot = 0;
  };
  std::vector<Entry> entries_;  // sorted by native
};

}  // namespace tickguard::feeds::binance
