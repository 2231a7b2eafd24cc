// Binance spot message parsing: WebSocket market-stream frames and the REST bodies the connector needs
// (depth snapshot, exchangeInfo, and the REST fallback's bookTicker and aggTrades). Pure functions of the
// text: no I/O, no clock; receive times and instrument ids are left at their defaults for the connector to
// fill in.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tickguard/event.h"

namespace tickguard::feeds::binance {

// One price level as Binance sends it: ["price", "quantity"]. Texts point into the parser and are
// valid until its next parse call; quantity 0 means "remove this level".
struct DepthLevel {
  std::string_view price_text;
  std::string_view size_text;
  double price = 0;
  double size = 0;
};

// A diff-depth event (`<symbol>@depth` / `@depth@100ms`, event type "depthUpdate").
struct DepthUpdate {
  Timestamp event_time{};              // E
  std::uint64_t first_update_id = 0;   // U
  std::uint64_t final_update_id = 0;   // u
  std::span<const DepthLevel> bids{};  // b, absolute sizes
  std::span<const DepthLevel> asks{};  // a
};

// A REST GET /api/v3/depth body.
struct DepthSnapshotMessage {
  std::uint64_t last_update_id = 0;
  std::span<const DepthLevel> bids{};
  std::span<const DepthLevel> asks{};
};

// One entry of GET /api/v3/exchangeInfo "symbols".
struct SymbolInfo {
  std::string native;  // "BTCUSDT"
  std::string base_asset;
  std::string quote_asset;
  std::string status;  // "TRADING", "BREAK", ...
};

// A REST GET /api/v3/ticker/bookTicker?symbol= body: the best bid and ask of one symbol. The venue
// sends no time, so ticker.exchange_time stays 0 (like the bookTicker stream's).
struct BookTickerMessage {
  std::string_view symbol;  // as sent ("BTCUSDT"); valid until the parser's next parse call
  Ticker ticker;
};

enum class MessageKind : std::uint8_t {
  kTrade,           // "trade" or "aggTrade" -> trade
  kTicker,          // bookTicker -> ticker (+ book_update_id)
  kDepthUpdate,     // "depthUpdate" -> depth
  kKline,           // "kline" -> candle (+ candle_closed)
  kIgnored,         // subscription acks and event types we do not consume; reason says which
  kServerShutdown,  // "serverShutdown": the venue is about to close the connection
  kVenueError,      // an error reply ({"code":..,"msg":..} or {"error":{..},"id":..}): venue_code/message
  kError,           // malformed JSON, wrong types or missing fields; reason says why
};

// The result of one WebSocket frame. Only the member matching `kind` is meaningful. Views (symbol,
// depth levels) point into the parser and are valid until its next parse call.
struct StreamMessage {
  MessageKind kind = MessageKind::kError;
  std::string_view reason;  // static text for kIgnored / kVenueError / kError, empty otherwise
  std::string_view symbol;  // native symbol as sent ("BTCUSDT"); empty for acks and most errors
  Trade trade;
  Ticker ticker;                     // exchange_time is left at 0: bookTicker carries no time
  std::uint64_t book_update_id = 0;  // bookTicker "u"
  DepthUpdate depth;
  Candle candle;                   // open_time = k.t, interval = k.T - k.t + 1 ms
  bool candle_closed = false;      // k.x: the connector decides whether to emit open (partial) bars
  std::int64_t venue_code = 0;     // kVenueError: the venue's error code (0 when it sent none)
  std::string_view venue_message;  // kVenueError: the venue's explanation (may be empty)
};

// Result of a REST parse: ok, or a static reason.
struct ParseStatus {
  bool ok = false;
  std::string_view reason;
};

// Owns one simdjson on-demand parser and one padded input buffer, both reused across calls: after the
// largest message has been seen, parsing does not allocate (exchangeInfo excepted, which builds
// strings). Not thread-safe; use one per connection thread. Never throws.
class BinanceParser {
 public:
  BinanceParser();

  // Parses one WebSocket text frame, either a combined-stream envelope {"stream":..,"data":{..}} or a
  // raw stream payload. The returned reference stays valid (and is overwritten) until the next call.
  const StreamMessage& parse_stream(std::string_view frame);

  // Parses a GET /api/v3/depth body into `out` (level views valid until the next parse call).
  ParseStatus parse_depth_snapshot(std::string_view body, DepthSnapshotMessage& out);

  // Parses a GET /api/v3/exchangeInfo body, replacing `out` with every listed symbol.
  ParseStatus parse_exchange_info(std::string_view body, std::vector<SymbolInfo>& out);

  // Parses a GET /api/v3/ticker/bookTicker?symbol= body (one object, not the all-symbols array).
  ParseStatus parse_book_ticker(std::string_view body, BookTickerMessage& out);

  // Parses a GET /api/v3/aggTrades body (oldest first, as the venue sends it) into `out`: trade_id is
  // the aggregate trade id "a" (the id the aggTrade stream carries), exchange_time "T", side from
  // "m". The span points into the parser and is valid until its next parse call; on failure it is
  // left empty. Allocates only when a body holds more trades than any before it.
  ParseStatus parse_agg_trades(std::string_view body, std::span<const Trade>& out);

  // Bytes currently reserved for the padded copy of the input (grows only for a larger message).
  std::size_t buffer_capacity() const { return buffer_.size(); }

 private:
  // Copies `text` into the padded buffer and starts iterating it.
  simdjson::error_code load(std::string_view text, simdjson::ondemand::document& doc);

  simdjson::ondemand::parser parser_;
  std::vector<char> buffer_;
  std::vector<DepthLevel> bids_;
  std::vector<DepthLevel> asks_;
  std::vector<Trade> trades_;
  StreamMessage message_;
};

}  // namespace tickguard::feeds::binance
