// Sinks: where the pipeline reports what it sees. Implemented by exporters (Prometheus metrics,
// later the event journal); the core and detectors only know these interfaces.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tickguard/detector.h"
#include "tickguard/event.h"

namespace tickguard {

enum class Severity { kWarning, kCritical };
std::string_view severity_name(Severity severity);  // "warning" / "critical"

// One anomaly: raised when a detector's alert gate goes from inactive to active.
struct AnomalyEvent {
  std::string exchange;
  std::string symbol;
  std::string detector;
  Severity severity = Severity::kWarning;
  Timestamp time{};  // event time of the observation that raised it
  double score = 0;
  double observed = 0;
  double expected_low = 0;
  double expected_high = 0;
  std::string message;  // one line for humans: what was observed versus what was expected
};

// Everything about one subscribed instrument, called from the single pipeline shard thread that
// owns the instrument. Handles to metric series are resolved once, when the instrument sink is
// created; these calls do no lookups.
class InstrumentSink {
 public:
  virtual ~InstrumentSink() = default;
  virtual void on_trade(const Trade& trade) = 0;
  virtual void on_ticker(const Ticker& ticker) = 0;
  // Latest score of detector number `detector` (index into the list given at subscribe()).
  virtual void on_score(std::size_t detector, double score) = 0;
  // The instrument's ensemble score (see ensemble_score in core/instrument_state.h) changed.
  virtual void on_ensemble(double score) = 0;
  // Alert gate of detector `detector` became active (true) or cleared (false).
  virtual void on_active(std::size_t detector, bool active) = 0;
  // A new anomaly was raised by detector `detector`.
  virtual void on_anomaly(std::size_t detector, const AnomalyEvent& event) = 0;
};

// Feed-level health of one instrument, called from the feed's thread.
class FeedStatusSink {
 public:
  virtual ~FeedStatusSink() = default;
  // One message for this instrument arrived at `receive_time` (wall clock).
  virtual void on_message(Timestamp receive_time) = 0;
  // The pipeline queue was full and one event for this instrument was dropped.
  virtual void on_dropped() = 0;
  // The instrument's book lost sync: a sequence gap, or a failed venue checksum.
  virtual void on_sequence_gap() = 0;
  virtual void on_checksum_failure() = 0;
  // Receive time minus exchange time of one event, in seconds (observed for events that carry an
  // exchange time).
  virtual void on_latency(double seconds) = 0;
};

// Ground truth from the simulator: one labelled anomaly it injected.
struct InjectedAnomaly {
  std::string exchange;  // the venue it affects
  std::string symbol;
  std::string kind;   // e.g. "price_spike", see the simulator
  Timestamp start{};  // event time
  Timestamp end{};
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Creates (or reuses) the series of one instrument with the given enabled detectors.
  virtual std::unique_ptr<InstrumentSink> subscribe_instrument(const Instrument& instrument,
                                                               std::span<const std::string> detectors) = 0;
  virtual std::unique_ptr<FeedStatusSink> subscribe_feed_status(const Instrument& instrument) = 0;
  // Connection state of an exchange (a simulated venue counts as an exchange). Any thread.
  virtual void on_connection_state(std::string_view exchange, bool up) = 0;
  // A feed reconnected to `exchange`, or hit an error of `kind` (see FeedListener). Any thread.
  virtual void on_feed_reconnect(std::string_view exchange) = 0;
  virtual void on_feed_error(std::string_view exchange, std::string_view kind) = 0;
  // Feed reports about messages and REST usage (see FeedListener). Any thread.
  virtual void on_feed_dropped_message(std::string_view exchange) = 0;
  virtual void on_rest_request(std::string_view exchange, std::string_view endpoint,
                               std::string_view code) = 0;
  virtual void on_rate_limit_usage(std::string_view exchange, double ratio) = 0;
  // An anomaly that no detector raised: the feed itself (a book lost sync). Any thread; rare.
  virtual void on_feed_anomaly(const AnomalyEvent& event) = 0;
  // A simulated anomaly was injected. Any thread.
  virtual void on_injected_anomaly(const InjectedAnomaly& anomaly) = 0;
};

}  // namespace tickguard
