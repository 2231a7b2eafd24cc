// Decimal text from exchanges ("60123.45", "0.00100000") to numbers, and small fixed-capacity copies
// of that text (venue checksums are computed over the exact strings the venue sent).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tickguard::feeds {

// Parses a plain decimal or scientific number with std::from_chars (correctly rounded to the
// nearest double: no float round-trip surprises). Rejects empty text, trailing characters, NaN and
// infinities. No allocation.
std::optional<double> parse_decimal(std::string_view text);

// Parses a base-10 unsigned integer (ids, sequence numbers); rejects signs and trailing characters.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// A copy of a short decimal string, without allocation. Text longer than kCapacity is not stored
// (valid() is false) and cannot take part in a checksum.
class DecimalText {
 public:
  static constexpr std::size_t kCapacity = 31;
  DecimalText() = default;
  explicit DecimalText(std::string_view text);
  bool valid() const { return valid_; }
  std::string_view view() const { return {chars_.data(), size_}; }

 private:
  std::array<char, kCapacity> chars_{};
  std::uint8_t size_ = 0;
  bool valid_ = false;
};

}  // namespace tickguard::feeds
