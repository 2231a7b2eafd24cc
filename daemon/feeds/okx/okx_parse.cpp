#include "feeds/okx/okx_parse.h"

#include <simdjson.h>

#include <cstring>
#include <limits>
#include <utility>

#include "feeds/common/decimal.h"
#include "feeds/common/time_parse.h"

namespace tickguard::feeds::okx {
namespace {

namespace od = simdjson::ondemand;

// Helpers return nullptr on success or a static description of the failure: the frame's `error`.
using Failure = const char*;

Failure read_string(od::value& value, std::string_view& out, Failure failure) {
  return value.get_string().get(out) ? failure : nullptr;
}

Failure read_decimal(od::value& value, double& out, Failure failure) {
  std::string_view text;
  if (value.get_string().get(text)) return failure;
  const auto parsed = parse_decimal(text);
  if (!parsed) return failure;
  out = *parsed;
  return nullptr;
}

// Ticker fields may be empty when one side of the book is empty: read those as 0.
Failure read_optional_decimal(od::value& value, double& out, Failure failure) {
  std::string_view text;
  if (value.get_string().get(text)) return failure;
  if (text.empty()) {
    out = 0;
    return nullptr;
  }
  const auto parsed = parse_decimal(text);
  if (!parsed) return failure;
  out = *parsed;
  return nullptr;
}

Failure read_millis(od::value& value, Timestamp& out, Failure failure) {
  std::string_view text;
  if (value.get_string().get(text)) return failure;
  const auto ms = parse_unsigned(text);
  if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / 1'000'000)) {
    return failure;
  }
  out = from_unix_millis(static_cast<std::int64_t>(*ms));
  return nullptr;
}

Side to_side(std::string_view text) {
  if (text == "buy") return Side::kBuy;
  if (text == "sell") return Side::kSell;
  return Side::kUnknown;
}

Failure parse_trade(od::object object, Trade& trade) {
  bool have_id = false, have_px = false, have_sz = false, have_ts = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return "invalid trade entry";
    Failure failure = nullptr;
    if (key == "tradeId") {
      std::string_view text;
      failure = read_string(field.value(), text, "invalid trade tradeId");
      const auto id = parse_unsigned(text);
      if (!failure && !id) failure = "invalid trade tradeId";
      if (!failure) trade.trade_id = *id;
      have_id = true;
    } else if (key == "px") {
      failure = read_decimal(field.value(), trade.price, "invalid trade px");
      have_px = true;
    } else if (key == "sz") {
      failure = read_decimal(field.value(), trade.quantity, "invalid trade sz");
      have_sz = true;
    } else if (key == "side") {
      std::string_view text;
      failure = read_string(field.value(), text, "invalid trade side");
      trade.side = to_side(text);
    } else if (key == "ts") {
      failure = read_millis(field.value(), trade.exchange_time, "invalid trade ts");
      have_ts = true;
    }
    if (failure) return failure;
  }
  return have_id && have_px && have_sz && have_ts ? nullptr : "trade entry lacks tradeId, px, sz or ts";
}

Failure parse_ticker(od::object object, OkxTicker& out) {
  Ticker& ticker = out.ticker;
  bool have_ts = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return "invalid ticker entry";
    Failure failure = nullptr;
    if (key == "bidPx") {
      failure = read_optional_decimal(field.value(), ticker.bid_price, "invalid ticker bidPx");
    } else if (key == "bidSz") {
      failure = read_optional_decimal(field.value(), ticker.bid_size, "invalid ticker bidSz");
    } else if (key == "askPx") {
      failure = read_optional_decimal(field.value(), ticker.ask_price, "invalid ticker askPx");
    } else if (key == "askSz") {
      failure = read_optional_decimal(field.value(), ticker.ask_size, "invalid ticker askSz");
    } else if (key == "last") {
      failure = read_optional_decimal(field.value(), out.last_price, "invalid ticker last");
    } else if (key == "ts") {
      failure = read_millis(field.value(), ticker.exchange_time, "invalid ticker ts");
      have_ts = true;
    }
    if (failure) return failure;
  }
  return have_ts ? nullptr : "ticker entry lacks ts";
}

// [px, sz, liquidated orders (deprecated), orders]: only the first two matter.
Failure parse_levels(od::value& value, std::vector<OkxBookLevel>& levels) {
  od::array array;
  if (value.get_array().get(array)) return "book side is not an array";
  for (auto entry_result : array) {
    od::array entry;
    if (entry_result.get_array().get(entry)) return "book level is not an array";
    OkxBookLevel level;
    std::size_t index = 0;
    for (auto item_result : entry) {
      od::value item;
      if (item_result.get(item)) return "invalid book level";
      if (index == 0 || index == 1) {
        std::string_view& text = index == 0 ? level.price_text : level.size_text;
        if (item.get_string().get(text)) return "book level price/size is not a string";
        const auto parsed = parse_decimal(text);
        if (!parsed) return "book level price/size is not a decimal";
        (index == 0 ? level.price : level.size) = *parsed;
      }
      ++index;
    }
    if (index < 2) return "book level has fewer than two entries";
    levels.push_back(level);
  }
  return nullptr;
}

Failure read_int64(od::value& value, std::int64_t& out, Failure failure) {
  return value.get_int64().get(out) ? failure : nullptr;
}

Failure parse_book(od::object object, OkxBookMessage& book) {
  bool have_ts = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return "invalid book entry";
    Failure failure = nullptr;
    if (key == "asks") {
      failure = parse_levels(field.value(), book.asks);
    } else if (key == "bids") {
      failure = parse_levels(field.value(), book.bids);
    } else if (key == "ts") {
      failure = read_millis(field.value(), book.exchange_time, "invalid book ts");
      have_ts = true;
    } else if (key == "checksum") {
      std::int64_t checksum = 0;
      failure = read_int64(field.value(), checksum, "invalid book checksum");
      if (!failure && (checksum < std::numeric_limits<std::int32_t>::min() ||
                       checksum > std::numeric_limits<std::int32_t>::max())) {
        failure = "book checksum out of 32-bit range";
      }
      book.checksum = static_cast<std::int32_t>(checksum);
      book.has_checksum = true;
    } else if (key == "seqId") {
      failure = read_int64(field.value(), book.seq_id, "invalid book seqId");
    } else if (key == "prevSeqId") {
      failure = read_int64(field.value(), book.prev_seq_id, "invalid book prevSeqId");
    }
    if (failure) return failure;
  }
  return have_ts ? nullptr : "book entry lacks ts";
}

// True when the whole document has been consumed (nothing follows the root value).
bool at_end(od::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::OUT_OF_BOUNDS;
}

enum class Channel : std::uint8_t { kUnknown, kTrades, kTickers, kBooks };

Channel to_channel(std::string_view name) {
  if (name == "trades") return Channel::kTrades;
  if (name == "tickers") return Channel::kTickers;
  if (name == "books") return Channel::kBooks;
  return Channel::kUnknown;
}

Failure parse_arg(od::value& value, OkxFrame& frame) {
  od::object object;
  if (value.get_object().get(object)) return "arg is not an object";
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return "invalid arg";
    Failure failure = nullptr;
    if (key == "channel") {
      failure = read_string(field.value(), frame.channel, "invalid arg.channel");
    } else if (key == "instId") {
      failure = read_string(field.value(), frame.inst_id, "invalid arg.instId");
    }
    if (failure) return failure;
  }
  return nullptr;
}

// Parses the "data" array of a trades, tickers or books push into `frame`.
Failure parse_data(od::value& value, Channel channel, OkxFrame& frame) {
  od::array array;
  if (value.get_array().get(array)) return "data is not an array";
  std::size_t count = 0;
  for (auto entry_result : array) {
    od::object object;
    if (entry_result.get_object().get(object)) return "data entry is not an object";
    Failure failure = nullptr;
    switch (channel) {
      case Channel::kTrades:
        failure = parse_trade(object, frame.trades.emplace_back());
        break;
      case Channel::kTickers:
        failure = parse_ticker(object, frame.tickers.emplace_back());
        break;
      case Channel::kBooks:
        // The books channel pushes one entry per message; a second one has no defined meaning.
        failure = count == 0 ? parse_book(object, frame.book) : "books data holds more than one entry";
        break;
      case Channel::kUnknown:
        break;
    }
    if (failure) return failure;
    ++count;
  }
  if (channel == Channel::kBooks && count == 0) return "books data is empty";
  return nullptr;
}

void reset(OkxFrame& frame) {
  frame.kind = FrameKind::kMalformed;
  frame.error = {};
  frame.channel = {};
  frame.inst_id = {};
  frame.event = {};
  frame.venue_code = {};
  frame.venue_message = {};
  frame.trades.clear();
  frame.tickers.clear();
  frame.book.snapshot = false;
  frame.book.bids.clear();
  frame.book.asks.clear();
  frame.book.exchange_time = {};
  frame.book.has_checksum = false;
  frame.book.checksum = 0;
  frame.book.seq_id = OkxBookMessage::kNoSequence;
  frame.book.prev_seq_id = OkxBookMessage::kNoSequence;
}

}  // namespace

struct OkxParser::Impl {
  od::parser parser;
  std::vector<char> buffer;  // grows to the largest frame seen, then is reused
  OkxFrame frame;

  // Copies `text` into the padded buffer and starts an on-demand document over it.
  simdjson::error_code start(std::string_view text, od::document& doc) {
    const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
    if (buffer.size() < needed) buffer.resize(needed);
    std::memcpy(buffer.data(), text.data(), text.size());
    std::memset(buffer.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    return parser.iterate(buffer.data(), text.size(), buffer.size()).get(doc);
  }

  Failure parse_frame(std::string_view text);
};

Failure OkxParser::Impl::parse_frame(std::string_view text) {
  od::document doc;
  if (start(text, doc)) return "not JSON";
  od::object root;
  if (doc.get_object().get(root)) return "not a JSON object";
  Channel channel = Channel::kUnknown;
  std::string_view action;
  bool has_data = false, data_parsed = false, has_arg = false;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return "invalid JSON object";
    Failure failure = nullptr;
    if (key == "arg") {
      failure = parse_arg(field.value(), frame);
      channel = to_channel(frame.channel);
      has_arg = true;
    } else if (key == "action") {
      failure = read_string(field.value(), action, "invalid action");
    } else if (key == "event") {
      failure = read_string(field.value(), frame.event, "invalid event");
    } else if (key == "code") {
      // Event errors send code as a string; tolerate a number as well.
      od::value value = field.value();
      if (value.get_string().get(frame.venue_code)) {
        frame.venue_code = value.raw_json_token();
      }
    } else if (key == "msg") {
      failure = read_string(field.value(), frame.venue_message, "invalid msg");
    } else if (key == "data") {
      has_data = true;
      if (has_arg && channel != Channel::kUnknown) {
        failure = parse_data(field.value(), channel, frame);
        data_parsed = true;
      }
    }
    if (failure) return failure;
  }
  if (!at_end(doc)) return "trailing content after the JSON object";

  if (!frame.event.empty()) {
    frame.kind = frame.event == "error" ? FrameKind::kVenueError : FrameKind::kEvent;
    return nullptr;
  }
  if (!has_arg || !has_data) return "neither an event nor a channel push";
  if (channel == Channel::kUnknown) {
    frame.kind = FrameKind::kIgnored;
    return nullptr;
  }
  if (!data_parsed) {
    // "data" came before "arg": go back for it (rare; the venue sends arg first).
    doc.rewind();
    od::value data;
    if (doc.find_field_unordered("data").get(data)) return "invalid data";
    if (Failure failure = parse_data(data, channel, frame)) return failure;
  }
  if (frame.inst_id.empty()) return "arg lacks instId";
  switch (channel) {
    case Channel::kTrades:
      frame.kind = FrameKind::kTrades;
      break;
    case Channel::kTickers:
      frame.kind = FrameKind::kTickers;
      break;
    case Channel::kBooks:
      if (action == "snapshot") {
        frame.book.snapshot = true;
      } else if (action != "update") {
        return "books push lacks action snapshot/update";
      }
      frame.kind = FrameKind::kBook;
      break;
    case Channel::kUnknown:
      break;
  }
  return nullptr;
}

OkxParser::OkxParser() : impl_(std::make_unique<Impl>()) {}
OkxParser::~OkxParser() = default;

const OkxFrame& OkxParser::parse(std::string_view text) {
  OkxFrame& frame = impl_->frame;
  reset(frame);
  if (text == "pong") {
    frame.kind = FrameKind::kPong;
    return frame;
  }
  if (Failure failure = impl_->parse_frame(text)) {
    reset(frame);
    frame.kind = FrameKind::kMalformed;
    frame.error = failure;
  }
  return frame;
}

namespace {

Failure parse_instrument(od::object object, OkxInstrument& out) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return "invalid instrument entry";
    std::string* target = nullptr;
    if (key == "instId") {
      target = &out.inst_id;
    } else if (key == "instType") {
      target = &out.inst_type;
    } else if (key == "baseCcy") {
      target = &out.base_ccy;
    } else if (key == "quoteCcy") {
      target = &out.quote_ccy;
    } else if (key == "state") {
      target = &out.state;
    }
    if (!target) continue;
    std::string_view text;
    if (field.value().get_string().get(text)) return "instrument field is not a string";
    target->assign(text);
  }
  return out.inst_id.empty() ? "instrument entry lacks instId" : nullptr;
}

}  // namespace

InstrumentsStatus OkxParser::parse_instruments(std::string_view body, std::vector<OkxInstrument>& out) {
  const std::size_t original_size = out.size();
  const auto fail = [&](std::string error) {
    out.resize(original_size);
    return InstrumentsStatus{false, std::move(error)};
  };
  od::document doc;
  if (impl_->start(body, doc)) return fail("instruments body is not JSON");
  od::object root;
  if (doc.get_object().get(root)) return fail("instruments body is not a JSON object");
  std::string_view code, message;
  bool has_data = false;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return fail("invalid instruments body");
    if (key == "code") {
      if (field.value().get_string().get(code)) return fail("invalid instruments code");
    } else if (key == "msg") {
      if (field.value().get_string().get(message)) return fail("invalid instruments msg");
    } else if (key == "data") {
      od::array array;
      if (field.value().get_array().get(array)) return fail("instruments data is not an array");
      for (auto entry_result : array) {
        od::object object;
        if (entry_result.get_object().get(object)) return fail("instrument entry is not an object");
        if (Failure failure = parse_instrument(object, out.emplace_back())) return fail(failure);
      }
      has_data = true;
    }
  }
  if (!at_end(doc)) return fail("trailing content after the instruments body");
  if (code != "0") return fail("venue error " + std::string(code) + ": " + std::string(message));
  if (!has_data) return fail("instruments body lacks data");
  return InstrumentsStatus{true, {}};
}

}  // namespace tickguard::feeds::okx

namespace tickguard::feeds::okx {

const OkxFrame& OkxParser::parse_rest(std::string_view body, FrameKind kind) {
  OkxFrame& frame = impl_->frame;
  reset(frame);
  const Channel channel = kind == FrameKind::kTrades ? Channel::kTrades : Channel::kTickers;
  const auto fail = [&frame](Failure failure) -> const OkxFrame& {
    reset(frame);
    frame.kind = FrameKind::kMalformed;
    frame.error = failure;
    return frame;
  };
  if (kind != FrameKind::kTrades && kind != FrameKind::kTickers) return fail("not a REST market kind");
  od::document doc;
  if (impl_->start(body, doc)) return fail("REST body is not JSON");
  od::object root;
  if (doc.get_object().get(root)) return fail("REST body is not a JSON object");
  bool has_data = false;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key))
      return fail("invalid REST body");
    Failure failure = nullptr;
    if (key == "code") {
      failure = read_string(field.value(), frame.venue_code, "invalid code");
    } else if (key == "msg") {
      failure = read_string(field.value(), frame.venue_message, "invalid msg");
    } else if (key == "data") {
      failure = parse_data(field.value(), channel, frame);
      has_data = true;
    }
    if (failure) return fail(failure);
  }
  if (!at_end(doc)) return fail("trailing content after the REST body");
  if (frame.venue_code != "0") {
    frame.kind = FrameKind::kVenueError;
    return frame;
  }
  if (!has_data) return fail("REST body lacks data");
  frame.kind = kind;
  return frame;
}

}  // namespace tickguard::feeds::okx
