// OKX v5 public WebSocket frames (trades, tickers, books, event acks, "pong") and the REST
// /api/v5/public/instruments body, parsed into plain values. Pure: no I/O, no exceptions; one
// long-lived simdjson on-demand parser and receive buffer per OkxParser (one per connection thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tickguard/event.h"

namespace tickguard::feeds::okx {

// What one WebSocket frame turned out to be.
enum class FrameKind : std::uint8_t {
  kMalformed,   // not valid JSON, or a known channel with missing/invalid fields: see OkxFrame::error
  kPong,        // the literal text "pong" (answer to our "ping")
  kTrades,      // OkxFrame::trades holds one Trade per data entry
  kTickers,     // OkxFrame::tickers holds one OkxTicker per data entry
  kBook,        // OkxFrame::book holds the snapshot or update
  kEvent,       // {"event":"subscribe"|"unsubscribe"|"notice"|...}: nothing to do beyond logging
  kVenueError,  // {"event":"error","code":...,"msg":...}: see OkxFrame::venue_code / venue_message
  kIgnored,     // valid JSON on a channel this parser does not handle (e.g. candle1m)
};

// Best bid/offer plus the last trade price from the "tickers" channel. `ticker.instrument` and
// `ticker.receive_time` are left for the caller to fill. Empty price/size strings read as 0.
struct OkxTicker {
  Ticker ticker;
  double last_price = 0;
};

// One [px, sz, liquidated, orders] entry of a books message. The texts are the venue's exact strings,
// needed for the checksum; they view the parser's buffer (see OkxParser::parse).
struct OkxBookLevel {
  std::string_view price_text;
  std::string_view size_text;
  double price = 0;
  double size = 0;  // 0 removes the level
};

// One "books" message (snapshot or update).
struct OkxBookMessage {
  static constexpr std::int64_t kNoSequence = -1;
  bool snapshot = false;  // action "snapshot" (replace the book) versus "update" (apply deltas)
  std::vector<OkxBookLevel> bids;
  std::vector<OkxBookLevel> asks;
  Timestamp exchange_time{};
  bool has_checksum = false;               // false when the field is absent; a present 0 is reported as 0
  std::int32_t checksum = 0;               // signed CRC-32 of the top 25 levels after applying this message
  std::int64_t seq_id = kNoSequence;       // kNoSequence when the venue did not send it
  std::int64_t prev_seq_id = kNoSequence;  // -1 on snapshots, as the venue sends it
};

// The result of OkxParser::parse. Every string_view points into the parser and stays valid only
// until the next parse() call on the same parser: copy out what must outlive the frame.
struct OkxFrame {
  FrameKind kind = FrameKind::kMalformed;
  std::string_view error;          // kMalformed: a static description of what was wrong
  std::string_view channel;        // arg.channel, e.g. "books"
  std::string_view inst_id;        // arg.instId, the native instrument id, e.g. "BTC-USDT"
  std::string_view event;          // kEvent / kVenueError: the "event" value
  std::string_view venue_code;     // kVenueError: "code", e.g. "60012"
  std::string_view venue_message;  // kVenueError: "msg"
  // Trades carry venue time, price, quantity, side and id; `instrument` and `receive_time` are left
  // for the caller. Reused between frames: no allocation once warmed up.
  std::vector<Trade> trades;
  std::vector<OkxTicker> tickers;
  OkxBookMessage book;
};

// One entry of the instruments REST response (only the fields tickguard uses).
struct OkxInstrument {
  std::string inst_id;    // "BTC-USDT"
  std::string inst_type;  // "SPOT", "SWAP", ...
  std::string base_ccy;   // "BTC"; empty for derivatives
  std::string quote_ccy;  // "USDT"; empty for derivatives
  std::string state;      // "live", "suspend", "preopen", ...
};

// Outcome of parse_instruments.
struct InstrumentsStatus {
  bool ok = false;
  std::string error;  // when !ok: what was wrong, or the venue's code and msg
};

class OkxParser {
 public:
  OkxParser();
  ~OkxParser();
  OkxParser(const OkxParser&) = delete;
  OkxParser& operator=(const OkxParser&) = delete;

  // Parses one WebSocket text frame. Never throws; malformed input yields FrameKind::kMalformed.
  // The returned reference (and every view in it) is valid until the next parse() call.
  const OkxFrame& parse(std::string_view text);

  // Parses one /api/v5/public/instruments response body, appending its entries to `out`. A venue
  // error ("code" other than "0") or malformed body leaves `out` unchanged and returns !ok.
  InstrumentsStatus parse_instruments(std::string_view body, std::vector<OkxInstrument>& out);

  // Parses a REST /api/v5/market/ticker (kTickers) or /api/v5/market/trades (kTrades) body, whose
  // "data" entries have the shape of the WebSocket pushes. Returns a frame of that kind (inst_id
  // left empty), kVenueError when "code" is not "0", or kMalformed. Valid until the next parse.
  const OkxFrame& parse_rest(std::string_view body, FrameKind kind);

 private:
  struct Impl;  // keeps simdjson out of this header
  std::unique_ptr<Impl> impl_;
};

}  // namespace tickguard::feeds::okx
