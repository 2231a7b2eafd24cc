#include "config/duration.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

namespace tickguard::config {
namespace {

struct DurationUnit {
  std::string_view suffix;
  std::int64_t nanoseconds;
};

constexpr std::int64_t kMillisecond = 1'000'000;
constexpr std::int64_t kSecond = 1000 * kMillisecond;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kWeek = 7 * kDay;

// Largest first: the order groups must appear in.
constexpr std::array<DurationUnit, 6> kUnits = {{
    {"w", kWeek},
    {"d", kDay},
    {"h", kHour},
    {"m", kMinute},
    {"s", kSecond},
    {"ms", kMillisecond},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_letter(char c) { return c >= 'a' && c <= 'z'; }

// Length of the leading run of characters satisfying `pred`.
template <typename Pred>
std::size_t leading_run(std::string_view text, Pred pred) {
  std::size_t n = 0;
  while (n < text.size() && pred(text[n])) ++n;
  return n;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  std::size_t first_allowed_unit = 0;
  while (!text.empty()) {
    const std::size_t digits = leading_run(text, is_digit);
    if (digits == 0) return std::nullopt;
    std::int64_t count = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, count);
    if (ec != std::errc() || end != text.data() + digits) return std::nullopt;
    text.remove_prefix(digits);

    const std::string_view suffix = text.substr(0, leading_run(text, is_lower_letter));
    std::size_t unit = first_allowed_unit;
    while (unit < kUnits.size() && kUnits[unit].suffix != suffix) ++unit;
    if (unit == kUnits.size()) return std::nullopt;  // unknown, repeated or out-of-order unit
    first_allowed_unit = unit + 1;
    text.remove_prefix(suffix.size());

    const std::int64_t scale = kUnits[unit].nanoseconds;
    if (count > kMax / scale) return std::nullopt;
    if (count * scale > kMax - total) return std::nullopt;
    total += count * scale;
  }
  return std::chrono::nanoseconds(total);
}

std::string format_duration(std::chrono::nanoseconds d) {
  const std::int64_t count = d.count();
  if (count == 0) return "0s";
  std::string out = count < 0 ? "-" : "";
  // Unsigned so that the magnitude of the most negative value is representable.
  std::uint64_t rest = count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
  for (const DurationUnit& unit : kUnits) {
    const auto scale = static_cast<std::uint64_t>(unit.nanoseconds);
    if (rest >= scale) {
      out += std::to_string(rest / scale);
      out += unit.suffix;
      rest %= scale;
    }
  }
  if (rest >= 1000) {
    out += std::to_string(rest / 1000) + "us";
    rest %= 1000;
  }
  if (rest > 0) out += std::to_string(rest) + "ns";
  return out;
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  if (text == "0") return 0;
  std::size_t digits = 0;
  std::uint64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    const std::uint64_t digit = static_cast<std::uint64_t>(text[digits] - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  const std::string_view unit = text.substr(digits);
  static constexpr std::pair<std::string_view, int> kUnits[] = {
      {"B", 0}, {"KB", 10}, {"MB", 20}, {"GB", 30}, {"TB", 40}};
  for (const auto& [name, shift] : kUnits) {
    if (unit != name) continue;
    if (shift > 0 && value > (UINT64_MAX >> shift)) return std::nullopt;
    return value << shift;
  }
  return std::nullopt;
}

}  // namespace tickguard::config
