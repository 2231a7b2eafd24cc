// Event-window matching of alert episodes against labelled anomalies, and the scores built on it.
//
// An anomaly's window is [start, end + grace]. A detector finds the anomaly when one of its
// episodes on an instrument in the anomaly's scope (its venue, or every venue of the symbol for
// all-venue kinds) is active at some time in the window; several episodes in one window count once,
// and the detection delay is the first such episode's start minus the anomaly's start (0 when it
// was already active). An episode that overlaps no window in its instrument's scope is a false
// positive. precision = found / (found + false positives), recall = found / anomalies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tickguard/event.h"

namespace tickguard::quality {

// One labelled anomaly (the simulator labels all-venue kinds once per venue: merge them first).
struct LabelledAnomaly {
  std::string kind;
  std::size_t symbol = 0;           // index of the symbol in the run
  std::vector<InstrumentId> scope;  // instruments it affects
  Timestamp start{};
  Timestamp end{};
  Duration grace{};
  // False for an anomaly the run cut off: not counted, but episodes it explains are no false positives.
  bool scored = true;
};

// One alert episode of one detector (or of the ensemble) on one instrument: [start, end].
struct Episode {
  InstrumentId instrument = 0;
  Timestamp start{};
  Timestamp end{};  // the end of the run for an episode still active then
};

// Counts of one detector over any number of runs; add runs with tally_run().
struct Tally {
  std::size_t anomalies = 0;
  std::size_t found = 0;
  std::size_t found_within_30s = 0;
  std::size_t episodes = 0;
  std::size_t false_positives = 0;
  double flagged_seconds = 0;          // total episode time, all instruments
  double instrument_seconds = 0;       // total evaluated time, all instruments
  std::vector<double> delays_seconds;  // one per found anomaly
  struct KindCounts {
    std::string kind;
    std::size_t anomalies = 0;
    std::size_t found = 0;
  };
  std::vector<KindCounts> by_kind;  // in first-seen order

  double precision() const;  // 0 when nothing was flagged
  double recall() const;     // 0 when there were no anomalies
  double f_beta(double beta) const;
  // F1 with recall counting only the anomalies found within 30 s of their start.
  double f1_within_30s() const;
  double median_delay_seconds() const;  // NaN when nothing was found
  double flagged_share() const;         // flagged_seconds / instrument_seconds
  const KindCounts* kind(const std::string& name) const;
};

// Adds one run's anomalies and one detector's episodes of that run (over `instrument_seconds` of
// evaluated instrument time) to `tally`.
void tally_run(const std::vector<LabelledAnomaly>& anomalies, const std::vector<Episode>& episodes,
               double instrument_seconds, Tally& tally);

}  // namespace tickguard::quality
