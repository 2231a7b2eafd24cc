#include "replay/event_jsonl.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "core/text_escape.h"
#include "feeds/common/time_parse.h"

namespace tickguard::replay {
namespace {

namespace od = simdjson::ondemand;

// Integers at or above this are epoch nanoseconds, below it epoch milliseconds (10^15 ms is the
// year 33658; 10^15 ns is 12 days after the epoch).
constexpr std::uint64_t kNanosecondsFrom = 1'000'000'000'000'000;

// Every field any event type may carry, collected in one pass; the type decides what is used.
struct Fields {
  std::string_view type;
  bool has_time = false;
  Timestamp time{};
  bool has_receive_time = false;
  Timestamp receive_time{};
  double price = 0, quantity = 0, bid = 0, bid_size = 0, ask = 0, ask_size = 0;
  bool has_price = false, has_bid = false, has_ask = false;
  Side side = Side::kUnknown;
  std::uint64_t trade_id = 0;
  std::uint64_t sequence = 0;
  std::uint8_t bid_count = 0, ask_count = 0;
  std::array<BookLevel, BookSnapshot::kMaxDepth> bids{}, asks{};
  bool has_bids = false, has_asks = false;
};

bool read_time(od::value value, Timestamp& out, std::string* text) {
  od::json_type type;
  if (value.type().get(type)) return false;
  if (type == od::json_type::string) {
    std::string_view s;
    if (value.get_string().get(s)) return false;
    const auto parsed = feeds::parse_rfc3339(s);
    if (!parsed) return false;
    out = *parsed;
    if (text != nullptr) text->assign(s);
    return true;
  }
  std::uint64_t integer = 0;
  if (type != od::json_type::number || value.get_uint64().get(integer)) return false;
  if (integer >= kNanosecondsFrom) {
    if (integer > static_cast<std::uint64_t>(INT64_MAX)) return false;
    out = Timestamp(std::chrono::nanoseconds(static_cast<std::int64_t>(integer)));
  } else {
    out = feeds::from_unix_millis(static_cast<std::int64_t>(integer));
  }
  if (text != nullptr) *text = std::to_string(integer);
  return true;
}

bool read_number(od::value value, double& out) {
  return !value.get_double().get(out) && std::isfinite(out) && out >= 0;
}

// [[price, size], ...]: keeps the first kMaxDepth levels.
bool read_levels(od::value value, std::array<BookLevel, BookSnapshot::kMaxDepth>& levels,
                 std::uint8_t& count) {
  od::array array;
  if (value.get_array().get(array)) return false;
  count = 0;
  for (auto level_result : array) {
    od::array pair;
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(level_result).get_array().get(pair)) return false;
    double numbers[2] = {0, 0};
    std::size_t n = 0;
    for (auto number_result : pair) {
      od::value number;
      // NOLINTNEXTLINE(performance-move-const-arg)
      if (std::move(number_result).get(number) || n == 2 || !read_number(number, numbers[n])) return false;
      ++n;
    }
    if (n != 2) return false;
    if (count < BookSnapshot::kMaxDepth) levels[count++] = BookLevel{numbers[0], numbers[1]};
  }
  return true;
}

bool read_side(od::value value, Side& out) {
  std::string_view text;
  if (value.get_string().get(text)) return false;
  if (text == "buy") {
    out = Side::kBuy;
  } else if (text == "sell") {
    out = Side::kSell;
  } else if (text.empty()) {
    out = Side::kUnknown;
  } else {
    return false;
  }
  return true;
}

void append_number(std::string& out, double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest round trip
  out.append(buffer, result.ptr);
}

void append_levels(std::string& out, const std::array<BookLevel, BookSnapshot::kMaxDepth>& levels,
                   std::uint8_t count) {
  out += '[';
  for (std::size_t i = 0; i < count && i < levels.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    append_number(out, levels[i].price);
    out += ',';
    append_number(out, levels[i].size);
    out += ']';
  }
  out += ']';
}

}  // namespace

bool EventLineParser::parse(std::string_view line, RecordedEvent& out, std::string& error) {
  if (buffer_.size() < line.size() + simdjson::SIMDJSON_PADDING) {
    buffer_.resize(line.size() + simdjson::SIMDJSON_PADDING);
  }
  if (!line.empty()) std::memcpy(buffer_.data(), line.data(), line.size());
  std::memset(buffer_.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
  od::document doc;
  od::object object;
  if (parser_.iterate(buffer_.data(), line.size(), buffer_.size()).get(doc) || doc.get_object().get(object)) {
    error = "not a JSON object";
    return false;
  }
  Fields f;
  out.exchange.clear();
  out.symbol.clear();
  out.label.clear();
  out.has_label = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) {
      error = "not a JSON object";
      return false;
    }
    std::string_view text;
    bool ok = true;
    if (key == "type") {
      ok = !field.value().get_string().get(f.type);
    } else if (key == "exchange" || key == "symbol" || key == "label") {
      ok = !field.value().get_string().get(text);
      if (ok) (key == "exchange" ? out.exchange : key == "symbol" ? out.symbol : out.label).assign(text);
      if (key == "label") out.has_label = true;
    } else if (key == "time") {
      ok = f.has_time = read_time(field.value(), f.time, &out.time_text);
    } else if (key == "receive_time") {
      ok = f.has_receive_time = read_time(field.value(), f.receive_time, nullptr);
    } else if (key == "price") {
      ok = f.has_price = read_number(field.value(), f.price);
    } else if (key == "quantity") {
      ok = read_number(field.value(), f.quantity);
    } else if (key == "bid") {
      ok = f.has_bid = read_number(field.value(), f.bid);
    } else if (key == "bid_size") {
      ok = read_number(field.value(), f.bid_size);
    } else if (key == "ask") {
      ok = f.has_ask = read_number(field.value(), f.ask);
    } else if (key == "ask_size") {
      ok = read_number(field.value(), f.ask_size);
    } else if (key == "side") {
      ok = read_side(field.value(), f.side);
    } else if (key == "trade_id") {
      ok = !field.value().get_uint64().get(f.trade_id);
    } else if (key == "sequence") {
      ok = !field.value().get_uint64().get(f.sequence);
    } else if (key == "bids") {
      ok = f.has_bids = read_levels(field.value(), f.bids, f.bid_count);
    } else if (key == "asks") {
      ok = f.has_asks = read_levels(field.value(), f.asks, f.ask_count);
    }  // other keys are ignored
    if (!ok) {
      error = "invalid \"" + std::string(key) + "\"";
      return false;
    }
  }
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    error = "trailing content after the JSON object";
    return false;
  }
  const auto missing = [&error](const char* name) {
    error = std::string("missing \"") + name + "\"";
    return false;
  };
  if (f.type.empty()) return missing("type");
  if (out.exchange.empty()) return missing("exchange");
  if (out.symbol.empty()) return missing("symbol");
  if (!f.has_time) return missing("time");
  const Timestamp receive_time = f.has_receive_time ? f.receive_time : f.time;
  if (f.type == "trade") {
    if (!f.has_price) return missing("price");
    Trade trade;
    trade.exchange_time = f.time;
    trade.receive_time = receive_time;
    trade.price = f.price;
    trade.quantity = f.quantity;
    trade.side = f.side;
    trade.trade_id = f.trade_id;
    out.event = trade;
  } else if (f.type == "ticker") {
    if (!f.has_bid) return missing("bid");
    if (!f.has_ask) return missing("ask");
    Ticker ticker;
    ticker.exchange_time = f.time;
    ticker.receive_time = receive_time;
    ticker.bid_price = f.bid;
    ticker.bid_size = f.bid_size;
    ticker.ask_price = f.ask;
    ticker.ask_size = f.ask_size;
    out.event = ticker;
  } else if (f.type == "book") {
    if (!f.has_bids) return missing("bids");
    if (!f.has_asks) return missing("asks");
    BookSnapshot book;
    book.exchange_time = f.time;
    book.receive_time = receive_time;
    book.sequence = f.sequence;
    book.bid_count = f.bid_count;
    book.ask_count = f.ask_count;
    book.bids = f.bids;
    book.asks = f.asks;
    out.event = book;
  } else {
    error = "unknown \"type\" \"" + std::string(f.type) + "\": expected trade, ticker or book";
    return false;
  }
  return true;
}

void write_event_line(std::ostream& out, const Instrument& instrument, const MarketEvent& event,
                      std::string_view label) {
  std::string line;
  line.reserve(256);
  const auto common = [&](const char* type, Timestamp time, Timestamp receive_time) {
    line += "{\"type\":\"";
    line += type;
    line += "\",\"exchange\":";
    append_json_string(line, instrument.exchange);
    line += ",\"symbol\":";
    append_json_string(line, instrument.symbol);
    line += ",\"time\":" + std::to_string(time.time_since_epoch().count());
    if (receive_time != time)
      line += ",\"receive_time\":" + std::to_string(receive_time.time_since_epoch().count());
  };
  if (const auto* trade = std::get_if<Trade>(&event)) {
    common("trade", trade->exchange_time, trade->receive_time);
    line += ",\"price\":";
    append_number(line, trade->price);
    line += ",\"quantity\":";
    append_number(line, trade->quantity);
    if (trade->side != Side::kUnknown)
      line += trade->side == Side::kBuy ? ",\"side\":\"buy\"" : ",\"side\":\"sell\"";
    if (trade->trade_id != 0) line += ",\"trade_id\":" + std::to_string(trade->trade_id);
  } else if (const auto* ticker = std::get_if<Ticker>(&event)) {
    common("ticker", ticker->exchange_time, ticker->receive_time);
    line += ",\"bid\":";
    append_number(line, ticker->bid_price);
    line += ",\"bid_size\":";
    append_number(line, ticker->bid_size);
    line += ",\"ask\":";
    append_number(line, ticker->ask_price);
    line += ",\"ask_size\":";
    append_number(line, ticker->ask_size);
  } else if (const auto* book = std::get_if<BookSnapshot>(&event)) {
    common("book", book->exchange_time, book->receive_time);
    if (book->sequence != 0) line += ",\"sequence\":" + std::to_string(book->sequence);
    line += ",\"bids\":";
    append_levels(line, book->bids, book->bid_count);
    line += ",\"asks\":";
    append_levels(line, book->asks, book->ask_count);
  } else {
    return;  // candles are not part of the format
  }
  line += ",\"label\":";
  append_json_string(line, label);
  line += "}\n";
  out << line;
}

}  // namespace tickguard::replay
