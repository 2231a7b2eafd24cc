#include "feeds/bybit/bybit_subscriptions.h"

namespace tickguard::feeds::bybit {

std::array<std::string, kTopicsPerSymbol> symbol_topics(std::string_view venue_symbol) {
  const std::string symbol(venue_symbol);
  return {"publicTrade." + symbol, "tickers." + symbol, book_topic(venue_symbol)};
}

std::string book_topic(std::string_view venue_symbol) {
  return "orderbook." + std::to_string(kOrderbookDepth) + "." + std::string(venue_symbol);
}

std::vector<std::string> op_requests(std::string_view op, std::span<const std::string> topics,
                                     std::size_t max_args) {
  std::vector<std::string> out;
  if (max_args == 0) max_args = 1;
  for (std::size_t begin = 0; begin < topics.size(); begin += max_args) {
    std::string request = R"({"op":")";
    request += op;
    request += R"(","args":[)";
    const std::size_t end = std::min(topics.size(), begin + max_args);
    for (std::size_t i = begin; i < end; ++i) {
      if (i != begin) request += ',';
      request += '"';
      request += topics[i];  // venue symbols are alphanumeric: nothing to escape
      request += '"';
    }
    request += "]}";
    out.push_back(std::move(request));
  }
  return out;
}

std::size_t args_chars(std::span<const std::string> topics) {
  std::size_t total = 0;
  for (const auto& topic : topics) total += topic.size() + 3;
  return total;
}

std::vector<std::vector<std::size_t>> plan_connections(std::span<const std::size_t> chars,
                                                       std::size_t budget) {
  std::vector<std::vector<std::size_t>> groups;
  std::size_t used = 0;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (groups.empty() || used + chars[i] > budget) {
      groups.emplace_back();
      used = 0;
    }
    groups.back().push_back(i);
    used += chars[i];
  }
  return groups;
}

}  // namespace tickguard::feeds::bybit
