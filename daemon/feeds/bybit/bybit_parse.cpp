#include "feeds/bybit/bybit_parse.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "feeds/common/decimal.h"
#include "feeds/common/time_parse.h"

namespace tickguard::feeds::bybit {
namespace {

namespace od = simdjson::ondemand;

constexpr std::size_t kInitialBufferBytes = std::size_t{64} * 1024;

ParseStatus status_of(simdjson::error_code error) {
  if (error == simdjson::SUCCESS) return ParseStatus::kOk;
  return error == simdjson::NO_SUCH_FIELD ? ParseStatus::kMissingField : ParseStatus::kMalformedJson;
}

// Evaluates a ParseStatus expression and returns it from the caller unless it is kOk.
#define TICKGUARD_TRY(expr)                                               \
  do {                                                                    \
    if (const ParseStatus s_ = (expr); s_ != ParseStatus::kOk) return s_; \
  } while (false)

ParseStatus read_string(od::value& value, std::string_view& out) {
  return status_of(value.get_string().get(out));
}

ParseStatus read_decimal(od::value& value, double& out) {
  std::string_view text;
  TICKGUARD_TRY(read_string(value, text));
  const auto parsed = parse_decimal(text);
  if (!parsed) return ParseStatus::kBadValue;
  out = *parsed;
  return ParseStatus::kOk;
}

// Bybit sends integers as JSON numbers on the WebSocket and some REST fields (recent-trade `time`)
// as strings; both are accepted.
ParseStatus read_unsigned(od::value& value, std::uint64_t& out) {
  od::json_type type;
  if (value.type().get(type)) return ParseStatus::kMalformedJson;
  if (type == od::json_type::string) {
    std::string_view text;
    TICKGUARD_TRY(read_string(value, text));
    const auto parsed = parse_unsigned(text);
    if (!parsed) return ParseStatus::kBadValue;
    out = *parsed;
    return ParseStatus::kOk;
  }
  if (type != od::json_type::number) return ParseStatus::kMalformedJson;
  return value.get_uint64().get(out) ? ParseStatus::kBadValue : ParseStatus::kOk;
}

ParseStatus read_millis(od::value& value, Timestamp& out) {
  std::uint64_t ms = 0;
  TICKGUARD_TRY(read_unsigned(value, ms));
  if (ms > static_cast<std::uint64_t>(INT64_MAX / 1'000'000)) return ParseStatus::kBadValue;
  out = from_unix_millis(static_cast<std::int64_t>(ms));
  return ParseStatus::kOk;
}

ParseStatus read_side(od::value& value, Side& out) {
  std::string_view text;
  TICKGUARD_TRY(read_string(value, text));
  if (text == "Buy") {
    out = Side::kBuy;
  } else if (text == "Sell") {
    out = Side::kSell;
  } else {
    return ParseStatus::kBadValue;
  }
  return ParseStatus::kOk;
}

ParseStatus read_field(od::object& object, std::string_view key, od::value& out) {
  return status_of(object.find_field_unordered(key).get(out));
}

// [["price","size"], ...] as documented for orderbook `b` / `a`.
ParseStatus read_levels(od::value& value, std::vector<BookLevel>& out) {
  out.clear();
  od::array levels;
  if (value.get_array().get(levels)) return ParseStatus::kMalformedJson;
  for (auto level_result : levels) {
    od::array pair;
    if (level_result.get_array().get(pair)) return ParseStatus::kMalformedJson;
    std::string_view texts[2];
    std::size_t count = 0;
    for (auto item : pair) {
      std::string_view text;
      if (item.get_string().get(text)) return ParseStatus::kMalformedJson;
      if (count < 2) texts[count] = text;
      ++count;
    }
    if (count != 2) return ParseStatus::kBadValue;
    const auto price = parse_decimal(texts[0]);
    const auto size = parse_decimal(texts[1]);
    if (!price || !size || *price <= 0 || *size < 0) return ParseStatus::kBadValue;
    out.push_back(BookLevel{*price, *size});
  }
  return ParseStatus::kOk;
}

// Text after the last '.' of a topic: "orderbook.50.BTCUSDT" -> "BTCUSDT".
std::string_view topic_symbol(std::string_view topic) {
  const auto dot = topic.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : topic.substr(dot + 1);
}

// One element of publicTrade `data` (WebSocket) or of recent-trade `list` (REST); the two use
// different key names for the same facts.
struct TradeKeys {
  std::string_view time, side, size, price, id, block;
};
constexpr TradeKeys kWsTradeKeys{"T", "S", "v", "p", "i", "BT"};
constexpr TradeKeys kRestTradeKeys{"time", "side", "size", "price", "execId", "isBlockTrade"};

ParseStatus read_trade(od::value& value, const TradeKeys& keys, Trade& out, std::string* symbol) {
  od::object object;
  if (value.get_object().get(object)) return ParseStatus::kMalformedJson;
  out = Trade{};
  unsigned seen = 0;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return ParseStatus::kMalformedJson;
    od::value& v = field.value();
    if (key == keys.time) {
      TICKGUARD_TRY(read_millis(v, out.exchange_time));
      seen |= 1u;
    } else if (key == keys.side) {
      TICKGUARD_TRY(read_side(v, out.side));
      seen |= 2u;
    } else if (key == keys.size) {
      TICKGUARD_TRY(read_decimal(v, out.quantity));
      seen |= 4u;
    } else if (key == keys.price) {
      TICKGUARD_TRY(read_decimal(v, out.price));
      seen |= 8u;
    } else if (key == keys.id) {
      std::string_view id;
      TICKGUARD_TRY(read_string(v, id));
      if (id.empty()) return ParseStatus::kBadValue;
      out.trade_id = trade_id_from_text(id);
      seen |= 16u;
    } else if (key == keys.block) {
      bool block_trade = false;
      if (v.get_bool().get(block_trade)) return ParseStatus::kMalformedJson;
    } else if (symbol != nullptr && key == "symbol") {
      std::string_view text;
      TICKGUARD_TRY(read_string(v, text));
      symbol->assign(text);
    }
  }
  return seen == 31u ? ParseStatus::kOk : ParseStatus::kMissingField;
}

// Ticker fields shared by the WebSocket `data` object and REST tickers `list` rows. Empty strings
// (Bybit sends "" for fields without a value) count as absent.
ParseStatus read_ticker(od::value& value, TickerUpdate& out, std::string* symbol) {
  od::object object;
  if (value.get_object().get(object)) return ParseStatus::kMalformedJson;
  const Timestamp time = out.exchange_time;
  out = TickerUpdate{};
  out.exchange_time = time;
  unsigned best = 0;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return ParseStatus::kMalformedJson;
    double* target = nullptr;
    unsigned bit = 0;
    if (key == "bid1Price") {
      target = &out.bid_price;
      bit = 1;
    } else if (key == "bid1Size") {
      target = &out.bid_size;
      bit = 2;
    } else if (key == "ask1Price") {
      target = &out.ask_price;
      bit = 4;
    } else if (key == "ask1Size") {
      target = &out.ask_size;
      bit = 8;
    } else if (key == "lastPrice") {
      target = &out.last_price;
      bit = 16;
    } else if (symbol != nullptr && key == "symbol") {
      std::string_view text;
      TICKGUARD_TRY(read_string(field.value(), text));
      symbol->assign(text);
      continue;
    } else {
      continue;
    }
    std::string_view text;
    TICKGUARD_TRY(read_string(field.value(), text));
    if (text.empty()) continue;
    const auto parsed = parse_decimal(text);
    if (!parsed) return ParseStatus::kBadValue;
    *target = *parsed;
    best |= bit;
  }
  out.has_best_bid_offer = (best & 15u) == 15u;
  out.has_last_price = (best & 16u) != 0;
  return ParseStatus::kOk;
}

ParseStatus read_book(od::value& value, BookUpdate& out, std::string* symbol) {
  od::object object;
  if (value.get_object().get(object)) return ParseStatus::kMalformedJson;
  unsigned seen = 0;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return ParseStatus::kMalformedJson;
    od::value& v = field.value();
    if (key == "b") {
      TICKGUARD_TRY(read_levels(v, out.bids));
      seen |= 1u;
    } else if (key == "a") {
      TICKGUARD_TRY(read_levels(v, out.asks));
      seen |= 2u;
    } else if (key == "u") {
      TICKGUARD_TRY(read_unsigned(v, out.update_id));
      seen |= 4u;
    } else if (key == "seq") {
      TICKGUARD_TRY(read_unsigned(v, out.sequence));
    } else if (key == "ts") {  // REST carries ts inside result
      TICKGUARD_TRY(read_millis(v, out.exchange_time));
      seen |= 8u;
    } else if (key == "s" && symbol != nullptr) {
      std::string_view text;
      TICKGUARD_TRY(read_string(v, text));
      symbol->assign(text);
    }
  }
  return (seen & 7u) == 7u ? ParseStatus::kOk : ParseStatus::kMissingField;
}

// {"success":true,"ret_msg":"pong","conn_id":"...","op":"ping"} and friends.
ParseStatus read_op_reply(od::object& object, BybitMessage& out) {
  od::value value;
  std::string_view op;
  TICKGUARD_TRY(read_field(object, "op", value));
  TICKGUARD_TRY(read_string(value, op));
  bool success = true;  // the private-stream pong has no `success`
  if (object.find_field_unordered("success").get(value) == simdjson::SUCCESS) {
    if (value.get_bool().get(success)) return ParseStatus::kMalformedJson;
  }
  std::string_view message;
  if (object.find_field_unordered("ret_msg").get(value) == simdjson::SUCCESS) {
    TICKGUARD_TRY(read_string(value, message));
  }
  if (!success) {
    out.kind = MessageKind::kOpError;
    out.op_message.assign(message);
  } else if (op == "pong" || (op == "ping" && message == "pong")) {
    out.kind = MessageKind::kPong;
  } else if (op == "subscribe" || op == "unsubscribe") {
    out.kind = MessageKind::kSubscribed;
  } else {
    out.kind = MessageKind::kIgnored;
  }
  return ParseStatus::kOk;
}

ParseStatus read_trades(od::value& data, BybitMessage& out) {
  od::array items;
  if (data.get_array().get(items)) return ParseStatus::kMalformedJson;
  out.trades.clear();
  for (auto item_result : items) {
    od::value item;
    // simdjson_result::get() is rvalue-qualified: the move is required.
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(item_result).get(item)) return ParseStatus::kMalformedJson;
    Trade& trade = out.trades.emplace_back();
    TICKGUARD_TRY(read_trade(item, kWsTradeKeys, trade, nullptr));
  }
  return ParseStatus::kOk;
}

// Checks the REST envelope ({"retCode":0,"retMsg":"OK","result":{...},"time":...}) and leaves
// `result` on the `result` value.
ParseStatus read_rest_result(od::document& doc, od::object& top, od::value& result) {
  if (doc.get_object().get(top)) return ParseStatus::kMalformedJson;
  od::value value;
  TICKGUARD_TRY(read_field(top, "retCode", value));
  std::int64_t code = 0;
  if (value.get_int64().get(code)) return ParseStatus::kMalformedJson;
  if (code != 0) return ParseStatus::kVenueError;
  return read_field(top, "result", result);
}

ParseStatus read_rest_result(od::document& doc, od::object& top, od::object& result) {
  od::value value;
  TICKGUARD_TRY(read_rest_result(doc, top, value));
  return value.get_object().get(result) ? ParseStatus::kMalformedJson : ParseStatus::kOk;
}

}  // namespace

std::string_view to_string(ParseStatus status) {
  switch (status) {
    case ParseStatus::kOk:
      return "ok";
    case ParseStatus::kMalformedJson:
      return "malformed JSON";
    case ParseStatus::kMissingField:
      return "missing field";
    case ParseStatus::kBadValue:
      return "bad value";
    case ParseStatus::kUnsupportedTopic:
      return "unsupported topic";
    case ParseStatus::kVenueError:
      return "venue error";
  }
  return "unknown";
}

std::uint64_t trade_id_from_text(std::string_view text) {
  if (const auto numeric = parse_unsigned(text)) return *numeric;
  std::uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a 64-bit offset basis
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;  // FNV-1a 64-bit prime
  }
  return hash;
}

BybitParser::BybitParser() : buffer_(kInitialBufferBytes + simdjson::SIMDJSON_PADDING) {
  // A failed allocation is not fatal: iterate() allocates on demand and reports errors then.
  [[maybe_unused]] const auto error = parser_.allocate(kInitialBufferBytes);
}

simdjson::error_code BybitParser::load(std::string_view text, od::document& doc) {
  if (buffer_.size() < text.size() + simdjson::SIMDJSON_PADDING) {
    buffer_.resize(text.size() + simdjson::SIMDJSON_PADDING);
  }
  if (!text.empty()) std::memcpy(buffer_.data(), text.data(), text.size());
  std::memset(buffer_.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  return parser_.iterate(buffer_.data(), text.size(), buffer_.size()).get(doc);
}

ParseStatus BybitParser::parse_ws(std::string_view frame, BybitMessage& out) {
  out.kind = MessageKind::kIgnored;
  od::document doc;
  if (load(frame, doc)) return ParseStatus::kMalformedJson;
  od::object object;
  if (doc.get_object().get(object)) return ParseStatus::kMalformedJson;

  od::value value;
  const auto topic_error = object.find_field_unordered("topic").get(value);
  if (topic_error == simdjson::NO_SUCH_FIELD) return read_op_reply(object, out);
  if (topic_error) return ParseStatus::kMalformedJson;
  std::string_view topic;
  TICKGUARD_TRY(read_string(value, topic));

  enum class Topic { kTrade, kTicker, kBook } kind;
  if (topic.starts_with("publicTrade.")) {
    kind = Topic::kTrade;
  } else if (topic.starts_with("tickers.")) {
    kind = Topic::kTicker;
  } else if (topic.starts_with("orderbook.")) {
    kind = Topic::kBook;
  } else {
    return ParseStatus::kUnsupportedTopic;
  }
  const std::string_view symbol = topic_symbol(topic);
  if (symbol.empty()) return ParseStatus::kBadValue;
  out.symbol.assign(symbol);

  std::string_view type;
  TICKGUARD_TRY(read_field(object, "type", value));
  TICKGUARD_TRY(read_string(value, type));
  Timestamp ts{};
  TICKGUARD_TRY(read_field(object, "ts", value));
  TICKGUARD_TRY(read_millis(value, ts));
  TICKGUARD_TRY(read_field(object, "data", value));

  switch (kind) {
    case Topic::kTrade:
      TICKGUARD_TRY(read_trades(value, out));
      out.kind = MessageKind::kTrades;
      return ParseStatus::kOk;
    case Topic::kTicker:
      // Spot tickers are snapshot-only; a partial (delta-style) frame simply lacks has_best_bid_offer.
      out.ticker.exchange_time = ts;
      TICKGUARD_TRY(read_ticker(value, out.ticker, nullptr));
      out.kind = MessageKind::kTicker;
      return ParseStatus::kOk;
    case Topic::kBook:
      if (type != "snapshot" && type != "delta") return ParseStatus::kBadValue;
      out.book.snapshot = type == "snapshot";
      out.book.exchange_time = ts;
      out.book.sequence = 0;
      TICKGUARD_TRY(read_book(value, out.book, nullptr));
      out.kind = out.book.snapshot ? MessageKind::kBookSnapshot : MessageKind::kBookDelta;
      return ParseStatus::kOk;
  }
  return ParseStatus::kUnsupportedTopic;
}

ParseStatus BybitParser::parse_instruments(std::string_view body, InstrumentsPage& out) {
  out.instruments.clear();
  out.next_page_cursor.clear();
  od::document doc;
  if (load(body, doc)) return ParseStatus::kMalformedJson;
  od::object top, result;
  TICKGUARD_TRY(read_rest_result(doc, top, result));
  bool have_list = false;
  for (auto field_result : result) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return ParseStatus::kMalformedJson;
    if (key == "nextPageCursor") {
      std::string_view cursor;
      TICKGUARD_TRY(read_string(field.value(), cursor));
      out.next_page_cursor.assign(cursor);
    } else if (key == "list") {
      have_list = true;
      od::array rows;
      if (field.value().get_array().get(rows)) return ParseStatus::kMalformedJson;
      for (auto row_result : rows) {
        od::object row;
        if (row_result.get_object().get(row)) return ParseStatus::kMalformedJson;
        InstrumentInfo info;
        for (auto column_result : row) {
          od::field column;
          std::string_view name, text;
          if (std::move(column_result).get(column) || column.unescaped_key().get(name))
            return ParseStatus::kMalformedJson;
          std::string* target = name == "symbol"      ? &info.symbol
                                : name == "baseCoin"  ? &info.base_coin
                                : name == "quoteCoin" ? &info.quote_coin
                                : name == "status"    ? &info.status
                                                      : nullptr;
          if (target == nullptr) continue;
          TICKGUARD_TRY(read_string(column.value(), text));
          target->assign(text);
        }
        if (info.symbol.empty() || info.base_coin.empty() || info.quote_coin.empty()) {
          return ParseStatus::kMissingField;
        }
        out.instruments.push_back(std::move(info));
      }
    }
  }
  return have_list ? ParseStatus::kOk : ParseStatus::kMissingField;
}

ParseStatus BybitParser::parse_rest_orderbook(std::string_view body, RestOrderBook& out) {
  out.symbol.clear();
  od::document doc;
  if (load(body, doc)) return ParseStatus::kMalformedJson;
  od::object top;
  od::value value;
  TICKGUARD_TRY(read_rest_result(doc, top, value));
  out.book.snapshot = true;
  out.book.sequence = 0;
  out.book.exchange_time = {};
  TICKGUARD_TRY(read_book(value, out.book, &out.symbol));
  return out.symbol.empty() ? ParseStatus::kMissingField : ParseStatus::kOk;
}

namespace {

// Calls `visit` on each row of a REST reply's result.list, stopping at the first error.
template <typename Visit>
ParseStatus for_each_list_row(od::object& result, Visit&& visit) {
  od::value value;
  TICKGUARD_TRY(read_field(result, "list", value));
  od::array rows;
  if (value.get_array().get(rows)) return ParseStatus::kMalformedJson;
  for (auto row_result : rows) {
    od::value row;
    // simdjson_result::get() is rvalue-qualified: the move is required.
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(row_result).get(row)) return ParseStatus::kMalformedJson;
    TICKGUARD_TRY(visit(row));
  }
  return ParseStatus::kOk;
}

}  // namespace

ParseStatus BybitParser::parse_rest_tickers(std::string_view body, std::vector<RestTicker>& out) {
  out.clear();
  od::document doc;
  if (load(body, doc)) return ParseStatus::kMalformedJson;
  od::object top, result;
  TICKGUARD_TRY(read_rest_result(doc, top, result));
  TICKGUARD_TRY(for_each_list_row(result, [&](od::value& row) {
    RestTicker ticker;
    TICKGUARD_TRY(read_ticker(row, ticker.ticker, &ticker.symbol));
    if (ticker.symbol.empty()) return ParseStatus::kMissingField;
    out.push_back(std::move(ticker));
    return ParseStatus::kOk;
  }));
  // The reply's server time (`time`, after `result`) stamps every row.
  od::value value;
  Timestamp time{};
  TICKGUARD_TRY(read_field(top, "time", value));
  TICKGUARD_TRY(read_millis(value, time));
  for (auto& ticker : out) ticker.ticker.exchange_time = time;
  return ParseStatus::kOk;
}

ParseStatus BybitParser::parse_rest_trades(std::string_view body, RestTrades& out) {
  out.symbol.clear();
  out.trades.clear();
  od::document doc;
  if (load(body, doc)) return ParseStatus::kMalformedJson;
  od::object top, result;
  TICKGUARD_TRY(read_rest_result(doc, top, result));
  TICKGUARD_TRY(for_each_list_row(result, [&](od::value& row) {
    Trade& trade = out.trades.emplace_back();
    TICKGUARD_TRY(read_trade(row, kRestTradeKeys, trade, &out.symbol));
    return ParseStatus::kOk;
  }));
  return ParseStatus::kOk;
}

void sort_oldest_first(std::vector<Trade>& trades) {
  if (trades.size() < 2) return;
  if (trades.front().exchange_time > trades.back().exchange_time) std::reverse(trades.begin(), trades.end());
  std::stable_sort(trades.begin(), trades.end(),
                   [](const Trade& a, const Trade& b) { return a.exchange_time < b.exchange_time; });
}

bool to_ticker(const TickerUpdate& update, InstrumentId instrument, Timestamp receive_time, Ticker& out) {
  if (!update.has_best_bid_offer) return false;
  out.instrument = instrument;
  out.exchange_time = update.exchange_time;
  out.receive_time = receive_time;
  out.bid_price = update.bid_price;
  out.bid_size = update.bid_size;
  out.ask_price = update.ask_price;
  out.ask_size = update.ask_size;
  return true;
}

}  // namespace tickguard::feeds::bybit

#undef TICKGUARD_TRY
