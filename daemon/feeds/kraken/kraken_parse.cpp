#include "feeds/kraken/kraken_parse.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <utility>

#include "feeds/common/decimal.h"
#include "feeds/common/time_parse.h"

namespace tickguard::feeds::kraken {
namespace {

using simdjson::ondemand::array;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

constexpr std::size_t kInitialBuffer = std::size_t{64} * 1024;

std::string_view trim(std::string_view text) {
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// The text of a number as the venue wrote it: v2 sends JSON numbers, whose raw token we keep;
// a quoted number (v1, or a venue change) is accepted too, without its quotes.
std::string_view number_text(value v) {
  std::string_view token = trim(v.raw_json_token());
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
    token = token.substr(1, token.size() - 2);
  }
  return token;
}

KrakenParseError read_number(object item, std::string_view key, double& out,
                             std::string_view* text = nullptr) {
  value v;
  if (item.find_field_unordered(key).get(v)) return KrakenParseError::kUnexpectedShape;
  const std::string_view token = number_text(v);
  const std::optional<double> parsed = parse_decimal(token);
  if (!parsed) return KrakenParseError::kBadNumber;
  out = *parsed;
  if (text != nullptr) *text = token;
  return KrakenParseError::kNone;
}

KrakenParseError read_string(object item, std::string_view key, std::string_view& out) {
  return item.find_field_unordered(key).get_string().get(out) ? KrakenParseError::kUnexpectedShape
                                                              : KrakenParseError::kNone;
}

KrakenParseError read_time(object item, std::string_view key, std::optional<Timestamp>& out) {
  std::string_view text;
  if (item.find_field_unordered(key).get_string().get(text)) return KrakenParseError::kUnexpectedShape;
  out = parse_rfc3339(text);
  return out ? KrakenParseError::kNone : KrakenParseError::kBadTimestamp;
}

KrakenParseError from_simdjson(simdjson::error_code code) {
  switch (code) {
    case simdjson::SUCCESS:
      return KrakenParseError::kNone;
    case simdjson::INCORRECT_TYPE:
    case simdjson::NO_SUCH_FIELD:
    case simdjson::INDEX_OUT_OF_BOUNDS:
      return KrakenParseError::kUnexpectedShape;
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return KrakenParseError::kBadNumber;
    default:
      return KrakenParseError::kMalformedJson;
  }
}

// simdjson 3.0 has no document::at_end(); the location past the last token reports OUT_OF_BOUNDS.
bool fully_consumed(simdjson::ondemand::document& doc) {
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

// Legacy four-letter asset codes that carry an X (crypto) or Z (fiat) class prefix. Newer assets
// have no prefix, and some genuine codes start with X or Z (XTZ, ZRX), so this is a list, not a rule.
constexpr std::string_view kPrefixedAssets[] = {
    "XXBT", "XETH", "XETC", "XLTC", "XMLN", "XREP", "XXDG", "XXLM", "XXMR",
    "XXRP", "XZEC", "ZUSD", "ZEUR", "ZGBP", "ZJPY", "ZCAD", "ZAUD", "ZCHF",
};

}  // namespace

const char* parse_error_name(KrakenParseError error) {
  switch (error) {
    case KrakenParseError::kNone:
      return "none";
    case KrakenParseError::kMalformedJson:
      return "malformed_json";
    case KrakenParseError::kUnexpectedShape:
      return "unexpected_shape";
    case KrakenParseError::kBadNumber:
      return "bad_number";
    case KrakenParseError::kBadTimestamp:
      return "bad_timestamp";
  }
  return "unknown";
}

KrakenParser::KrakenParser() {
  buffer_.resize(kInitialBuffer + simdjson::SIMDJSON_PADDING);
  trades_.reserve(64);
  tickers_.reserve(8);
  books_.reserve(8);
  ranges_.reserve(8);
  levels_.reserve(2048);
}

void KrakenParser::clear() {
  error_ = KrakenParseError::kNone;
  trades_.clear();
  tickers_.clear();
  books_.clear();
  ranges_.clear();
  levels_.clear();
  error_text_ = {};
  status_text_ = {};
  snapshot_ = false;
  req_id_.reset();
}

KrakenMessageKind KrakenParser::fail(KrakenParseError error) {
  const KrakenParseError kept = error;
  clear();
  error_ = kept;
  return KrakenMessageKind::kInvalid;
}

simdjson::ondemand::document& KrakenParser::load(std::string_view frame, simdjson::error_code& code) {
  clear();
  if (buffer_.size() < frame.size() + simdjson::SIMDJSON_PADDING) {
    buffer_.resize(frame.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(buffer_.data(), frame.data(), frame.size());
  std::memset(buffer_.data() + frame.size(), 0, simdjson::SIMDJSON_PADDING);
  code = parser_.iterate(buffer_.data(), frame.size(), buffer_.size()).get(document_);
  return document_;
}

KrakenMessageKind KrakenParser::parse(std::string_view frame) {
  simdjson::error_code code;
  simdjson::ondemand::document& doc = load(frame, code);
  if (code) return fail(KrakenParseError::kMalformedJson);
  object root;
  if (const auto root_code = doc.get_object().get(root)) return fail(from_simdjson(root_code));

  std::string_view channel;
  const simdjson::error_code channel_code = root.find_field_unordered("channel").get_string().get(channel);
  if (channel_code == simdjson::NO_SUCH_FIELD) {
    // A method response: {"method":"subscribe","success":true|false,"error":"...",...}; pong
    // carries no "success".
    std::string_view method;
    if (root.find_field_unordered("method").get_string().get(method)) {
      return fail(KrakenParseError::kUnexpectedShape);
    }
    std::uint64_t req_id = 0;
    if (!root.find_field_unordered("req_id").get_uint64().get(req_id)) req_id_ = req_id;
    bool success = true;
    const auto success_code = root.find_field_unordered("success").get_bool().get(success);
    if (success_code && success_code != simdjson::NO_SUCH_FIELD) return fail(from_simdjson(success_code));
    if (success) return KrakenMessageKind::kAck;
    std::string_view text;
    if (!root.find_field_unordered("error").get_string().get(text)) error_text_ = text;
    return KrakenMessageKind::kError;
  }
  if (channel_code) return fail(from_simdjson(channel_code));
  if (channel == "heartbeat") return KrakenMessageKind::kHeartbeat;

  std::string_view type;
  if (const auto type_code = root.find_field_unordered("type").get_string().get(type)) {
    return fail(from_simdjson(type_code));
  }
  array data;
  if (const auto data_code = root.find_field_unordered("data").get_array().get(data)) {
    // The instrument channel's data is an object; it is not modelled here.
    if (data_code == simdjson::INCORRECT_TYPE && channel == "instrument") return KrakenMessageKind::kOther;
    return fail(from_simdjson(data_code));
  }
  return parse_channel(channel, type, data);
}

KrakenMessageKind KrakenParser::parse_channel(std::string_view channel, std::string_view type, array data) {
  enum class Channel { kTrade, kTicker, kBook, kStatus } which;
  if (channel == "trade") {
    which = Channel::kTrade;
  } else if (channel == "ticker") {
    which = Channel::kTicker;
  } else if (channel == "book") {
    which = Channel::kBook;
  } else if (channel == "status") {
    which = Channel::kStatus;
  } else {
    return KrakenMessageKind::kOther;
  }
  const bool snapshot = type == "snapshot";
  if (!snapshot && type != "update") return fail(KrakenParseError::kUnexpectedShape);
  snapshot_ = snapshot;

  for (auto element : data) {
    object item;
    if (const auto code = element.get_object().get(item)) return fail(from_simdjson(code));
    KrakenParseError error = KrakenParseError::kNone;
    switch (which) {
      case Channel::kTrade:
        error = parse_trade(item);
        break;
      case Channel::kTicker:
        error = parse_ticker(item);
        break;
      case Channel::kBook:
        error = parse_book(item, snapshot);
        break;
      case Channel::kStatus: {
        std::string_view system;
        if (!item.find_field_unordered("system").get_string().get(system)) status_text_ = system;
        break;
      }
    }
    if (error != KrakenParseError::kNone) return fail(error);
  }
  switch (which) {
    case Channel::kTrade:
      return KrakenMessageKind::kTrade;
    case Channel::kTicker:
      return KrakenMessageKind::kTicker;
    case Channel::kBook:
      finish_books();
      return snapshot ? KrakenMessageKind::kBookSnapshot : KrakenMessageKind::kBookUpdate;
    case Channel::kStatus:
      return KrakenMessageKind::kStatus;
  }
  return KrakenMessageKind::kOther;
}

KrakenParseError KrakenParser::parse_trade(object item) {
  KrakenTrade trade;
  std::string_view side;
  std::optional<Timestamp> time;
  if (auto e = read_string(item, "symbol", trade.symbol); e != KrakenParseError::kNone) return e;
  if (auto e = read_string(item, "side", side); e != KrakenParseError::kNone) return e;
  if (auto e = read_number(item, "price", trade.price); e != KrakenParseError::kNone) return e;
  if (auto e = read_number(item, "qty", trade.qty); e != KrakenParseError::kNone) return e;
  if (const auto code = item.find_field_unordered("trade_id").get_uint64().get(trade.trade_id)) {
    return from_simdjson(code);
  }
  if (auto e = read_time(item, "timestamp", time); e != KrakenParseError::kNone) return e;
  trade.side = side == "buy" ? Side::kBuy : side == "sell" ? Side::kSell : Side::kUnknown;
  trade.exchange_time = *time;
  trades_.push_back(trade);
  return KrakenParseError::kNone;
}

KrakenParseError KrakenParser::parse_ticker(object item) {
  KrakenTicker ticker;
  if (auto e = read_string(item, "symbol", ticker.symbol); e != KrakenParseError::kNone) return e;
  if (auto e = read_number(item, "bid", ticker.bid); e != KrakenParseError::kNone) return e;
  if (auto e = read_number(item, "bid_qty", ticker.bid_qty); e != KrakenParseError::kNone) return e;
  if (auto e = read_number(item, "ask", ticker.ask); e != KrakenParseError::kNone) return e;
  if (auto e = read_number(item, "ask_qty", ticker.ask_qty); e != KrakenParseError::kNone) return e;
  if (auto e = read_number(item, "last", ticker.last); e != KrakenParseError::kNone) return e;
  std::optional<Timestamp> time;
  if (read_time(item, "timestamp", time) == KrakenParseError::kNone) ticker.exchange_time = time;
  tickers_.push_back(ticker);
  return KrakenParseError::kNone;
}

KrakenParseError KrakenParser::parse_levels(array levels, std::size_t& begin, std::size_t& count) {
  begin = levels_.size();
  for (auto element : levels) {
    object level_object;
    if (const auto code = element.get_object().get(level_object)) return from_simdjson(code);
    KrakenLevel level;
    if (auto e = read_number(level_object, "price", level.price, &level.price_text);
        e != KrakenParseError::kNone) {
      return e;
    }
    if (auto e = read_number(level_object, "qty", level.qty, &level.qty_text); e != KrakenParseError::kNone) {
      return e;
    }
    levels_.push_back(level);
  }
  count = levels_.size() - begin;
  return KrakenParseError::kNone;
}

KrakenParseError KrakenParser::parse_book(object item, bool snapshot) {
  KrakenBook book;
  BookRanges ranges;
  book.snapshot = snapshot;
  if (auto e = read_string(item, "symbol", book.symbol); e != KrakenParseError::kNone) return e;
  array side;
  if (!item.find_field_unordered("bids").get_array().get(side)) {
    if (auto e = parse_levels(side, ranges.bid_begin, ranges.bid_count); e != KrakenParseError::kNone)
      return e;
  }
  if (!item.find_field_unordered("asks").get_array().get(side)) {
    if (auto e = parse_levels(side, ranges.ask_begin, ranges.ask_count); e != KrakenParseError::kNone)
      return e;
  }
  std::uint64_t checksum = 0;
  if (const auto code = item.find_field_unordered("checksum").get_uint64().get(checksum);
      code == simdjson::SUCCESS) {
    if (checksum > std::numeric_limits<std::uint32_t>::max()) return KrakenParseError::kBadNumber;
    book.checksum = static_cast<std::uint32_t>(checksum);
  } else if (code != simdjson::NO_SUCH_FIELD) {
    return from_simdjson(code);
  }
  std::optional<Timestamp> time;
  if (read_time(item, "timestamp", time) == KrakenParseError::kNone) book.exchange_time = time;
  books_.push_back(book);
  ranges_.push_back(ranges);
  return KrakenParseError::kNone;
}

// Level spans are set only once levels_ has stopped growing (growth would move the storage).
void KrakenParser::finish_books() {
  const std::span<const KrakenLevel> all(levels_);
  for (std::size_t i = 0; i < books_.size(); ++i) {
    books_[i].bids = all.subspan(ranges_[i].bid_begin, ranges_[i].bid_count);
    books_[i].asks = all.subspan(ranges_[i].ask_begin, ranges_[i].ask_count);
  }
}

KrakenParseError KrakenParser::parse_v1_levels(array levels, std::size_t& begin, std::size_t& count) {
  begin = levels_.size();
  for (auto element : levels) {
    array entry;
    if (const auto code = element.get_array().get(entry)) return from_simdjson(code);
    // [price, volume, timestamp(, "r" when republished)]: only the first two matter here.
    KrakenLevel level;
    std::size_t index = 0;
    for (auto field : entry) {
      if (index < 2) {
        std::string_view text;
        if (const auto code = field.get_string().get(text)) return from_simdjson(code);
        const std::optional<double> parsed = parse_decimal(text);
        if (!parsed) return KrakenParseError::kBadNumber;
        (index == 0 ? level.price : level.qty) = *parsed;
        (index == 0 ? level.price_text : level.qty_text) = text;
      }
      ++index;
    }
    if (index < 2) return KrakenParseError::kUnexpectedShape;
    levels_.push_back(level);
  }
  count = levels_.size() - begin;
  return KrakenParseError::kNone;
}

KrakenMessageKind KrakenParser::parse_v1_book(std::string_view frame) {
  simdjson::error_code code;
  simdjson::ondemand::document& doc = load(frame, code);
  if (code) return fail(KrakenParseError::kMalformedJson);
  simdjson::ondemand::json_type type;
  if (doc.type().get(type)) return fail(KrakenParseError::kMalformedJson);
  if (type == simdjson::ondemand::json_type::object) {
    std::string_view event;
    if (doc.find_field_unordered("event").get_string().get(event)) {
      return fail(KrakenParseError::kUnexpectedShape);
    }
    if (event == "heartbeat") return KrakenMessageKind::kHeartbeat;
    if (event == "systemStatus") return KrakenMessageKind::kStatus;
    if (event == "subscriptionStatus") return KrakenMessageKind::kAck;
    return event == "error" ? KrakenMessageKind::kError : KrakenMessageKind::kOther;
  }
  array root;
  if (doc.get_array().get(root)) return fail(KrakenParseError::kUnexpectedShape);

  // Each object element holds "as"/"bs" (snapshot) or "a"/"b" (+ "c" on the last one); the
  // trailing strings are the channel name and the pair.
  KrakenBook book;
  BookRanges ranges;
  std::size_t bid_end = 0, ask_end = 0;
  bool have_bids = false, have_asks = false;
  std::size_t index = 0;
  for (auto element : root) {
    simdjson::ondemand::json_type element_type;
    if (element.type().get(element_type)) return fail(KrakenParseError::kMalformedJson);
    if (element_type == simdjson::ondemand::json_type::string) {
      std::string_view text;
      if (element.get_string().get(text)) return fail(KrakenParseError::kMalformedJson);
      book.symbol = text;  // the last string is the pair
    } else if (element_type == simdjson::ondemand::json_type::object && index > 0) {
      object sides;
      if (element.get_object().get(sides)) return fail(KrakenParseError::kMalformedJson);
      for (auto field : sides) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return fail(KrakenParseError::kMalformedJson);
        value v = field.value();
        if (key == "c") {
          std::string_view text;
          if (v.get_string().get(text)) return fail(KrakenParseError::kUnexpectedShape);
          const std::optional<std::uint64_t> checksum = parse_unsigned(text);
          if (!checksum || *checksum > std::numeric_limits<std::uint32_t>::max()) {
            return fail(KrakenParseError::kBadNumber);
          }
          book.checksum = static_cast<std::uint32_t>(*checksum);
          continue;
        }
        const bool is_ask = key == "a" || key == "as";
        const bool is_bid = key == "b" || key == "bs";
        if (!is_ask && !is_bid) continue;
        if (key.size() == 2) book.snapshot = true;
        array levels;
        if (v.get_array().get(levels)) return fail(KrakenParseError::kUnexpectedShape);
        std::size_t begin = 0, count = 0;
        if (auto e = parse_v1_levels(levels, begin, count); e != KrakenParseError::kNone) return fail(e);
        // A side normally comes once per frame; if it came twice its levels must stay contiguous.
        std::size_t& side_begin = is_ask ? ranges.ask_begin : ranges.bid_begin;
        std::size_t& side_count = is_ask ? ranges.ask_count : ranges.bid_count;
        std::size_t& side_end = is_ask ? ask_end : bid_end;
        bool& have = is_ask ? have_asks : have_bids;
        if (have && side_end != begin) return fail(KrakenParseError::kUnexpectedShape);
        if (!have) side_begin = begin;
        have = true;
        side_count += count;
        side_end = begin + count;
      }
    }
    ++index;
  }
  if (!fully_consumed(doc) || book.symbol.empty()) return fail(KrakenParseError::kMalformedJson);
  books_.push_back(book);
  ranges_.push_back(ranges);
  finish_books();
  return book.snapshot ? KrakenMessageKind::kBookSnapshot : KrakenMessageKind::kBookUpdate;
}

std::string KrakenAssetPair::unified_symbol() const {
  if (!wsname.empty()) return kraken::unified_symbol(wsname);
  return unified_asset(base) + "/" + unified_asset(quote);
}

const KrakenAssetPair* KrakenAssetPairs::find_unified(std::string_view unified) const {
  for (const KrakenAssetPair& pair : pairs) {
    if (pair.unified_symbol() == unified) return &pair;
  }
  return nullptr;
}

KrakenAssetPairs parse_asset_pairs(std::string_view body) {
  KrakenAssetPairs out;
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  object root;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(root)) {
    out.error = KrakenParseError::kMalformedJson;
    return out;
  }
  const auto fail = [&out](KrakenParseError error) {
    out.pairs.clear();
    out.error = error;
    return out;
  };
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return fail(KrakenParseError::kMalformedJson);
    if (key == "error") {
      array errors;
      if (field.value().get_array().get(errors)) return fail(KrakenParseError::kUnexpectedShape);
      for (auto e : errors) {
        std::string_view text;
        if (e.get_string().get(text)) return fail(KrakenParseError::kUnexpectedShape);
        out.venue_errors.emplace_back(text);
      }
    } else if (key == "result") {
      object result;
      if (field.value().get_object().get(result)) return fail(KrakenParseError::kUnexpectedShape);
      for (auto entry : result) {
        KrakenAssetPair pair;
        std::string_view name;
        object fields;
        if (entry.unescaped_key().get(name) || entry.value().get_object().get(fields)) {
          return fail(KrakenParseError::kMalformedJson);
        }
        pair.key = name;
        for (auto f : fields) {
          std::string_view k;
          if (f.unescaped_key().get(k)) return fail(KrakenParseError::kMalformedJson);
          std::string* text_target = k == "altname"  ? &pair.altname
                                     : k == "wsname" ? &pair.wsname
                                     : k == "base"   ? &pair.base
                                     : k == "quote"  ? &pair.quote
                                     : k == "status" ? &pair.status
                                                     : nullptr;
          int* int_target = k == "pair_decimals"  ? &pair.pair_decimals
                            : k == "lot_decimals" ? &pair.lot_decimals
                                                  : nullptr;
          if (text_target != nullptr) {
            std::string_view text;
            if (f.value().get_string().get(text)) return fail(KrakenParseError::kUnexpectedShape);
            *text_target = text;
          } else if (int_target != nullptr) {
            std::int64_t number = 0;
            if (f.value().get_int64().get(number) || number < 0 || number > 18) {
              return fail(KrakenParseError::kBadNumber);
            }
            *int_target = static_cast<int>(number);
          }
        }
        if (pair.base.empty() || pair.quote.empty()) return fail(KrakenParseError::kUnexpectedShape);
        out.pairs.push_back(std::move(pair));
      }
    }
  }
  if (!fully_consumed(doc)) return fail(KrakenParseError::kMalformedJson);
  return out;
}

namespace {

// REST times: epoch seconds with a fraction ("1688669597.8277369"), read exactly from the text
// (no double rounding): at most 9 fraction digits count, further digits are cut.
std::optional<Timestamp> parse_epoch_seconds(std::string_view text) {
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  const std::optional<std::uint64_t> seconds = parse_unsigned(whole);
  constexpr std::uint64_t kMaxSeconds = 9'000'000'000;  // nanoseconds must fit an int64
  if (!seconds || *seconds > kMaxSeconds) return std::nullopt;
  if (point != std::string_view::npos && fraction.empty()) return std::nullopt;
  std::int64_t nanos = 0;
  int digits = 0;
  for (const char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    if (digits < 9) {
      nanos = nanos * 10 + (c - '0');
      ++digits;
    }
  }
  for (; digits < 9; ++digits) nanos *= 10;
  return Timestamp(std::chrono::seconds(static_cast<std::int64_t>(*seconds)) +
                   std::chrono::nanoseconds(nanos));
}

KrakenParseError read_decimal(value v, double& out) {
  const std::optional<double> parsed = parse_decimal(number_text(v));
  if (!parsed) return KrakenParseError::kBadNumber;
  out = *parsed;
  return KrakenParseError::kNone;
}

// The body's "error" array of strings.
KrakenParseError read_venue_errors(value v, std::vector<std::string>& out) {
  array errors;
  if (v.get_array().get(errors)) return KrakenParseError::kUnexpectedShape;
  for (auto e : errors) {
    std::string_view text;
    if (e.get_string().get(text)) return KrakenParseError::kUnexpectedShape;
    out.emplace_back(text);
  }
  return KrakenParseError::kNone;
}

// A ticker array of decimals: [price, whole lot volume, lot volume] or [price, lot volume]. Reads
// element 0 into `price` and element `qty_index` into `qty`; both must be present.
KrakenParseError read_price_qty(value v, std::size_t qty_index, double& price, double& qty) {
  array items;
  if (const auto code = v.get_array().get(items)) return from_simdjson(code);
  std::size_t index = 0;
  for (auto item : items) {
    value element;
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(item).get(element)) return KrakenParseError::kMalformedJson;
    if (index == 0 || index == qty_index) {
      if (auto e = read_decimal(element, index == 0 ? price : qty); e != KrakenParseError::kNone) return e;
    }
    ++index;
  }
  return index > qty_index ? KrakenParseError::kNone : KrakenParseError::kUnexpectedShape;
}

KrakenParseError read_rest_ticker(value v, KrakenTicker& out) {
  object fields;
  if (const auto code = v.get_object().get(fields)) return from_simdjson(code);
  bool ask = false, bid = false, last = false;
  for (auto field : fields) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return KrakenParseError::kMalformedJson;
    KrakenParseError error = KrakenParseError::kNone;
    if (key == "a") {
      error = read_price_qty(field.value(), 2, out.ask, out.ask_qty);
      ask = true;
    } else if (key == "b") {
      error = read_price_qty(field.value(), 2, out.bid, out.bid_qty);
      bid = true;
    } else if (key == "c") {
      double last_qty = 0;
      error = read_price_qty(field.value(), 1, out.last, last_qty);
      last = true;
    }
    if (error != KrakenParseError::kNone) return error;
  }
  return ask && bid && last ? KrakenParseError::kNone : KrakenParseError::kUnexpectedShape;
}

// [price, volume, time, "b"|"s", "m"|"l", misc(, trade_id)]
KrakenParseError read_rest_trade(value v, KrakenTrade& out) {
  array items;
  if (const auto code = v.get_array().get(items)) return from_simdjson(code);
  std::size_t index = 0;
  for (auto item : items) {
    value element;
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(item).get(element)) return KrakenParseError::kMalformedJson;
    KrakenParseError error = KrakenParseError::kNone;
    switch (index) {
      case 0:
        error = read_decimal(element, out.price);
        break;
      case 1:
        error = read_decimal(element, out.qty);
        break;
      case 2: {
        const std::optional<Timestamp> time = parse_epoch_seconds(number_text(element));
        if (!time) return KrakenParseError::kBadTimestamp;
        out.exchange_time = *time;
        break;
      }
      case 3: {
        std::string_view side;
        if (element.get_string().get(side)) return KrakenParseError::kUnexpectedShape;
        out.side = side == "b" ? Side::kBuy : side == "s" ? Side::kSell : Side::kUnknown;
        break;
      }
      case 6: {
        const std::optional<std::uint64_t> id = parse_unsigned(number_text(element));
        if (!id) return KrakenParseError::kBadNumber;
        out.trade_id = *id;
        break;
      }
      default:  // order type and misc: not needed
        break;
    }
    if (error != KrakenParseError::kNone) return error;
    ++index;
  }
  return index >= 4 ? KrakenParseError::kNone : KrakenParseError::kUnexpectedShape;
}

KrakenParseError read_rest_trades(value v, std::vector<KrakenTrade>& out) {
  array trades;
  if (const auto code = v.get_array().get(trades)) return from_simdjson(code);
  for (auto item : trades) {
    value element;
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (std::move(item).get(element)) return KrakenParseError::kMalformedJson;
    KrakenTrade trade;
    if (auto e = read_rest_trade(element, trade); e != KrakenParseError::kNone) return e;
    out.push_back(trade);
  }
  return KrakenParseError::kNone;
}

// Walks {"error":[...],"result":{...}}: `entry(value, data)` reads one pair's entry into `data`,
// `other(key, value)` is offered every other member of result first (true: consumed). The entry
// named `pair` wins; otherwise a sole entry under another name is taken.
template <typename Data, typename Entry, typename Other>
KrakenParseError read_rest_body(std::string_view body, std::string_view pair,
                                std::vector<std::string>& errors, Data& data, Entry entry, Other other) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  object root;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(root)) return KrakenParseError::kMalformedJson;
  std::size_t entries = 0;
  bool matched = false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return KrakenParseError::kMalformedJson;
    if (key == "error") {
      if (auto e = read_venue_errors(field.value(), errors); e != KrakenParseError::kNone) return e;
    } else if (key == "result") {
      object result;
      if (field.value().get_object().get(result)) return KrakenParseError::kUnexpectedShape;
      for (auto member : result) {
        std::string_view name;
        value v;
        if (member.unescaped_key().get(name) || member.value().get(v))
          return KrakenParseError::kMalformedJson;
        bool consumed = false;
        if (auto e = other(name, v, consumed); e != KrakenParseError::kNone) return e;
        if (consumed) continue;
        Data candidate{};
        if (auto e = entry(v, candidate); e != KrakenParseError::kNone) return e;
        const bool named = name == pair;
        if (named || (!matched && entries == 0)) data = std::move(candidate);
        matched = matched || named;
        ++entries;
      }
    }
  }
  if (!fully_consumed(doc)) return KrakenParseError::kMalformedJson;
  if (!errors.empty()) return KrakenParseError::kNone;  // refused: no result to read
  return matched || entries == 1 ? KrakenParseError::kNone : KrakenParseError::kUnexpectedShape;
}

}  // namespace

KrakenRestTicker parse_rest_ticker(std::string_view body, std::string_view pair) {
  KrakenRestTicker out;
  const auto no_other = [](std::string_view, value, bool&) { return KrakenParseError::kNone; };
  out.error = read_rest_body(body, pair, out.venue_errors, out.ticker, read_rest_ticker, no_other);
  if (out.error != KrakenParseError::kNone || !out.venue_errors.empty()) out.ticker = KrakenTicker{};
  return out;
}

KrakenRestTrades parse_rest_trades(std::string_view body, std::string_view pair) {
  KrakenRestTrades out;
  const auto last = [&out](std::string_view name, value v, bool& consumed) {
    if (name != "last") return KrakenParseError::kNone;
    consumed = true;
    out.last = number_text(v);
    return out.last.empty() ? KrakenParseError::kUnexpectedShape : KrakenParseError::kNone;
  };
  out.error = read_rest_body(body, pair, out.venue_errors, out.trades, read_rest_trades, last);
  if (out.error != KrakenParseError::kNone || !out.venue_errors.empty()) {
    out.trades.clear();
    out.last.clear();
  }
  return out;
}

KrakenInstruments parse_instruments(std::string_view frame) {
  KrakenInstruments out;
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(frame);
  simdjson::ondemand::document doc;
  object root;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(root)) {
    out.error = KrakenParseError::kMalformedJson;
    return out;
  }
  const auto fail = [&out](simdjson::error_code code) {
    out.pairs.clear();
    out.error = code ? from_simdjson(code) : KrakenParseError::kUnexpectedShape;
    return out;
  };
  std::string_view channel;
  std::string_view type;
  if (const auto code = root.find_field_unordered("channel").get_string().get(channel)) return fail(code);
  if (const auto code = root.find_field_unordered("type").get_string().get(type)) return fail(code);
  if (channel != "instrument") return fail(simdjson::SUCCESS);
  out.snapshot = type == "snapshot";
  array pairs;
  if (const auto code =
          root.find_field_unordered("data").find_field_unordered("pairs").get_array().get(pairs)) {
    return fail(code);
  }
  for (auto element : pairs) {
    object item;
    if (const auto code = element.get_object().get(item)) return fail(code);
    KrakenInstrumentPair pair;
    for (auto field : item) {
      std::string_view key;
      if (const auto code = field.unescaped_key().get(key)) return fail(code);
      std::string* text_target = key == "symbol"   ? &pair.symbol
                                 : key == "base"   ? &pair.base
                                 : key == "quote"  ? &pair.quote
                                 : key == "status" ? &pair.status
                                                   : nullptr;
      int* int_target = key == "price_precision" ? &pair.price_precision
                        : key == "qty_precision" ? &pair.qty_precision
                                                 : nullptr;
      if (text_target != nullptr) {
        std::string_view text;
        if (const auto code = field.value().get_string().get(text)) return fail(code);
        *text_target = text;
      } else if (int_target != nullptr) {
        std::int64_t number = 0;
        if (const auto code = field.value().get_int64().get(number)) return fail(code);
        if (number < 0 || number > 18) return fail(simdjson::NUMBER_OUT_OF_RANGE);
        *int_target = static_cast<int>(number);
      }
    }
    if (pair.symbol.empty()) return fail(simdjson::SUCCESS);
    out.pairs.push_back(std::move(pair));
  }
  return out;
}

Trade to_trade(const KrakenTrade& trade, InstrumentId instrument, Timestamp receive_time) {
  Trade out;
  out.instrument = instrument;
  out.exchange_time = trade.exchange_time;
  out.receive_time = receive_time;
  out.price = trade.price;
  out.quantity = trade.qty;
  out.side = trade.side;
  out.trade_id = trade.trade_id;
  return out;
}

Ticker to_ticker(const KrakenTicker& ticker, InstrumentId instrument, Timestamp receive_time) {
  Ticker out;
  out.instrument = instrument;
  out.exchange_time = ticker.exchange_time.value_or(receive_time);
  out.receive_time = receive_time;
  out.bid_price = ticker.bid;
  out.bid_size = ticker.bid_qty;
  out.ask_price = ticker.ask;
  out.ask_size = ticker.ask_qty;
  return out;
}

std::string v2_subscribe_request(std::string_view channel, std::span<const std::string> symbols, int depth,
                                 std::uint64_t req_id) {
  std::string out = R"({"method":"subscribe","params":{"channel":")";
  out += channel;
  out += '"';
  if (!symbols.empty()) {
    out += R"(,"symbol":[)";
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      out += symbols[i];
      out += '"';
    }
    out += ']';
  }
  if (depth > 0) out += R"(,"depth":)" + std::to_string(depth);
  out += '}';
  if (req_id > 0) out += R"(,"req_id":)" + std::to_string(req_id);
  out += '}';
  return out;
}

std::string unified_asset(std::string_view venue_asset) {
  std::string_view code = venue_asset;
  if (std::find(std::begin(kPrefixedAssets), std::end(kPrefixedAssets), code) != std::end(kPrefixedAssets)) {
    code.remove_prefix(1);
  }
  if (code == "XBT") return "BTC";
  if (code == "XDG") return "DOGE";
  return std::string(code);
}

std::string unified_symbol(std::string_view venue_symbol) {
  const std::size_t slash = venue_symbol.find('/');
  if (slash == std::string_view::npos) return {};
  return unified_asset(venue_symbol.substr(0, slash)) + "/" + unified_asset(venue_symbol.substr(slash + 1));
}

std::string v2_symbol(std::string_view unified) { return std::string(unified); }

std::string v1_wsname(std::string_view unified) {
  const auto venue = [](std::string_view asset) -> std::string {
    if (asset == "BTC") return "XBT";
    if (asset == "DOGE") return "XDG";
    return std::string(asset);
  };
  const std::size_t slash = unified.find('/');
  if (slash == std::string_view::npos) return {};
  return venue(unified.substr(0, slash)) + "/" + venue(unified.substr(slash + 1));
}

}  // namespace tickguard::feeds::kraken
