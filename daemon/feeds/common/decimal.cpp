#include "feeds/common/decimal.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace tickguard::feeds {

std::optional<double> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

DecimalText::DecimalText(std::string_view text) {
  if (text.size() > kCapacity) return;
  std::memcpy(chars_.data(), text.data(), text.size());
  size_ = static_cast<std::uint8_t>(text.size());
  valid_ = true;
}

}  // namespace tickguard::feeds
