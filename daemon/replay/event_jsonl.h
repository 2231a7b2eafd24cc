// Recorded normalized events as JSON Lines: what `tickguard simulate` writes and `tickguard replay`
// reads. One object per line, mirroring tickguard/event.h:
//   {"type":"trade","exchange":"simex","symbol":"BTC/USDT","time":1700000000123000000,
//    "price":60001.5,"quantity":0.05,"side":"buy","trade_id":17,"label":""}
//   {"type":"ticker",...,"bid":60001.0,"bid_size":1.2,"ask":60002.0,"ask_size":0.8}
//   {"type":"book",...,"sequence":0,"bids":[[60001.0,1.2],...],"asks":[[60002.0,0.8],...]}
// `time` (the venue time) is a JSON integer of Unix epoch milliseconds (below 10^15) or nanoseconds
// (10^15 and above), or an RFC 3339 string; `receive_time` (same forms) defaults to `time`. Optional:
// `label` (a string), `side` ("buy"/"sell"), `trade_id`, the sizes, `sequence`; books keep their 10
// best levels per side, best first. Unknown keys are ignored.
#pragma once

#include <simdjson.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tickguard/event.h"

namespace tickguard::replay {

// One decoded line. Strings are copies: valid after the parser moves on.
struct RecordedEvent {
  std::string exchange;
  std::string symbol;
  std::string time_text;  // `time` as written in the line (digits, or the string's content)
  bool has_label = false;
  std::string label;
  MarketEvent event;
};

// Decodes event lines with one reused simdjson parser and padded buffer. Not thread-safe.
class EventLineParser {
 public:
  // Decodes `line` into `out`; false with `error` set (a static text or one naming the field) when the
  // line is not a valid event.
  bool parse(std::string_view line, RecordedEvent& out, std::string& error);

 private:
  simdjson::ondemand::parser parser_;
  std::vector<char> buffer_;
};

// Writes `event` of `instrument` as one line (with its trailing '\n'); times as epoch nanoseconds.
// `label` is always written (empty when none).
void write_event_line(std::ostream& out, const Instrument& instrument, const MarketEvent& event,
                      std::string_view label);

}  // namespace tickguard::replay
