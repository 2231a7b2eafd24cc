// Pure parsing of the Coinbase Exchange public WebSocket feed (match/last_match, ticker, level2
// snapshot/l2update, heartbeat, subscriptions, error) and of the REST bodies the connector reads:
// /products (metadata), and /products/{id}/ticker and /products/{id}/trades (the fallback polled
// while the stream is down). No I/O: the feed hands each received frame or body to CoinbaseParser
// and acts on the decoded value.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/order_book.h"
#include "tickguard/event.h"

namespace tickguard::feeds::coinbase {

// Why a frame or body could not be decoded. Errors are values; the parser never throws.
enum class ParseError : std::uint8_t {
  kNone,
  kMalformedJson,  // not JSON, truncated, or not the expected JSON shape
  kMissingField,   // a field the message type requires is absent
  kBadValue,       // a field is present but its value is out of range or unparseable
};

std::string_view to_string(ParseError error);

enum class MessageKind : std::uint8_t {
  kUnknown,        // a valid frame of a type we do not handle (the venue may add types any time)
  kMatch,          // "match" or "last_match": one trade
  kTicker,         // best bid/ask after a match
  kSnapshot,       // full level2 book
  kL2Update,       // level2 changes
  kHeartbeat,      // per-product liveness with sequence and last trade id
  kSubscriptions,  // subscription confirmation (ignored beyond its kind)
  kError,          // the venue reports an error (often just before it disconnects)
};

// "match"/"last_match": one trade, decoded straight into the normalized Trade (price, quantity,
// aggressor side, trade id, exchange time); the feed fills in instrument and receive_time.
// Coinbase reports the MAKER order's side; trade.side is the aggressor's, the opposite one.
struct MatchMessage {
  Trade trade;
  std::uint64_t sequence = 0;
  bool last_match = false;  // the replay of the latest trade sent on subscribe
};

struct TickerMessage {
  std::uint64_t sequence = 0;
  std::uint64_t trade_id = 0;        // 0 when absent
  Side taker_side = Side::kUnknown;  // the ticker reports the taker's side (unlike match)
  double best_bid = 0;
  double best_ask = 0;
  double best_bid_size = 0;  // sizes are only sent by newer feed versions:
  double best_ask_size = 0;  // has_sizes says whether they were present
  bool has_sizes = false;
  Timestamp time{};
  bool has_time = false;
};

struct HeartbeatMessage {
  std::uint64_t sequence = 0;
  std::uint64_t last_trade_id = 0;
  Timestamp time{};
};

// One price level of a snapshot, or one change of an l2update. Size 0 removes the level. The texts
// point into the parser and are valid only until the next parse call.
struct LevelChange {
  BookSide side = BookSide::kBid;
  double price = 0;
  double size = 0;
  std::string_view price_text;
  std::string_view size_text;
};

// "snapshot" (bids and asks, in frame order) or "l2update" (changes in the venue's order).
struct BookMessage {
  std::span<const LevelChange> levels;
  Timestamp time{};  // l2update only
  bool has_time = false;
};

// A decoded frame. Only the member matching `kind` is meaningful. string_views (product_id,
// error texts, level texts) and `book.levels` point into the parser: copy out before the next parse.
struct WsMessage {
  MessageKind kind = MessageKind::kUnknown;
  std::string_view type;        // the raw "type" field
  std::string_view product_id;  // native id, e.g. "BTC-USD"; empty when the message has none
  MatchMessage match;
  TickerMessage ticker;
  HeartbeatMessage heartbeat;
  BookMessage book;
  std::string_view error_message;  // kError: "message"
  std::string_view error_reason;   // kError: "reason", when present
};

// One row of REST GET /products, owned (REST is polled, not on the hot path).
struct Product {
  std::string id;  // native, e.g. "BTC-USD"
  std::string base_currency;
  std::string quote_currency;
  std::string status;  // "online", "offline", "delisted", ...
  bool trading_disabled = false;
  // Tradable now: online and not disabled.
  bool tradable() const { return status == "online" && !trading_disabled; }
};

// REST GET /products/{product_id}/ticker: the last trade (tick), best bid/ask and 24 h volume.
// Only the best bid and ask are required; the venue sends no sizes for them.
struct RestTicker {
  double bid = 0;
  double ask = 0;
  double price = 0;  // last trade price, 0 when absent
  double size = 0;   // last trade size, 0 when absent
  std::uint64_t trade_id = 0;
  Timestamp time{};  // the last trade's time
  bool has_time = false;
};

// Decodes frames. Owns one simdjson on-demand parser and one padded buffer that are reused, so in
// steady state (frames no larger than seen before) parsing does not allocate. Not thread-safe:
// use one per connection thread.
class CoinbaseParser {
 public:
  CoinbaseParser();

  // Parses one WebSocket text frame into `out` (reset first). On success returns kNone and
  // out.kind says what it was; unknown but well-formed types give kUnknown. On error `out` is
  // partially filled and must be ignored. Views in `out` stay valid until the next call.
  ParseError parse(std::string_view frame, WsMessage& out);

  // Parses a REST /products body (a JSON array) into `out` (cleared first). Rows lacking an id
  // or currencies fail the whole body: a partial product list would silently drop symbols.
  ParseError parse_products(std::string_view body, std::vector<Product>& out);

  // Parses a REST /products/{id}/ticker body (one JSON object) into `out` (reset first). Unknown
  // fields (volume, rfq_volume, ...) are skipped.
  ParseError parse_rest_ticker(std::string_view body, RestTicker& out);

  // Parses a REST /products/{id}/trades body (a JSON array, newest first as the venue sends it)
  // into `out` (cleared first), in body order. Each row needs trade_id, price, size, side and time;
  // `side` is the MAKER order's side, so trade.side is the opposite (the aggressor), as for
  // matches. instrument and receive_time are left for the caller. A bad row fails the whole body.
  ParseError parse_rest_trades(std::string_view body, std::vector<Trade>& out);

 private:
  simdjson::padded_string_view pad(std::string_view text);

  simdjson::ondemand::parser parser_;
  std::vector<char> buffer_;
  std::vector<LevelChange> levels_;
};

// The normalized best bid and offer of a ticker message; the caller supplies the instrument and
// receive time. exchange_time stays empty when the venue sent no time (the first ticker after a
// subscription may carry none), so no latency is derived from it.
Ticker to_ticker(const TickerMessage& ticker, InstrumentId instrument, Timestamp receive_time);

// The same for a REST ticker: best bid and ask without sizes (the venue sends none), and the
// venue's time (that of the last trade) as exchange_time when present.
Ticker to_ticker(const RestTicker& ticker, InstrumentId instrument, Timestamp receive_time);

}  // namespace tickguard::feeds::coinbase
