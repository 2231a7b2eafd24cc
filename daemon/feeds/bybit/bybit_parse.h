// Pure parsers for Bybit v5 spot market data: WebSocket public frames (publicTrade, tickers,
// orderbook, op replies) and the REST market endpoints the feed needs (instruments-info, orderbook,
// tickers, recent-trade). No I/O. Field names and meanings follow Bybit's v5 documentation.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tickguard/event.h"

namespace tickguard::feeds::bybit {

// Why a payload could not be turned into a message. Values, never exceptions.
enum class ParseStatus : std::uint8_t {
  kOk,
  kMalformedJson,     // not JSON, truncated, or a value of the wrong JSON type
  kMissingField,      // a field the documentation marks as always present is absent
  kBadValue,          // a field is present but its text is not a valid number / side / id
  kUnsupportedTopic,  // a topic this parser does not handle (e.g. kline.*)
  kVenueError,        // REST reply with retCode != 0
};
std::string_view to_string(ParseStatus status);

// What a WebSocket frame was. Only the member of BybitMessage named by the kind is filled in.
enum class MessageKind : std::uint8_t {
  kIgnored,       // an op reply we do not act on (e.g. auth), or a data-less frame
  kPong,          // reply to our {"op":"ping"}
  kSubscribed,    // subscribe/unsubscribe succeeded
  kOpError,       // an op failed: BybitMessage::op_message holds Bybit's ret_msg
  kTrades,        // publicTrade.{symbol}
  kTicker,        // tickers.{symbol}
  kBookSnapshot,  // orderbook.{depth}.{symbol} with type "snapshot"
  kBookDelta,     // orderbook.{depth}.{symbol} with type "delta"
};

// A tickers.{symbol} snapshot. Bybit's v5 spot WebSocket ticker carries only lastPrice and 24h
// statistics (highPrice24h, lowPrice24h, prevPrice24h, volume24h, turnover24h, price24hPcnt,
// usdIndexPrice); best bid/ask (bid1Price, bid1Size, ask1Price, ask1Size) appear in the linear
// WebSocket ticker and in the REST /v5/market/tickers reply. has_best_bid_offer says which one we got.
struct TickerUpdate {
  Timestamp exchange_time{};  // message `ts` (REST: top-level `time`)
  bool has_best_bid_offer = false;
  double bid_price = 0;
  double bid_size = 0;
  double ask_price = 0;
  double ask_size = 0;
  bool has_last_price = false;
  double last_price = 0;
};

// An orderbook snapshot or delta: absolute sizes per price; size 0 removes the level.
struct BookUpdate {
  bool snapshot = false;
  std::uint64_t update_id = 0;  // `u`: consecutive within a stream; 1 after a Bybit service restart
  std::uint64_t sequence = 0;   // `seq`: cross sequence (orders books across streams, not gapless)
  Timestamp exchange_time{};    // `ts`
  std::vector<BookLevel> bids;  // as sent (snapshot: best first)
  std::vector<BookLevel> asks;
};

// One parsed WebSocket frame. Reuse one instance per connection: vectors and strings keep their
// capacity, so steady-state parsing does not allocate.
struct BybitMessage {
  MessageKind kind = MessageKind::kIgnored;
  std::string symbol;      // venue symbol ("BTCUSDT") for data frames
  std::string op_message;  // ret_msg for kOpError
  // publicTrade data, parsed straight into tickguard::Trade: exchange_time (`T`, when the trade
  // was matched), price, quantity, taker side and trade_id; instrument and receive_time are left to
  // the feed. Bybit's string trade id `i` goes through trade_id_from_text(). The block-trade flag
  // `BT` is type-checked but not kept: a block trade is still a trade.
  std::vector<Trade> trades;
  TickerUpdate ticker;
  BookUpdate book;
};

// One row of REST /v5/market/instruments-info?category=spot.
struct InstrumentInfo {
  std::string symbol;  // "BTCUSDT"
  std::string base_coin;
  std::string quote_coin;
  std::string status;  // "Trading" for tradable spot pairs
};

// One page of instruments-info; next_page_cursor is empty on the last page.
struct InstrumentsPage {
  std::vector<InstrumentInfo> instruments;
  std::string next_page_cursor;
};

// REST /v5/market/orderbook?category=spot: always a snapshot.
struct RestOrderBook {
  std::string symbol;  // `s`
  BookUpdate book;
};

// One row of REST /v5/market/tickers?category=spot.
struct RestTicker {
  std::string symbol;
  TickerUpdate ticker;
};

// REST /v5/market/recent-trade?category=spot: the symbol of the request plus its trades, in the
// venue's order (the documentation states none; see sort_oldest_first).
struct RestTrades {
  std::string symbol;
  // publicTrade data, parsed straight into tickguard::Trade: exchange_time (`T`, when the trade
  // was matched), price, quantity, taker side and trade_id; instrument and receive_time are left to
  // the feed. Bybit's string trade id `i` goes through trade_id_from_text(). The block-trade flag
  // `BT` is type-checked but not kept: a block trade is still a trade.
  std::vector<Trade> trades;
};

// The 64-bit trade id for Bybit's string id: decimal ids that fit in 64 bits are returned as their
// value; any other text is hashed with 64-bit FNV-1a over its bytes, which is stable across runs,
// hosts and builds (a collision only makes two trade ids equal; trade ids are used for de-duplication
// and display, never for book state).
std::uint64_t trade_id_from_text(std::string_view text);

// Turns Bybit payloads into plain structs. Owns one simdjson on-demand parser and one padded
// buffer that grows to the largest payload seen; not thread-safe (one per connection thread).
// On any status other than kOk the output is left in an unspecified but valid state.
class BybitParser {
 public:
  BybitParser();

  // Parses one WebSocket text frame from wss://stream.bybit.com/v5/public/spot.
  ParseStatus parse_ws(std::string_view frame, BybitMessage& out);

  // REST bodies. On retCode != 0 they return kVenueError.
  ParseStatus parse_instruments(std::string_view body, InstrumentsPage& out);
  ParseStatus parse_rest_orderbook(std::string_view body, RestOrderBook& out);
  ParseStatus parse_rest_tickers(std::string_view body, std::vector<RestTicker>& out);
  ParseStatus parse_rest_trades(std::string_view body, RestTrades& out);

 private:
  // Copies text into the padded buffer and starts a document over it.
  simdjson::error_code load(std::string_view text, simdjson::ondemand::document& doc);

  simdjson::ondemand::parser parser_;
  std::vector<char> buffer_;
};

// Puts REST trades in the order they happened, oldest first, so that the last one emitted is the
// latest price: a newest-first list is reversed first, then trades are stably sorted by exchange
// time, so trades of the same millisecond keep their order of execution either way.
void sort_oldest_first(std::vector<Trade>& trades);

// The normalized Ticker of a parsed ticker (instrument ids are assigned by the pipeline).
// False (and `out` untouched) when the ticker carries no best bid/offer (Bybit spot WebSocket).
bool to_ticker(const TickerUpdate& update, InstrumentId instrument, Timestamp receive_time, Ticker& out);

}  // namespace tickguard::feeds::bybit
