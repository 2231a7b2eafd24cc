#include "feeds/kraken/kraken_book.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "feeds/common/checksum.h"

namespace tickguard::feeds::kraken {
namespace {

constexpr std::size_t kChecksumLevels = 10;

bool is_plain_decimal(std::string_view text) {
  if (text.empty()) return false;
  bool seen_point = false;
  bool seen_digit = false;
  for (const char c : text) {
    if (c == '.') {
      if (seen_point) return false;
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else {
      return false;
    }
  }
  return seen_digit;
}

// Fixed-point text with exactly `decimals` fraction digits, into `out`; 0 when it does not fit.
std::size_t fixed_text(std::string_view text, double value, int decimals, std::span<char, 64> out) {
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  const std::size_t wanted = static_cast<std::size_t>(decimals);
  const bool extra_digits_are_zero =
      fraction.size() <= wanted || std::all_of(fraction.begin() + static_cast<std::ptrdiff_t>(wanted),
                                               fraction.end(), [](char c) { return c == '0'; });
  if (is_plain_decimal(text) && extra_digits_are_zero && whole.size() + 1 + wanted <= out.size()) {
    // Re-padding the venue's own digits keeps full precision (no binary round trip).
    std::size_t n = 0;
    for (const char c : whole) out[n++] = c;
    out[n++] = '.';
    for (std::size_t i = 0; i < wanted; ++i) out[n++] = i < fraction.size() ? fraction[i] : '0';
    return n;
  }
  const auto [end, ec] =
      std::to_chars(out.data(), out.data() + out.size(), value, std::chars_format::fixed, decimals);
  return ec == std::errc() ? static_cast<std::size_t>(end - out.data()) : 0;
}

}  // namespace

std::size_t kraken_checksum_digits(std::string_view text, double value, int decimals,
                                   std::span<char, 64> out) {
  std::array<char, 64> formatted{};
  std::size_t length = 0;
  if (decimals >= 0) {
    length = fixed_text(text, value, decimals, formatted);
  } else if (is_plain_decimal(text) && text.size() <= formatted.size()) {
    std::copy(text.begin(), text.end(), formatted.begin());
    length = text.size();
  } else {
    const auto [end, ec] = std::to_chars(formatted.data(), formatted.data() + formatted.size(), value);
    length = ec == std::errc() ? static_cast<std::size_t>(end - formatted.data()) : 0;
  }
  std::size_t n = 0;
  for (std::size_t i = 0; i < length; ++i) {
    const char c = formatted[i];
    if (c == '.' || (c == '0' && n == 0)) continue;
    out[n++] = c;
  }
  return n;
}

std::uint32_t kraken_book_checksum(const OrderBook& book, int price_decimals, int qty_decimals) {
  std::uint32_t crc = 0;
  std::array<char, 64> digits{};
  const auto add_side = [&](std::span<const OrderBook::Level> levels) {
    const std::size_t count = std::min(levels.size(), kChecksumLevels);
    for (std::size_t i = 0; i < count; ++i) {
      const OrderBook::Level& level = levels[i];
      const std::string_view price_text =
          level.price_text.valid() ? level.price_text.view() : std::string_view{};
      const std::string_view size_text =
          level.size_text.valid() ? level.size_text.view() : std::string_view{};
      std::size_t n = kraken_checksum_digits(price_text, level.price, price_decimals, digits);
      crc = crc32_update(crc, std::string_view(digits.data(), n));
      n = kraken_checksum_digits(size_text, level.size, qty_decimals, digits);
      crc = crc32_update(crc, std::string_view(digits.data(), n));
    }
  };
  add_side(book.asks());
  add_side(book.bids());
  return crc;
}

// Room beyond the depth for one message's inserts, trimmed back once the whole message is applied
// (the venue's rule is to truncate after the update, not while applying it).
KrakenBookSync::KrakenBookSync(KrakenBookOptions options)
    : options_(options), book_(std::max<std::size_t>(options.depth, 1) * 2 + 64) {}

void KrakenBookSync::reset() {
  book_.clear();
  synced_ = false;
  exchange_time_.reset();
}

void KrakenBookSync::apply_levels(BookSide side, std::span<const KrakenLevel> levels) {
  for (const KrakenLevel& level : levels)
    book_.update(side, level.price, level.qty, level.price_text, level.qty_text);
}

void KrakenBookSync::truncate_to_depth() {
  const std::size_t depth = std::max<std::size_t>(options_.depth, 1);
  while (book_.bids().size() > depth) book_.update(BookSide::kBid, book_.bids().back().price, 0);
  while (book_.asks().size() > depth) book_.update(BookSide::kAsk, book_.asks().back().price, 0);
}

KrakenBookStatus KrakenBookSync::apply(const KrakenBook& message) {
  if (message.snapshot) {
    book_.clear();
    synced_ = true;
  } else if (!synced_) {
    return KrakenBookStatus::kAwaitingSnapshot;
  }
  apply_levels(BookSide::kAsk, message.asks);
  apply_levels(BookSide::kBid, message.bids);
  truncate_to_depth();
  if (message.exchange_time) exchange_time_ = message.exchange_time;
  if (!message.checksum) {
    ++unverified_messages_;
  } else if (*message.checksum != checksum()) {
    synced_ = false;
    return KrakenBookStatus::kChecksumMismatchNeedsResync;
  }
  if (book_.crossed()) {
    synced_ = false;
    return KrakenBookStatus::kCrossedNeedsResync;
  }
  return KrakenBookStatus::kApplied;
}

std::uint32_t KrakenBookSync::checksum() const {
  return kraken_book_checksum(book_, options_.price_decimals, options_.qty_decimals);
}

KrakenResyncThrottle::KrakenResyncThrottle(BackoffOptions options) : backoff_(options) {}

std::chrono::milliseconds KrakenResyncThrottle::on_failure() {
  return ++failures_in_a_row_ == 1 ? std::chrono::milliseconds(0) : backoff_.next();
}

void KrakenResyncThrottle::on_verified() {
  failures_in_a_row_ = 0;
  backoff_.reset();
}

void KrakenBookSync::fill(BookSnapshot& out) const {
  book_.fill_top(out);
  if (exchange_time_) out.exchange_time = *exchange_time_;
}

}  // namespace tickguard::feeds::kraken
