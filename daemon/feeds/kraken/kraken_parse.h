// Kraken spot, pure parsing: WebSocket v2 frames (trade, ticker, book, status, acks), the recorded
// WebSocket v1 book frames, and the REST AssetPairs, Ticker and Trades bodies (the last two for the
// REST fallback); plus the venue's asset and symbol naming.
// No I/O here: the feed hands frames in and reads typed views out.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tickguard/event.h"

namespace tickguard::feeds::kraken {

// What one frame was. Ignored kinds carry no data; kError carries error_text.
enum class KrakenMessageKind : std::uint8_t {
  kInvalid,       // could not be parsed: see KrakenParseError
  kTrade,         // trades()
  kTicker,        // tickers()
  kBookSnapshot,  // books(), each with snapshot == true
  kBookUpdate,    // books()
  kHeartbeat,
  kStatus,  // system status ("online", "maintenance", ...): status_text()
  kAck,     // a successful method response (subscribe, unsubscribe, ping/pong)
  kError,   // the venue reported an error: error_text()
  kOther,   // well-formed but of a channel this parser does not model (e.g. instrument)
};

enum class KrakenParseError : std::uint8_t {
  kNone,
  kMalformedJson,    // not JSON, or truncated
  kUnexpectedShape,  // JSON, but a required field is missing or of the wrong type
  kBadNumber,        // a price / quantity / id that is not a finite number
  kBadTimestamp,
};

// A short fixed label for an error ("malformed_json", ...), for logs.
const char* parse_error_name(KrakenParseError error);

// One book level. The texts are the number exactly as the venue wrote it (v2: the raw JSON number
// token; v1: the string's content), needed for the checksum. Views into the parser: valid until
// the next parse call.
struct KrakenLevel {
  double price = 0;
  double qty = 0;
  std::string_view price_text;
  std::string_view qty_text;
};

// One symbol's book message: a full snapshot or a batch of level updates (qty 0 removes).
struct KrakenBook {
  std::string_view symbol;  // as the venue wrote it ("BTC/USD" in v2, "XBT/USD" in v1)
  bool snapshot = false;
  std::span<const KrakenLevel> bids;  // in wire order
  std::span<const KrakenLevel> asks;
  std::optional<std::uint32_t> checksum;  // v1 snapshots carry none
  std::optional<Timestamp> exchange_time;
};

struct KrakenTrade {
  std::string_view symbol;
  Side side = Side::kUnknown;
  double price = 0;
  double qty = 0;
  std::uint64_t trade_id = 0;
  Timestamp exchange_time{};
};

struct KrakenTicker {
  std::string_view symbol;
  double bid = 0;
  double bid_qty = 0;
  double ask = 0;
  double ask_qty = 0;
  double last = 0;
  std::optional<Timestamp> exchange_time;  // only present on newer v2 ticker messages
};

// One entry of REST /0/public/AssetPairs.
struct KrakenAssetPair {
  std::string key;        // the result key, e.g. "XXBTZUSD"
  std::string altname;    // "XBTUSD"
  std::string wsname;     // "XBT/USD" (the v1 WebSocket name)
  std::string base;       // "XXBT" (venue asset code)
  std::string quote;      // "ZUSD"
  int pair_decimals = 0;  // price precision
  int lot_decimals = 0;   // quantity precision
  std::string status;     // "online", "cancel_only", ...; empty when the body has none (older API)
  std::string unified_symbol() const;  // "BTC/USD"
};

// Result of parsing REST AssetPairs. error is kNone on success; venue_errors holds the body's
// "error" array (non-empty means the request failed at the venue).
struct KrakenAssetPairs {
  KrakenParseError error = KrakenParseError::kNone;
  std::vector<std::string> venue_errors;
  std::vector<KrakenAssetPair> pairs;
  // The pair whose unified symbol is `unified` ("BTC/USD"), or nullptr.
  const KrakenAssetPair* find_unified(std::string_view unified) const;
};

// Parses Kraken frames with one long-lived simdjson parser and a reusable padded buffer. After
// warm-up (the largest frame seen) no call allocates. Not thread-safe: one per connection.
// Every view returned points into this object and is valid until the next parse call.
class KrakenParser {
 public:
  KrakenParser();

  // Parses one WebSocket v2 frame. Returns the kind; on kInvalid, error() says why. Never throws.
  KrakenMessageKind parse(std::string_view frame);
  // Parses one recorded WebSocket v1 book frame ([id, {"as","bs"}|{"a"},{"b","c"}, "book-N", pair])
  // into books(); v1 heartbeats and event objects come back as kHeartbeat / kStatus / kAck / kError.
  KrakenMessageKind parse_v1_book(std::string_view frame);

  KrakenParseError error() const { return error_; }
  std::span<const KrakenTrade> trades() const { return trades_; }
  std::span<const KrakenTicker> tickers() const { return tickers_; }
  std::span<const KrakenBook> books() const { return books_; }
  std::string_view error_text() const { return error_text_; }    // for kError
  std::string_view status_text() const { return status_text_; }  // for kStatus
  // For channel frames: the frame's type was "snapshot" (a trade snapshot repeats past trades).
  bool snapshot() const { return snapshot_; }
  // For kAck / kError: the req_id the client sent with the request, when the response echoes one.
  std::optional<std::uint64_t> req_id() const { return req_id_; }

 private:
  simdjson::ondemand::document& load(std::string_view frame, simdjson::error_code& code);
  KrakenMessageKind fail(KrakenParseError error);
  KrakenMessageKind parse_channel(std::string_view channel, std::string_view type,
                                  simdjson::ondemand::array data);
  KrakenParseError parse_trade(simdjson::ondemand::object item);
  KrakenParseError parse_ticker(simdjson::ondemand::object item);
  KrakenParseError parse_book(simdjson::ondemand::object item, bool snapshot);
  KrakenParseError parse_levels(simdjson::ondemand::array levels, std::size_t& begin, std::size_t& count);
  KrakenParseError parse_v1_levels(simdjson::ondemand::array levels, std::size_t& begin, std::size_t& count);
  void finish_books();
  void clear();

  struct BookRanges {
    std::size_t bid_begin = 0, bid_count = 0, ask_begin = 0, ask_count = 0;
  };

  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document document_;
  std::vector<char> buffer_;  // frame copy + SIMDJSON_PADDING
  KrakenParseError error_ = KrakenParseError::kNone;
  std::vector<KrakenTrade> trades_;
  std::vector<KrakenTicker> tickers_;
  std::vector<KrakenBook> books_;
  std::vector<BookRanges> ranges_;
  std::vector<KrakenLevel> levels_;
  std::string_view error_text_;
  std::string_view status_text_;
  bool snapshot_ = false;
  std::optional<std::uint64_t> req_id_;
};

// Parses a REST AssetPairs body. Allocates (runs once per connection, off the hot path).
KrakenAssetPairs parse_asset_pairs(std::string_view body);

// REST /0/public/Ticker?pair=KEY: {"error":[],"result":{"XXMRZUSD":{"a":[price, whole lot volume,
// lot volume],"b":[...],"c":[last price, lot volume],"v",...}}}. `ticker` holds the best bid/ask
// (sizes from the lot volume) and the last trade price; the body has no time, so exchange_time is
// unset and its symbol is empty (the caller knows which pair it asked for).
struct KrakenRestTicker {
  KrakenParseError error = KrakenParseError::kNone;
  std::vector<std::string> venue_errors;  // the body's "error" array: non-empty means refused
  KrakenTicker ticker;
};

// REST /0/public/Trades?pair=KEY&count=N: {"error":[],"result":{"XXMRZUSD":[[price, volume, time,
// "b"|"s", "m"|"l", misc, trade_id], ...],"last":"<nanosecond cursor>"}}, oldest trade first. The
// time (epoch seconds as a JSON number, up to 9 decimals) is parsed exactly from its text; the
// trade id is absent from older answers (0 then). Symbols are empty.
struct KrakenRestTrades {
  KrakenParseError error = KrakenParseError::kNone;
  std::vector<std::string> venue_errors;
  std::vector<KrakenTrade> trades;  // in the venue's order
  std::string last;                 // the "last" cursor (for a later since=)
};

// Parse those bodies, reading the result entry named `pair` (the key the request named); a result
// holding a single entry under another name is read too (the venue keys it by its canonical name).
// A venue error leaves the data empty and error kNone. Allocate (polling only, off the hot path);
// never throw.
KrakenRestTicker parse_rest_ticker(std::string_view body, std::string_view pair);
KrakenRestTrades parse_rest_trades(std::string_view body, std::string_view pair);

// One pair of the v2 `instrument` channel: the precisions the book checksum is formed with.
struct KrakenInstrumentPair {
  std::string symbol;  // v2 symbol, "BTC/USD"
  std::string base;
  std::string quote;
  std::string status;  // "online", "cancel_only", "post_only", "limit_only", "reduce_only", ...
  int price_precision = 0;
  int qty_precision = 0;
};

struct KrakenInstruments {
  KrakenParseError error = KrakenParseError::kNone;
  bool snapshot = false;
  std::vector<KrakenInstrumentPair> pairs;
};

// Parses a v2 `instrument` channel frame (snapshot or update; assets are skipped). Allocates: the
// feed calls it only when KrakenParser::parse returned kOther for channel "instrument".
KrakenInstruments parse_instruments(std::string_view frame);

// Normalized events from parsed messages; the caller resolves the symbol to an InstrumentId.
Trade to_trade(const KrakenTrade& trade, InstrumentId instrument, Timestamp receive_time);
Ticker to_ticker(const KrakenTicker& ticker, InstrumentId instrument, Timestamp receive_time);

// The v2 subscribe request for `channel` ("trade", "ticker", "book", "instrument") and v2 symbols,
// e.g. {"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":1}.
// depth is sent only when non-zero (book: 10, 25, 100, 500 or 1000); symbols are omitted when empty
// (instrument). Symbols are venue names (letters, digits, '/'), written without escaping.
std::string v2_subscribe_request(std::string_view channel, std::span<const std::string> symbols,
                                 int depth = 0, std::uint64_t req_id = 0);

// Venue asset code to the unified code: legacy X/Z-prefixed codes lose the prefix ("XXBT",
// "ZUSD"), and Kraken's own names become the common ones (XBT -> BTC, XDG -> DOGE).
std::string unified_asset(std::string_view venue_asset);
// "XBT/USD", "XXBTZUSD"-style wsname or v2 "BTC/USD" -> "BTC/USD". Empty when there is no '/'.
std::string unified_symbol(std::string_view venue_symbol);
// Unified "BTC/USD" -> the v2 WebSocket symbol. v2 uses the common asset names, so this is the
// same text; kept as a function so the feed never assumes it.
std::string v2_symbol(std::string_view unified);
// Unified "BTC/USD" -> the v1 WebSocket / AssetPairs wsname ("XBT/USD"; DOGE -> XDG).
std::string v1_wsname(std::string_view unified);

}  // namespace tickguard::feeds::kraken
