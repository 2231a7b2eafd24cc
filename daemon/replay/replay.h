// `tickguard replay`: runs recorded data through the same detectors, alert gates and ensemble as
// the daemon (core/instrument_state.h), offline and as fast as the CPU allows.
//
// Inputs: CSV (below), recorded normalized events (event_jsonl.h) or raw venue messages
// (venue_messages.h). Every event goes through one dispatch, which keeps one InstrumentState per
// (exchange, symbol).
//
// CSV input: a header row. A `timestamp` column (Unix seconds or milliseconds, possibly
// fractional; "YYYY-MM-DD HH:MM:SS[.fff]" in UTC; or ISO-8601/RFC 3339) and either `price` (with
// optional `volume`, `side`, `bid`, `ask`) or `value` (any positive univariate series, replayed as
// the price of unit-size trades). An optional `label` column is copied to the output.
// Output: CSV, one row per input row: timestamp (as given), score (the ensemble), one
// score_<detector> column per enabled detector, then label when the input has one.
#pragma once

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/options.h"
#include "core/pipeline.h"
#include "tickguard/status.h"

namespace tickguard::replay {

// What a replay reads; see parse_input_format and README.md "Replay".
enum class InputFormat { kCsv, kEvents, kBinance, kCoinbase, kKraken, kOkx, kBybit };

// "csv", "events", or a venue name (binance, coinbase, kraken, okx, bybit); nullopt otherwise.
std::optional<InputFormat> parse_input_format(std::string_view name);
// The default for a file name: ".csv" -> csv, ".jsonl"/".json" -> events; nullopt otherwise.
std::optional<InputFormat> input_format_for_path(std::string_view path);

struct ReplayStats {
  std::size_t rows = 0;       // output rows
  std::size_t anomalies = 0;  // episodes raised across all detectors and instruments
  std::size_t instruments = 0;
  std::size_t trades = 0;  // events replayed, by type
  std::size_t tickers = 0;
  std::size_t books = 0;
  std::size_t skipped = 0;  // venue input: lines that gave no event (acks, heartbeats, ...)
};

// What the HTML report shows: per instrument the series and the ensemble score, and every raised
// anomaly.
struct ReportData {
  struct Series {
    std::string exchange;
    std::string symbol;
    std::vector<double> times;   // Unix seconds, one per point
    std::vector<double> prices;  // trade price, or the mid of a ticker or book
    std::vector<double> ensemble;
  };
  std::vector<std::string> detectors;  // column order of the scores
  std::vector<Series> series;          // in order of first appearance
  struct Event {
    double time = 0;
    std::size_t row = 0;     // output row (0 = the first after the header)
    std::size_t series = 0;  // index into `series`
    std::size_t point = 0;   // the series point the anomaly was raised at
    std::string detector;
    std::string severity;
    double score = 0;
    double observed = 0;
    double expected_low = 0;
    double expected_high = 0;
    std::string message;
  };
  std::vector<Event> events;
};

// Replays `input` (named `input_name` in error messages) through `detectors`, writing the output
// CSV to `output`. A malformed input fails with InvalidArgument "NAME:LINE: message" and whatever
// was written so far is incomplete.
Status replay_csv(std::istream& input, const std::string& input_name,
                  const std::vector<DetectorSpec>& detectors, std::ostream& output, ReplayStats& stats,
                  ReportData* report = nullptr);

// Replays recorded normalized events (event_jsonl.h), one InstrumentState per (exchange, symbol).
// Output: timestamp,exchange,symbol,score,score_<detector>...,label, one row per event line.
Status replay_events(std::istream& input, const std::string& input_name,
                     const std::vector<DetectorSpec>& detectors, std::ostream& output, ReplayStats& stats,
                     ReportData* report = nullptr);

// Replays raw WebSocket messages of `venue` (venue_messages.h), one per line. `known_symbols`: the
// unified symbols to map native ones with first. Output as replay_events without the label
// column, one row per normalized event.
Status replay_venue(std::istream& input, const std::string& input_name, std::string_view venue,
                    const std::vector<std::string>& known_symbols, const std::vector<DetectorSpec>& detectors,
                    std::ostream& output, ReplayStats& stats, ReportData* report = nullptr);

// A self-contained HTML page (inline SVG and CSS, no script, nothing fetched): the series with the
// anomalies marked by detector, the ensemble score against its 0.5 threshold, and a table of events.
// One chart per instrument, for the first kMaxReportCharts instruments (the table lists every event).
inline constexpr std::size_t kMaxReportCharts = 12;
void write_html_report(std::ostream& out, const std::string& title, const ReportData& data);

// Parses one timestamp cell (see above); false if it is none of the accepted forms.
bool parse_timestamp(std::string_view text, Timestamp& out);

}  // namespace tickguard::replay
