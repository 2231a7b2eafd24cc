// `tickguard replay`: runs recorded data through the same detectors, alert gates and ensemble as
// the daemon (core/instrument_state.h), offline and as fast as the CPU allows.
//
// Input: CSV with a header row. A `timestamp` column (Unix seconds or milliseconds, possibly
// fractional; "YYYY-MM-DD HH:MM:SS[.fff]" in UTC; or ISO-8601/RFC 3339) and either `price` (with
// optional `volume`, `side`, `bid`, `ask`) or `value` (any positive univariate series, replayed as
// the price of unit-size trades). An optional `label` column is copied to the output.
// Output: CSV, one row per input row: timestamp (as given), score (the ensemble), one
// score_<detector> column per enabled detector, then label when the input has one.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "config/options.h"
#include "core/pipeline.h"
#include "tickguard/status.h"

namespace tickguard::replay {

struct ReplayStats {
  std::size_t rows = 0;
  std::size_t anomalies = 0;  // episodes raised across all detectors
};

// What the HTML report shows: the series, the ensemble score and every raised anomaly.
struct ReportData {
  std::vector<double> times;  // Unix seconds, one per row
  std::vector<double> prices;
  std::vector<double> ensemble;
  std::vector<std::string> detectors;  // column order of the scores
  struct Event {
    double time = 0;
    std::size_t row = 0;
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

// A self-contained HTML page (inline SVG and CSS, no script, nothing fetched): the series with the
// anomalies marked by detector, the ensemble score against its 0.5 threshold, and a table of events.
void write_html_report(std::ostream& out, const std::string& title, const ReportData& data);

// Parses one timestamp cell (see above); false if it is none of the accepted forms.
bool parse_timestamp(std::string_view text, Timestamp& out);

}  // namespace tickguard::replay
