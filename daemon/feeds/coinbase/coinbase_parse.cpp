#include "feeds/coinbase/coinbase_parse.h"

#include <cstring>
#include <optional>
#include <utility>

#include "feeds/common/decimal.h"
#include "feeds/common/time_parse.h"

namespace tickguard::feeds::coinbase {
namespace {

using simdjson::ondemand::array;
using simdjson::ondemand::json_type;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

// Enough for the largest snapshots of liquid products without regrowing.
constexpr std::size_t kInitialLevelCapacity = 4096;

// Every field any handled message type may carry, gathered in one forward pass over the object
// (the venue does not promise a field order, so "type" may come after the payload).
struct Fields {
  std::string_view type;
  std::string_view product_id;
  std::string_view side;
  std::string_view time;
  std::string_view message;
  std::string_view reason;
  std::optional<std::uint64_t> trade_id;
  std::optional<std::uint64_t> sequence;
  std::uint64_t last_trade_id = 0;
  std::optional<double> price;
  std::optional<double> size;
  std::optional<double> best_bid;
  std::optional<double> best_ask;
  std::optional<double> best_bid_size;
  std::optional<double> best_ask_size;
  bool has_levels = false;  // "changes", "bids" or "asks" seen
};

ParseError read_string(value v, std::string_view& out) {
  return v.get_string().get(out) ? ParseError::kMalformedJson : ParseError::kNone;
}

// Coinbase sends decimals as strings; plain JSON numbers are accepted too.
ParseError read_decimal(value v, double& out, std::string_view* text = nullptr) {
  json_type type;
  if (v.type().get(type)) return ParseError::kMalformedJson;
  if (type == json_type::number) {
    return v.get_double().get(out) ? ParseError::kBadValue : ParseError::kNone;
  }
  if (type != json_type::string) return ParseError::kBadValue;
  std::string_view s;
  if (v.get_string().get(s)) return ParseError::kMalformedJson;
  const auto parsed = parse_decimal(s);
  if (!parsed) return ParseError::kBadValue;
  out = *parsed;
  if (text) *text = s;
  return ParseError::kNone;
}

// Ids and sequences are JSON numbers; numeric strings are accepted too.
ParseError read_unsigned(value v, std::uint64_t& out) {
  json_type type;
  if (v.type().get(type)) return ParseError::kMalformedJson;
  if (type == json_type::number) {
    return v.get_uint64().get(out) ? ParseError::kBadValue : ParseError::kNone;
  }
  if (type != json_type::string) return ParseError::kBadValue;
  std::string_view s;
  if (v.get_string().get(s)) return ParseError::kMalformedJson;
  const auto parsed = parse_unsigned(s);
  if (!parsed) return ParseError::kBadValue;
  out = *parsed;
  return ParseError::kNone;
}

// Reads into an optional, which then records that the field was present.
template <typename T, typename Reader>
ParseError read_present(value v, std::optional<T>& out, Reader read) {
  T parsed{};
  const ParseError e = read(v, parsed);
  if (e == ParseError::kNone) out = parsed;
  return e;
}

ParseError read_decimal_field(value v, std::optional<double>& out) {
  return read_present(v, out, [](value x, double& d) { return read_decimal(x, d); });
}

ParseError read_unsigned_field(value v, std::optional<std::uint64_t>& out) {
  return read_present(v, out, read_unsigned);
}

ParseError read_book_side(value v, BookSide& out) {
  std::string_view s;
  if (auto e = read_string(v, s); e != ParseError::kNone) return e;
  if (s == "buy") {
    out = BookSide::kBid;
  } else if (s == "sell") {
    out = BookSide::kAsk;
  } else {
    return ParseError::kBadValue;
  }
  return ParseError::kNone;
}

// Reads one level entry: [price, size] for snapshots (side given), [side, price, size] for
// l2update changes (side read). Extra trailing elements are ignored.
ParseError read_level(value entry_value, const BookSide* fixed_side, LevelChange& out) {
  array entry;
  if (entry_value.get_array().get(entry)) return ParseError::kMalformedJson;
  int index = fixed_side ? 1 : 0;
  if (fixed_side) out.side = *fixed_side;
  for (auto item_result : entry) {
    value item;
    if (item_result.get(item)) return ParseError::kMalformedJson;
    ParseError e = ParseError::kNone;
    if (index == 0) {
      e = read_book_side(item, out.side);
    } else if (index == 1) {
      e = read_decimal(item, out.price, &out.price_text);
    } else if (index == 2) {
      e = read_decimal(item, out.size, &out.size_text);
    }
    if (e != ParseError::kNone) return e;
    ++index;
  }
  return index >= 3 ? ParseError::kNone : ParseError::kMissingField;
}

ParseError read_levels(value v, const BookSide* fixed_side, std::vector<LevelChange>& out) {
  array levels;
  if (v.get_array().get(levels)) return ParseError::kMalformedJson;
  for (auto entry_result : levels) {
    value entry;
    if (entry_result.get(entry)) return ParseError::kMalformedJson;
    LevelChange level;
    if (auto e = read_level(entry, fixed_side, level); e != ParseError::kNone) return e;
    out.push_back(level);
  }
  return ParseError::kNone;
}

ParseError read_field(std::string_view key, value v, Fields& f, std::vector<LevelChange>& levels) {
  static constexpr BookSide kBid = BookSide::kBid;
  static constexpr BookSide kAsk = BookSide::kAsk;
  if (key == "type") return read_string(v, f.type);
  if (key == "product_id") return read_string(v, f.product_id);
  if (key == "side") return read_string(v, f.side);
  if (key == "time") return read_string(v, f.time);
  if (key == "message") return read_string(v, f.message);
  if (key == "reason") return read_string(v, f.reason);
  if (key == "trade_id") return read_unsigned_field(v, f.trade_id);
  if (key == "sequence") return read_unsigned_field(v, f.sequence);
  if (key == "last_trade_id") return read_unsigned(v, f.last_trade_id);
  if (key == "price") return read_decimal_field(v, f.price);
  if (key == "size") return read_decimal_field(v, f.size);
  if (key == "best_bid") return read_decimal_field(v, f.best_bid);
  if (key == "best_ask") return read_decimal_field(v, f.best_ask);
  if (key == "best_bid_size") return read_decimal_field(v, f.best_bid_size);
  if (key == "best_ask_size") return read_decimal_field(v, f.best_ask_size);
  const bool bids = key == "bids";
  if (key == "changes" || bids || key == "asks") {
    f.has_levels = true;
    return read_levels(v, key == "changes" ? nullptr : bids ? &kBid : &kAsk, levels);
  }
  return ParseError::kNone;  // unread values are skipped by the iterator
}

ParseError read_time(std::string_view text, Timestamp& out) {
  const auto parsed = parse_rfc3339(text);
  if (!parsed) return ParseError::kBadValue;
  out = *parsed;
  return ParseError::kNone;
}

// Matches and REST trades carry the resting (maker) order's side; the taker hit it from the other
// side, and the normalized trade reports the taker's.
ParseError read_aggressor(std::string_view maker_side, Side& out) {
  if (maker_side == "buy") {
    out = Side::kSell;
  } else if (maker_side == "sell") {
    out = Side::kBuy;
  } else {
    return ParseError::kBadValue;
  }
  return ParseError::kNone;
}

ParseError build_match(const Fields& f, WsMessage& out) {
  if (f.product_id.empty() || !f.trade_id || !f.price || !f.size || f.side.empty() || f.time.empty()) {
    return ParseError::kMissingField;
  }
  MatchMessage& m = out.match;
  m.trade.trade_id = *f.trade_id;
  m.trade.price = *f.price;
  m.trade.quantity = *f.size;
  m.sequence = f.sequence.value_or(0);
  m.last_match = f.type == "last_match";
  if (auto e = read_aggressor(f.side, m.trade.side); e != ParseError::kNone) return e;
  out.kind = MessageKind::kMatch;
  return read_time(f.time, m.trade.exchange_time);
}

ParseError build_ticker(const Fields& f, WsMessage& out) {
  if (f.product_id.empty() || !f.sequence || !f.best_bid || !f.best_ask) {
    return ParseError::kMissingField;
  }
  TickerMessage& t = out.ticker;
  t.sequence = *f.sequence;
  t.trade_id = f.trade_id.value_or(0);
  if (f.side == "buy") t.taker_side = Side::kBuy;
  if (f.side == "sell") t.taker_side = Side::kSell;
  t.best_bid = *f.best_bid;
  t.best_ask = *f.best_ask;
  t.has_sizes = f.best_bid_size && f.best_ask_size;
  if (t.has_sizes) {
    t.best_bid_size = *f.best_bid_size;
    t.best_ask_size = *f.best_ask_size;
  }
  out.kind = MessageKind::kTicker;
  // The ticker sent right after subscribing may carry no time.
  if (f.time.empty()) return ParseError::kNone;
  t.has_time = true;
  return read_time(f.time, t.time);
}

ParseError build_book(const Fields& f, MessageKind kind, std::span<const LevelChange> levels,
                      WsMessage& out) {
  if (f.product_id.empty() || !f.has_levels) return ParseError::kMissingField;
  out.kind = kind;
  out.book.levels = levels;
  if (f.time.empty()) return ParseError::kNone;
  out.book.has_time = true;
  return read_time(f.time, out.book.time);
}

ParseError build_heartbeat(const Fields& f, WsMessage& out) {
  if (f.product_id.empty() || !f.sequence || f.time.empty()) return ParseError::kMissingField;
  out.kind = MessageKind::kHeartbeat;
  out.heartbeat.sequence = *f.sequence;
  out.heartbeat.last_trade_id = f.last_trade_id;
  return read_time(f.time, out.heartbeat.time);
}

ParseError build_message(const Fields& f, std::span<const LevelChange> levels, WsMessage& out) {
  out.type = f.type;
  out.product_id = f.product_id;
  if (f.type == "match" || f.type == "last_match") return build_match(f, out);
  if (f.type == "ticker") return build_ticker(f, out);
  if (f.type == "snapshot") return build_book(f, MessageKind::kSnapshot, levels, out);
  if (f.type == "l2update") return build_book(f, MessageKind::kL2Update, levels, out);
  if (f.type == "heartbeat") return build_heartbeat(f, out);
  if (f.type == "subscriptions") {
    out.kind = MessageKind::kSubscriptions;
  } else if (f.type == "error") {
    out.kind = MessageKind::kError;
    out.error_message = f.message;
    out.error_reason = f.reason;
  } else if (f.type.empty()) {
    return ParseError::kMissingField;
  } else {
    out.kind = MessageKind::kUnknown;
  }
  return ParseError::kNone;
}

ParseError read_product(value v, Product& out) {
  object row;
  if (v.get_object().get(row)) return ParseError::kMalformedJson;
  for (auto field_result : row) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return ParseError::kMalformedJson;
    std::string_view text;
    ParseError e = ParseError::kNone;
    if (key == "id" || key == "base_currency" || key == "quote_currency" || key == "status") {
      e = read_string(field.value(), text);
      std::string& target = key == "id"               ? out.id
                            : key == "base_currency"  ? out.base_currency
                            : key == "quote_currency" ? out.quote_currency
                                                      : out.status;
      target.assign(text);
    } else if (key == "trading_disabled") {
      bool disabled = false;
      if (field.value().get_bool().get(disabled)) return ParseError::kBadValue;
      out.trading_disabled = disabled;
    }
    if (e != ParseError::kNone) return e;
  }
  if (out.id.empty() || out.base_currency.empty() || out.quote_currency.empty()) {
    return ParseError::kMissingField;
  }
  return ParseError::kNone;
}

// One row of REST /products/{id}/trades: {"time","trade_id","price","size","side"}.
ParseError read_rest_trade(value v, Trade& out) {
  object row;
  if (v.get_object().get(row)) return ParseError::kMalformedJson;
  std::optional<std::uint64_t> trade_id;
  std::optional<double> price;
  std::optional<double> size;
  std::string_view side;
  std::string_view time;
  for (auto field_result : row) {
    simdjson::ondemand::field field;
    std::string_view key;
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) {
      return ParseError::kMalformedJson;
    }
    ParseError e = ParseError::kNone;
    if (key == "trade_id") {
      e = read_unsigned_field(field.value(), trade_id);
    } else if (key == "price") {
      e = read_decimal_field(field.value(), price);
    } else if (key == "size") {
      e = read_decimal_field(field.value(), size);
    } else if (key == "side") {
      e = read_string(field.value(), side);
    } else if (key == "time") {
      e = read_string(field.value(), time);
    }
    if (e != ParseError::kNone) return e;
  }
  if (!trade_id || !price || !size || side.empty() || time.empty()) return ParseError::kMissingField;
  out = Trade{};
  out.trade_id = *trade_id;
  out.price = *price;
  out.quantity = *size;
  if (auto e = read_aggressor(side, out.side); e != ParseError::kNone) return e;
  return read_time(time, out.exchange_time);
}

// After the root value is consumed there must be nothing left ("{...} junk" is not one frame).
bool has_trailing_content(simdjson::ondemand::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::SUCCESS;
}

}  // namespace

std::string_view to_string(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return "ok";
    case ParseError::kMalformedJson:
      return "malformed JSON";
    case ParseError::kMissingField:
      return "missing field";
    case ParseError::kBadValue:
      return "bad value";
  }
  return "unknown";
}

CoinbaseParser::CoinbaseParser() { levels_.reserve(kInitialLevelCapacity); }

simdjson::padded_string_view CoinbaseParser::pad(std::string_view text) {
  const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_.size() < needed) buffer_.resize(needed);
  if (!text.empty()) std::memcpy(buffer_.data(), text.data(), text.size());
  std::memset(buffer_.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(buffer_.data(), text.size(), buffer_.size());
}

ParseError CoinbaseParser::parse(std::string_view frame, WsMessage& out) {
  out = WsMessage{};
  levels_.clear();
  simdjson::ondemand::document doc;
  object root;
  if (parser_.iterate(pad(frame)).get(doc) || doc.get_object().get(root)) {
    return ParseError::kMalformedJson;
  }
  Fields fields;
  for (auto field_result : root) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return ParseError::kMalformedJson;
    if (auto e = read_field(key, field.value(), fields, levels_); e != ParseError::kNone) return e;
  }
  if (has_trailing_content(doc)) return ParseError::kMalformedJson;
  return build_message(fields, levels_, out);
}

ParseError CoinbaseParser::parse_products(std::string_view body, std::vector<Product>& out) {
  out.clear();
  simdjson::ondemand::document doc;
  array rows;
  if (parser_.iterate(pad(body)).get(doc) || doc.get_array().get(rows)) {
    return ParseError::kMalformedJson;
  }
  for (auto row_result : rows) {
    value row;
    if (row_result.get(row)) return ParseError::kMalformedJson;
    Product product;
    if (auto e = read_product(row, product); e != ParseError::kNone) return e;
    out.push_back(std::move(product));
  }
  if (has_trailing_content(doc)) return ParseError::kMalformedJson;
  return ParseError::kNone;
}

ParseError CoinbaseParser::parse_rest_ticker(std::string_view body, RestTicker& out) {
  out = RestTicker{};
  simdjson::ondemand::document doc;
  object root;
  if (parser_.iterate(pad(body)).get(doc) || doc.get_object().get(root)) {
    return ParseError::kMalformedJson;
  }
  std::optional<double> bid;
  std::optional<double> ask;
  std::string_view time;
  for (auto field_result : root) {
    simdjson::ondemand::field field;
    std::string_view key;
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) {
      return ParseError::kMalformedJson;
    }
    ParseError e = ParseError::kNone;
    if (key == "bid") {
      e = read_decimal_field(field.value(), bid);
    } else if (key == "ask") {
      e = read_decimal_field(field.value(), ask);
    } else if (key == "price") {
      e = read_decimal(field.value(), out.price);
    } else if (key == "size") {
      e = read_decimal(field.value(), out.size);
    } else if (key == "trade_id") {
      e = read_unsigned(field.value(), out.trade_id);
    } else if (key == "time") {
      e = read_string(field.value(), time);
    }
    if (e != ParseError::kNone) return e;
  }
  if (has_trailing_content(doc)) return ParseError::kMalformedJson;
  if (!bid || !ask) return ParseError::kMissingField;
  out.bid = *bid;
  out.ask = *ask;
  if (time.empty()) return ParseError::kNone;
  out.has_time = true;
  return read_time(time, out.time);
}

ParseError CoinbaseParser::parse_rest_trades(std::string_view body, std::vector<Trade>& out) {
  out.clear();
  simdjson::ondemand::document doc;
  array rows;
  if (parser_.iterate(pad(body)).get(doc) || doc.get_array().get(rows)) {
    return ParseError::kMalformedJson;
  }
  for (auto row_result : rows) {
    value row;
    if (row_result.get(row)) return ParseError::kMalformedJson;
    Trade trade;
    if (auto e = read_rest_trade(row, trade); e != ParseError::kNone) return e;
    out.push_back(trade);
  }
  if (has_trailing_content(doc)) return ParseError::kMalformedJson;
  return ParseError::kNone;
}

Ticker to_ticker(const TickerMessage& ticker, InstrumentId instrument, Timestamp receive_time) {
  Ticker out;
  out.instrument = instrument;
  out.exchange_time = ticker.has_time ? ticker.time : Timestamp{};
  out.receive_time = receive_time;
  out.bid_price = ticker.best_bid;
  out.bid_size = ticker.best_bid_size;
  out.ask_price = ticker.best_ask;
  out.ask_size = ticker.best_ask_size;
  return out;
}

Ticker to_ticker(const RestTicker& ticker, InstrumentId instrument, Timestamp receive_time) {
  Ticker out;
  out.instrument = instrument;
  out.exchange_time = ticker.has_time ? ticker.time : Timestamp{};
  out.receive_time = receive_time;
  out.bid_price = ticker.bid;
  out.ask_price = ticker.ask;
  return out;
}

}  // namespace tickguard::feeds::coinbase
