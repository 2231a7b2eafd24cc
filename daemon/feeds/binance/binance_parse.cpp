#include "feeds/binance/binance_parse.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

#include "feeds/common/decimal.h"
#include "feeds/common/time_parse.h"

namespace tickguard::feeds::binance {
namespace {

namespace od = simdjson::ondemand;

// Static reasons; a null pointer means success.
using Failure = const char*;
constexpr Failure kOk = nullptr;
constexpr Failure kMalformed = "malformed JSON";
constexpr Failure kWrongType = "field has an unexpected type";
constexpr Failure kBadDecimal = "field is not a decimal number";
constexpr Failure kBadLevel = "depth level is not [price, quantity]";
constexpr Failure kMissingField = "required field missing";

constexpr std::size_t kInitialBufferBytes = 4096;

// Every field of a stream payload we may need, gathered in one forward pass whatever their order
// (JSON objects are unordered). Presence is tracked with optionals so "missing" differs from 0.
struct KlineFields {
  std::optional<std::uint64_t> open_time;   // t
  std::optional<std::uint64_t> close_time;  // T
  std::string_view open, high, low, close, volume;
  std::optional<bool> closed;  // x
};

struct PayloadFields {
  std::string_view event_type;                                // e
  std::string_view symbol;                                    // s
  std::optional<std::uint64_t> event_time;                    // E
  std::optional<std::uint64_t> trade_time;                    // T
  std::optional<std::uint64_t> trade_id;                      // t ("trade")
  std::optional<std::uint64_t> agg_trade_id;                  // a as a number ("aggTrade")
  std::optional<std::uint64_t> first_update;                  // U
  std::optional<std::uint64_t> final_update;                  // u
  std::string_view price, quantity;                           // p, q
  std::optional<bool> buyer_is_maker;                         // m
  std::string_view bid_price, bid_size, ask_price, ask_size;  // bookTicker b, B, a, A
  bool bid_levels = false;                                    // b / a as arrays (depthUpdate)
  bool ask_levels = false;
  bool kline = false;
  KlineFields k;
  bool reply = false;  // "result" or "id": a reply to a subscribe/unsubscribe request
  bool venue_error = false;
  std::int64_t venue_code = 0;
  std::string_view venue_message;
};

Failure read_string(od::value value, std::string_view& out) {
  return value.get_string().get(out) ? kWrongType : kOk;
}

Failure read_unsigned(od::value value, std::optional<std::uint64_t>& out) {
  std::uint64_t number = 0;
  if (value.get_uint64().get(number)) return kWrongType;
  out = number;
  return kOk;
}

Failure read_bool(od::value value, std::optional<bool>& out) {
  bool flag = false;
  if (value.get_bool().get(flag)) return kWrongType;
  out = flag;
  return kOk;
}

Failure read_decimal(std::string_view text, double& out) {
  const auto number = parse_decimal(text);
  if (!number) return kBadDecimal;
  out = *number;
  return kOk;
}

// Reads [["price","qty"], ...] into `out` (cleared first). Extra elements after the quantity (old API
// versions sent an empty array there) are ignored.
Failure read_levels(od::value value, std::vector<DepthLevel>& out) {
  out.clear();
  od::array levels;
  if (value.get_array().get(levels)) return kWrongType;
  for (auto level_result : levels) {
    od::array level;
    if (level_result.get_array().get(level)) return kBadLevel;
    DepthLevel parsed;
    int index = 0;
    for (auto item : level) {
      if (index == 0 || index == 1) {
        std::string_view text;
        if (item.get_string().get(text)) return kBadLevel;
        double& number = index == 0 ? parsed.price : parsed.size;
        (index == 0 ? parsed.price_text : parsed.size_text) = text;
        if (read_decimal(text, number)) return kBadDecimal;
      } else if (item.error()) {
        return kMalformed;
      }
      ++index;
    }
    if (index < 2) return kBadLevel;
    out.push_back(parsed);
  }
  return kOk;
}

Failure collect_kline(od::value value, KlineFields& k) {
  od::object object;
  if (value.get_object().get(object)) return kWrongType;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return kMalformed;
    Failure failure = kOk;
    if (key == "t") {
      failure = read_unsigned(field.value(), k.open_time);
    } else if (key == "T") {
      failure = read_unsigned(field.value(), k.close_time);
    } else if (key == "o") {
      failure = read_string(field.value(), k.open);
    } else if (key == "h") {
      failure = read_string(field.value(), k.high);
    } else if (key == "l") {
      failure = read_string(field.value(), k.low);
    } else if (key == "c") {
      failure = read_string(field.value(), k.close);
    } else if (key == "v") {
      failure = read_string(field.value(), k.volume);
    } else if (key == "x") {
      failure = read_bool(field.value(), k.closed);
    }
    if (failure) return failure;
  }
  return kOk;
}

// "a" and "b" change meaning with the event: strings in bookTicker, level arrays in depthUpdate, an
// aggregate trade id (a) or order ids (trade: a, b) as numbers.
Failure read_overloaded(od::value value, std::string_view& text, std::vector<DepthLevel>& levels,
                        bool& has_levels, std::optional<std::uint64_t>* number) {
  od::json_type type;
  if (value.type().get(type)) return kMalformed;
  switch (type) {
    case od::json_type::string:
      return read_string(value, text);
    case od::json_type::array:
      has_levels = true;
      return read_levels(value, levels);
    case od::json_type::number:
      return number ? read_unsigned(value, *number) : kOk;
    default:
      return kWrongType;
  }
}

// An error reply's code or message ({"code":2,"msg":".."}, or nested under "error"). Best effort:
// an unexpected type leaves the field empty rather than hiding the error itself.
void read_venue_error_field(std::string_view key, od::value value, PayloadFields& f) {
  if (key == "code") {
    std::int64_t code = 0;
    if (!value.get_int64().get(code)) f.venue_code = code;
  } else if (key == "msg") {
    std::string_view message;
    if (!value.get_string().get(message)) f.venue_message = message;
  }
}

Failure read_venue_error(od::value value, PayloadFields& f) {
  f.venue_error = true;
  od::object object;
  if (value.get_object().get(object)) return kOk;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return kMalformed;
    read_venue_error_field(key, field.value(), f);
  }
  return kOk;
}

Failure collect_payload(od::object object, PayloadFields& f, std::vector<DepthLevel>& bids,
                        std::vector<DepthLevel>& asks, bool inside_envelope) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return kMalformed;
    od::value value = field.value();
    Failure failure = kOk;
    if (key == "e") {
      failure = read_string(value, f.event_type);
    } else if (key == "E") {
      failure = read_unsigned(value, f.event_time);
    } else if (key == "s") {
      failure = read_string(value, f.symbol);
    } else if (key == "T") {
      failure = read_unsigned(value, f.trade_time);
    } else if (key == "t") {
      failure = read_unsigned(value, f.trade_id);
    } else if (key == "p") {
      failure = read_string(value, f.price);
    } else if (key == "q") {
      failure = read_string(value, f.quantity);
    } else if (key == "m") {
      failure = read_bool(value, f.buyer_is_maker);
    } else if (key == "U") {
      failure = read_unsigned(value, f.first_update);
    } else if (key == "u") {
      failure = read_unsigned(value, f.final_update);
    } else if (key == "b") {
      failure = read_overloaded(value, f.bid_price, bids, f.bid_levels, nullptr);
    } else if (key == "a") {
      failure = read_overloaded(value, f.ask_price, asks, f.ask_levels, &f.agg_trade_id);
    } else if (key == "B") {
      od::json_type type;
      if (value.type().get(type)) return kMalformed;
      // bookTicker's best bid size; kline payloads are nested so never reach here.
      if (type == od::json_type::string) failure = read_string(value, f.bid_size);
    } else if (key == "A") {
      failure = read_string(value, f.ask_size);
    } else if (key == "k") {
      f.kline = true;
      failure = collect_kline(value, f.k);
    } else if (key == "data" && !inside_envelope) {
      od::object data;
      if (value.get_object().get(data)) return kWrongType;
      failure = collect_payload(data, f, bids, asks, true);
    } else if (key == "result" || key == "id") {
      f.reply = true;
    } else if (key == "error") {
      failure = read_venue_error(value, f);
    } else if (key == "code") {
      f.venue_error = true;
      read_venue_error_field(key, value, f);
    } else if (key == "msg") {
      read_venue_error_field(key, value, f);
    }
    if (failure) return failure;
  }
  return kOk;
}

// True when nothing but whitespace follows the value just iterated (no trailing content).
bool fully_consumed(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

Timestamp millis(std::uint64_t ms) { return from_unix_millis(static_cast<std::int64_t>(ms)); }

Failure build_trade(const PayloadFields& f, StreamMessage& out) {
  const bool aggregate = f.event_type == "aggTrade";
  const auto& id = aggregate ? f.agg_trade_id : f.trade_id;
  if (!id || !f.trade_time || !f.buyer_is_maker || f.price.empty() || f.quantity.empty())
    return kMissingField;
  Trade& trade = out.trade;
  trade = Trade{};
  if (read_decimal(f.price, trade.price) || read_decimal(f.quantity, trade.quantity)) return kBadDecimal;
  trade.exchange_time = millis(*f.trade_time);
  trade.trade_id = *id;
  // The taker is the seller when the buyer's order was resting on the book.
  trade.side = *f.buyer_is_maker ? Side::kSell : Side::kBuy;
  out.kind = MessageKind::kTrade;
  return kOk;
}

Failure build_ticker(const PayloadFields& f, StreamMessage& out) {
  if (f.bid_size.empty() || f.ask_size.empty()) return kMissingField;
  Ticker& ticker = out.ticker;
  ticker = Ticker{};
  if (read_decimal(f.bid_price, ticker.bid_price) || read_decimal(f.bid_size, ticker.bid_size) ||
      read_decimal(f.ask_price, ticker.ask_price) || read_decimal(f.ask_size, ticker.ask_size)) {
    return kBadDecimal;
  }
  out.book_update_id = *f.final_update;
  out.kind = MessageKind::kTicker;
  return kOk;
}

Failure build_depth(const PayloadFields& f, const std::vector<DepthLevel>& bids,
                    const std::vector<DepthLevel>& asks, StreamMessage& out) {
  if (!f.event_time || !f.first_update || !f.final_update || !f.bid_levels || !f.ask_levels) {
    return kMissingField;
  }
  if (*f.first_update > *f.final_update) return "depth update has U > u";
  out.depth = DepthUpdate{millis(*f.event_time), *f.first_update, *f.final_update, bids, asks};
  out.kind = MessageKind::kDepthUpdate;
  return kOk;
}

Failure build_kline(const PayloadFields& f, StreamMessage& out) {
  const KlineFields& k = f.k;
  if (!f.kline || !k.open_time || !k.close_time || !k.closed) return kMissingField;
  if (*k.close_time < *k.open_time) return "kline closes before it opens";
  Candle& candle = out.candle;
  candle = Candle{};
  if (read_decimal(k.open, candle.open) || read_decimal(k.high, candle.high) ||
      read_decimal(k.low, candle.low) || read_decimal(k.close, candle.close) ||
      read_decimal(k.volume, candle.volume)) {
    return kBadDecimal;
  }
  candle.open_time = millis(*k.open_time);
  // T is the last millisecond inside the bar, so the bar spans T - t + 1 ms (also right for 1M bars).
  candle.interval = std::chrono::milliseconds(*k.close_time - *k.open_time + 1);
  out.candle_closed = *k.closed;
  out.kind = MessageKind::kKline;
  return kOk;
}

Failure build_message(const PayloadFields& f, const std::vector<DepthLevel>& bids,
                      const std::vector<DepthLevel>& asks, StreamMessage& out) {
  if (f.venue_error) {
    out.kind = MessageKind::kVenueError;
    out.reason = "venue error reply";
    out.venue_code = f.venue_code;
    out.venue_message = f.venue_message;
    return kOk;
  }
  if (f.event_type == "serverShutdown") {
    out.kind = MessageKind::kServerShutdown;
    out.reason = "server shutdown";
    return kOk;
  }
  if (f.event_type.empty()) {
    // bookTicker payloads carry no event type; recognise them by their fields.
    if (f.final_update && !f.bid_price.empty() && !f.ask_price.empty()) {
      if (f.symbol.empty()) return kMissingField;
      return build_ticker(f, out);
    }
    if (f.reply) {
      out.kind = MessageKind::kIgnored;
      out.reason = "subscription reply";
      return kOk;
    }
    return "unrecognised message";
  }
  if (f.symbol.empty()) return kMissingField;
  if (f.event_type == "aggTrade" || f.event_type == "trade") return build_trade(f, out);
  if (f.event_type == "depthUpdate") return build_depth(f, bids, asks, out);
  if (f.event_type == "kline") return build_kline(f, out);
  out.kind = MessageKind::kIgnored;
  out.reason = "unhandled event type";
  return kOk;
}

}  // namespace

BinanceParser::BinanceParser() : buffer_(kInitialBufferBytes) {}

simdjson::error_code BinanceParser::load(std::string_view text, od::document& doc) {
  const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_.size() < needed) buffer_.resize(needed);
  std::memcpy(buffer_.data(), text.data(), text.size());
  std::memset(buffer_.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  return parser_.iterate(buffer_.data(), text.size(), buffer_.size()).get(doc);
}

const StreamMessage& BinanceParser::parse_stream(std::string_view frame) {
  message_.kind = MessageKind::kError;
  message_.reason = {};
  message_.symbol = {};
  bids_.clear();
  asks_.clear();
  od::document doc;
  od::object object;
  PayloadFields fields;
  Failure failure = kOk;
  if (load(frame, doc) || doc.get_object().get(object)) {
    failure = kMalformed;
  } else {
    failure = collect_payload(object, fields, bids_, asks_, false);
    if (!failure && !fully_consumed(doc)) failure = kMalformed;  // trailing content after the object
  }
  if (!failure) failure = build_message(fields, bids_, asks_, message_);
  if (failure) {
    message_.kind = MessageKind::kError;
    message_.reason = failure;
  } else {
    message_.symbol = fields.symbol;
  }
  return message_;
}

ParseStatus BinanceParser::parse_depth_snapshot(std::string_view body, DepthSnapshotMessage& out) {
  bids_.clear();
  asks_.clear();
  od::document doc;
  od::object object;
  if (load(body, doc) || doc.get_object().get(object)) return {false, kMalformed};
  std::optional<std::uint64_t> last_update_id;
  bool has_bids = false;
  bool has_asks = false;
  bool venue_error = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return {false, kMalformed};
    Failure failure = kOk;
    if (key == "lastUpdateId") {
      failure = read_unsigned(field.value(), last_update_id);
    } else if (key == "bids") {
      has_bids = true;
      failure = read_levels(field.value(), bids_);
    } else if (key == "asks") {
      has_asks = true;
      failure = read_levels(field.value(), asks_);
    } else if (key == "code") {
      venue_error = true;
    }
    if (failure) return {false, failure};
  }
  if (!fully_consumed(doc)) return {false, kMalformed};
  if (venue_error) return {false, "venue error reply"};
  if (!last_update_id || !has_bids || !has_asks) return {false, kMissingField};
  out = DepthSnapshotMessage{*last_update_id, bids_, asks_};
  return {true, {}};
}

namespace {

Failure read_symbol_info(od::value value, SymbolInfo& info) {
  od::object object;
  if (value.get_object().get(object)) return kWrongType;
  std::string_view native, base, quote, status;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return kMalformed;
    Failure failure = kOk;
    if (key == "symbol") {
      failure = read_string(field.value(), native);
    } else if (key == "baseAsset") {
      failure = read_string(field.value(), base);
    } else if (key == "quoteAsset") {
      failure = read_string(field.value(), quote);
    } else if (key == "status") {
      failure = read_string(field.value(), status);
    }
    if (failure) return failure;
  }
  if (native.empty() || base.empty() || quote.empty() || status.empty()) return kMissingField;
  info = SymbolInfo{std::string(native), std::string(base), std::string(quote), std::string(status)};
  return kOk;
}

}  // namespace

ParseStatus BinanceParser::parse_exchange_info(std::string_view body, std::vector<SymbolInfo>& out) {
  out.clear();
  od::document doc;
  od::object object;
  if (load(body, doc) || doc.get_object().get(object)) return {false, kMalformed};
  bool has_symbols = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return {false, kMalformed};
    if (key == "code") return {false, "venue error reply"};
    if (key != "symbols") continue;
    has_symbols = true;
    od::array symbols;
    if (field.value().get_array().get(symbols)) return {false, kWrongType};
    for (auto entry : symbols) {
      od::value value;
      // simdjson_result::get() is rvalue-qualified: the move is required.
      // NOLINTNEXTLINE(performance-move-const-arg)
      if (std::move(entry).get(value)) return {false, kMalformed};
      SymbolInfo info;
      if (Failure failure = read_symbol_info(value, info)) return {false, failure};
      out.push_back(std::move(info));
    }
  }
  if (!fully_consumed(doc)) return {false, kMalformed};
  if (!has_symbols) return {false, kMissingField};
  return {true, {}};
}

namespace {

// One element of a GET /api/v3/aggTrades array:
// {"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true}.
Failure read_agg_trade(od::value value, Trade& trade) {
  od::object object;
  if (value.get_object().get(object)) return kWrongType;
  std::optional<std::uint64_t> id;
  std::optional<std::uint64_t> time;
  std::optional<bool> buyer_is_maker;
  std::string_view price;
  std::string_view quantity;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return kMalformed;
    Failure failure = kOk;
    if (key == "a") {
      failure = read_unsigned(field.value(), id);
    } else if (key == "p") {
      failure = read_string(field.value(), price);
    } else if (key == "q") {
      failure = read_string(field.value(), quantity);
    } else if (key == "T") {
      failure = read_unsigned(field.value(), time);
    } else if (key == "m") {
      failure = read_bool(field.value(), buyer_is_maker);
    }
    if (failure) return failure;
  }
  if (!id || !time || !buyer_is_maker || price.empty() || quantity.empty()) return kMissingField;
  trade = Trade{};
  if (read_decimal(price, trade.price) || read_decimal(quantity, trade.quantity)) return kBadDecimal;
  trade.exchange_time = millis(*time);
  trade.trade_id = *id;
  // As on the stream: the taker sold when the buyer's order was resting on the book.
  trade.side = *buyer_is_maker ? Side::kSell : Side::kBuy;
  return kOk;
}

// An object where an array was expected: the venue's error reply ({"code":..,"msg":..}) or junk.
Failure object_instead_of_array(od::document& doc) {
  od::object object;
  if (doc.get_object().get(object)) return kMalformed;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return kMalformed;
    if (key == "code") return "venue error reply";
  }
  return kWrongType;
}

}  // namespace

ParseStatus BinanceParser::parse_book_ticker(std::string_view body, BookTickerMessage& out) {
  od::document doc;
  od::object object;
  if (load(body, doc) || doc.get_object().get(object)) return {false, kMalformed};
  std::string_view symbol;
  std::string_view bid_price;
  std::string_view bid_size;
  std::string_view ask_price;
  std::string_view ask_size;
  bool venue_error = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return {false, kMalformed};
    Failure failure = kOk;
    if (key == "symbol") {
      failure = read_string(field.value(), symbol);
    } else if (key == "bidPrice") {
      failure = read_string(field.value(), bid_price);
    } else if (key == "bidQty") {
      failure = read_string(field.value(), bid_size);
    } else if (key == "askPrice") {
      failure = read_string(field.value(), ask_price);
    } else if (key == "askQty") {
      failure = read_string(field.value(), ask_size);
    } else if (key == "code") {
      venue_error = true;
    }
    if (failure) return {false, failure};
  }
  if (!fully_consumed(doc)) return {false, kMalformed};
  if (venue_error) return {false, "venue error reply"};
  if (symbol.empty() || bid_price.empty() || bid_size.empty() || ask_price.empty() || ask_size.empty()) {
    return {false, kMissingField};
  }
  Ticker ticker;
  if (read_decimal(bid_price, ticker.bid_price) || read_decimal(bid_size, ticker.bid_size) ||
      read_decimal(ask_price, ticker.ask_price) || read_decimal(ask_size, ticker.ask_size)) {
    return {false, kBadDecimal};
  }
  out = BookTickerMessage{symbol, ticker};
  return {true, {}};
}

ParseStatus BinanceParser::parse_agg_trades(std::string_view body, std::span<const Trade>& out) {
  out = {};
  trades_.clear();
  od::document doc;
  od::json_type type;
  if (load(body, doc) || doc.type().get(type)) return {false, kMalformed};
  if (type == od::json_type::object) return {false, object_instead_of_array(doc)};
  od::array trades;
  if (doc.get_array().get(trades)) return {false, type == od::json_type::array ? kMalformed : kWrongType};
  for (auto entry : trades) {
    od::value value;
    // simdjson_result::get() is rvalue-qualified: the move is required.
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(entry).get(value)) return {false, kMalformed};
    Trade trade;
    if (Failure failure = read_agg_trade(value, trade)) return {false, failure};
    trades_.push_back(trade);
  }
  if (!fully_consumed(doc)) return {false, kMalformed};
  out = trades_;
  return {true, {}};
}

}  // namespace tickguard::feeds::binance
