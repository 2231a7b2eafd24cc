// Normalized market events: every feed (simulator or exchange) turns its messages into these.
// Events are small, trivially copyable values so they can cross bounded lock-free queues without
// allocating; the (exchange, symbol) pair is carried as an InstrumentId resolved via Instrument.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "tickguard/clock.h"

namespace tickguard {

// Dense index of one (exchange, symbol) pair, assigned when the pipeline is built. Index into the
// pipeline's instrument table; stable for the life of one pipeline.
using InstrumentId = std::uint32_t;

// One subscribed market: an exchange (venue name, the `exchange` label) and a unified symbol.
struct Instrument {
  InstrumentId id = 0;
  std::string exchange;  // e.g. "binance", or a simulated venue such as "simex"
  std::string symbol;    // unified BASE/QUOTE form, e.g. "BTC/USDT"
};

enum class Side : std::uint8_t { kUnknown, kBuy, kSell };  // aggressor side

// One executed trade.
struct Trade {
  InstrumentId instrument = 0;
  Timestamp exchange_time{};  // when the venue says it happened
  Timestamp receive_time{};   // when we received it
  double price = 0;           // quote currency per unit of base
  double quantity = 0;        // base units
  Side side = Side::kUnknown;
  std::uint64_t trade_id = 0;
};

// Best bid and offer.
struct Ticker {
  InstrumentId instrument = 0;
  Timestamp exchange_time{};
  Timestamp receive_time{};
  double bid_price = 0;
  double bid_size = 0;
  double ask_price = 0;
  double ask_size = 0;
};

struct BookLevel {
  double price = 0;
  double size = 0;
};

// Top of the order book to a fixed depth, as maintained by the feed after applying snapshots and
// deltas. Levels are best first; only the first *_count entries are meaningful.
struct BookSnapshot {
  static constexpr std::size_t kMaxDepth = 10;
  InstrumentId instrument = 0;
  Timestamp exchange_time{};
  Timestamp receive_time{};
  std::uint64_t sequence = 0;  // venue sequence / update id, 0 when the venue has none
  std::uint8_t bid_count = 0;
  std::uint8_t ask_count = 0;
  std::array<BookLevel, kMaxDepth> bids{};
  std::array<BookLevel, kMaxDepth> asks{};
};

// One OHLCV bar.
struct Candle {
  InstrumentId instrument = 0;
  Timestamp open_time{};
  Duration interval{};
  Timestamp receive_time{};
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double volume = 0;  // base units
};

using MarketEvent = std::variant<Trade, Ticker, BookSnapshot, Candle>;

// The instrument an event belongs to.
inline InstrumentId instrument_of(const MarketEvent& event) {
  return std::visit([](const auto& e) { return e.instrument; }, event);
}

// When the venue says the event happened: exchange_time, or a candle's open_time (the epoch when
// the venue gave no time).
inline Timestamp exchange_time_of(const MarketEvent& event) {
  return std::visit(
      [](const auto& e) {
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, Candle>) {
          return e.open_time;
        } else {
          return e.exchange_time;
        }
      },
      event);
}

// When we received the event.
inline Timestamp receive_time_of(const MarketEvent& event) {
  return std::visit([](const auto& e) { return e.receive_time; }, event);
}

}  // namespace tickguard
