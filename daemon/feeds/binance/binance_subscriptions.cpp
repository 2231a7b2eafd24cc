#include "feeds/binance/binance_subscriptions.h"

#include <algorithm>

#include "feeds/binance/binance_symbols.h"

namespace tickguard::feeds::binance {

std::array<std::string, kStreamsPerSymbol> symbol_streams(std::string_view native) {
  const std::string lower = stream_symbol(native);
  return {lower + "@aggTrade", lower + "@bookTicker", lower + "@depth@100ms"};
}

std::size_t symbols_per_connection(const StreamLimits& limits) {
  return std::max<std::size_t>(1, limits.max_streams_per_connection / kStreamsPerSymbol);
}

std::vector<std::size_t> connection_groups(std::size_t symbol_count, const StreamLimits& limits) {
  const std::size_t per_connection = symbols_per_connection(limits);
  std::vector<std::size_t> groups;
  for (std::size_t left = symbol_count; left > 0;) {
    const std::size_t size = std::min(left, per_connection);
    groups.push_back(size);
    left -= size;
  }
  return groups;
}

std::vector<std::string> subscribe_messages(std::span<const std::string> streams, const StreamLimits& limits,
                                            std::uint64_t& next_id) {
  const std::size_t per_message = std::max<std::size_t>(1, limits.max_streams_per_message);
  std::vector<std::string> messages;
  for (std::size_t begin = 0; begin < streams.size(); begin += per_message) {
    const std::size_t end = std::min(streams.size(), begin + per_message);
    std::string message = R"({"method":"SUBSCRIBE","params":[)";
    for (std::size_t i = begin; i < end; ++i) {
      if (i > begin) message += ',';
      message += '"';
      message += streams[i];
      message += '"';
    }
    message += R"(],"id":)" + std::to_string(next_id++) + "}";
    messages.push_back(std::move(message));
  }
  return messages;
}

NativeSymbolIndex::NativeSymbolIndex(std::span<const std::string> natives) {
  entries_.reserve(natives.size());
  for (std::size_t slot = 0; slot < natives.size(); ++slot) entries_.push_back(Entry{natives[slot], slot});
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.native < b.native; });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) { return a.native == b.native; }),
                 entries_.end());
}

std::size_t NativeSymbolIndex::find(std::string_view native) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), native,
                                   [](const Entry& e, std::string_view key) { return e.native < key; });
  return it != entries_.end() && it->native == native ? it->slot : kNotFound;
}

}  // namespace tickguard::feeds::binance
