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

// Replays `input` (named `input_name` in error messages) through `detectors`, writing the output
// CSV to `output`. A malformed input fails with InvalidArgument "NAME:LINE: message" and whatever
// was written so far is incomplete.
Status replay_csv(std::istream& input, const std::string& input_name,
                  const std::vector<DetectorSpec>& detectors, std::ostream& output, ReplayStats& stats);

// Parses one timestamp cell (see above); false if it is none of the accepted forms.
bool parse_timestamp(std::string_view text, Timestamp& out);

}  // namespace tickguard::replay
