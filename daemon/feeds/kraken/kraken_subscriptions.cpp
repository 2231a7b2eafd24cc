#include "feeds/kraken/kraken_subscriptions.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace tickguard::feeds::kraken {
namespace {

constexpr std::array<int, 5> kBookDepths{10, 25, 100, 500, 1000};
constexpr int kChecksumLevels = 10;

bool contains_ignoring_case(std::string_view text, std::string_view needle) {
  const auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

}  // namespace

int subscription_depth(int levels) {
  const int wanted = std::max(levels, kChecksumLevels);
  for (const int depth : kBookDepths) {
    if (depth >= wanted) return depth;
  }
  return kBookDepths.back();
}

std::vector<KrakenChannel> market_data_channels(int book_depth) {
  std::vector<KrakenChannel> channels(3);
  channels[0].name = "trade";
  channels[0].snapshot = false;
  channels[1].name = "ticker";
  channels[1].event_trigger = "bbo";
  channels[2].name = "book";
  channels[2].depth = book_depth;
  return channels;
}

std::vector<std::string> v2_channel_requests(std::string_view method, const KrakenChannel& channel,
                                             std::span<const std::string> symbols, std::size_t max_symbols,
                                             std::uint64_t& next_req_id) {
  std::vector<std::string> out;
  const std::size_t per_request = std::max<std::size_t>(max_symbols, 1);
  for (std::size_t begin = 0; begin < symbols.size(); begin += per_request) {
    const std::span<const std::string> batch =
        symbols.subspan(begin, std::min(per_request, symbols.size() - begin));
    std::string request = R"({"method":")";
    request += method;
    request += R"(","params":{"channel":")";
    request += channel.name;
    request += R"(","symbol":[)";
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i > 0) request += ',';
      request += '"';
      request += batch[i];
      request += '"';
    }
    request += ']';
    if (channel.depth > 0) request += R"(,"depth":)" + std::to_string(channel.depth);
    if (!channel.event_trigger.empty()) {
      request += R"(,"event_trigger":")";
      request += channel.event_trigger;
      request += '"';
    }
    if (channel.snapshot) request += *channel.snapshot ? R"(,"snapshot":true)" : R"(,"snapshot":false)";
    request += R"(},"req_id":)" + std::to_string(next_req_id++) + "}";
    out.push_back(std::move(request));
  }
  return out;
}

std::string v2_ping_request(std::uint64_t req_id) {
  return R"({"method":"ping","req_id":)" + std::to_string(req_id) + "}";
}

bool is_rate_limit_error(std::string_view error_text) {
  // WebSocket: "Exceeded msg rate" (message budget); REST bodies: "EAPI:Rate limit exceeded",
  // "EGeneral:Too many requests".
  return contains_ignoring_case(error_text, "msg rate") || contains_ignoring_case(error_text, "rate limit") ||
         contains_ignoring_case(error_text, "too many requests");
}

}  // namespace tickguard::feeds::kraken
