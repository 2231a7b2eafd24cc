#include "feeds/coinbase/coinbase_subscribe.h"

#include <algorithm>

namespace tickguard::feeds::coinbase {
namespace {

void append_list(std::string& out, std::span<const std::string_view> items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += items[i];
    out += '"';
  }
  out += ']';
}

}  // namespace

std::string subscription_request(RequestType type, std::span<const std::string_view> product_ids,
                                 std::span<const std::string_view> channels) {
  std::string out = type == RequestType::kSubscribe ? R"({"type":"subscribe","product_ids":)"
                                                    : R"({"type":"unsubscribe","product_ids":)";
  append_list(out, product_ids);
  out += R"(,"channels":)";
  append_list(out, channels);
  out += '}';
  return out;
}

std::vector<std::string> subscription_requests(RequestType type,
                                               std::span<const std::string_view> product_ids,
                                               std::span<const std::string_view> channels,
                                               std::size_t max_products) {
  max_products = std::max<std::size_t>(max_products, 1);
  std::vector<std::string> out;
  for (std::size_t first = 0; first < product_ids.size(); first += max_products) {
    const std::size_t count = std::min(max_products, product_ids.size() - first);
    out.push_back(subscription_request(type, product_ids.subspan(first, count), channels));
  }
  return out;
}

}  // namespace tickguard::feeds::coinbase
