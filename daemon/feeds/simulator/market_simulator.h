// MarketSimulator: a pure, deterministic engine that produces realistic trades, tickers and order-book
// snapshots for a set of (venue, symbol) instruments, and injects labelled anomalies into them. It
// does no I/O and reads no clock: time only moves when advance_to() is called, so tests drive it
// directly and SimulatorFeed paces it against the wall clock.
//
// Microstructure (per symbol, shared by every venue quoting it):
//   - fair price: log-returns each step with GARCH(1,1) volatility (clustering time scale ~2 min)
//     around a per-symbol annual volatility (BTC 50%, ETH 65%, SOL 90%, others 80-120%), with a very
//     weak pull back to the base price (half-life 12 h) so long runs stay bounded;
//   - base price: BTC 60000, ETH 3000, SOL 150, others 0.1-1000 from a hash of the base asset;
// and per venue:
//   - quotes: mid = fair x slowly wandering venue basis (~0.5 bp); full spread a few bps, fixed per
//     venue (1-4 bps for BTC, wider for less liquid symbols) with +-25% noise per step; prices on a
//     tick grid (~1e-5 of the price), bid rounded down and ask up;
//   - trades: Poisson arrivals at trades_per_second x (1 + 0.5 cos(2pi (hour_utc - 14) / 24)); buys
//     at the ask, sells at the bid; sizes lognormal (sigma 1) around a per-symbol median notional
//     (BTC 3000, ETH 1500, SOL 600, others 300 quote units), with 3% Pareto(alpha 1.7) "whale" prints
//     capped at 500x the median;
//   - a Ticker every step and a 5-level BookSnapshot every simulated second.
//
// Injected anomalies: per symbol, exponential inter-arrival (start to start) of mean anomaly_interval,
// kind uniform over the ten default kinds (or over MarketSimulatorOptions::kinds), venue uniform for
// venue-specific kinds. They never overlap: an arrival while one is running waits for its end (plus
// anomaly_gap), so the realized rate falls short of 1/anomaly_interval when the interval is not much
// longer than the durations (mean ~70 s for the default kinds). Ranges are uniform draws; durations
// round up to whole steps; one-step shifts are labelled [start, start + step). Magnitudes are
// relative to the pre-anomaly price:
//   price_spike        one venue: 1-3 trades 1.5-4% beyond the touch (up or down) within ~350 ms,
//                      then trading resumes at the normal price.
//   level_shift        all venues: fair price jumps 2-5% (up or down) in one step and stays there
//                      (only the 12 h pull to the base price slowly erodes it).
//   volume_burst       one venue: trade rate x15-30 and sizes x2-4 for 20-60 s; price unaffected.
//   flash_crash        one venue: price falls 5-12% over 2-5 s (85% sells), recovers over 20-60 s
//                      (fast at first), trade rate x5-10, sizes x1.5, spread x3.
//   pump_and_dump      all venues: price rises 8-20% over 1-3 min (accelerating, 65% buys), then
//                      dumps back over 30-60 s (65% sells); trade rate x5 and spread x1.5 throughout.
//   wash_trading       one venue, 30-90 s: extra buy/sell pairs of identical size at the same
//                      mid price 1-5 ms apart, one pair per normal trade, each leg ~2x a mean
//                      trade, so volume rises ~x5 while the price path is unchanged.
//   stale_feed         one venue emits nothing for the symbol for 30-90 s.
//   venue_divergence   one venue drifts 1-3% (up or down) away from the others over the first
//                      quarter of 1-3 min, holds, and converges over the last quarter.
//   small_level_shift  all venues: fair price shifts 0.15-0.4% in one step (subtle).
//   volatility_change  all venues: fair-price volatility x2.5-4 for 2-5 min (subtle).
// Opt-in kinds, injected at random only when named in MarketSimulatorOptions::kinds (or scheduled):
//   correlation_break  one venue, 2-5 min: its mid stops following the symbol's fair price and does
//                      an independent random walk with the symbol's volatility instead; over the
//                      last fifth it converges back. Only anomalous relative to the other venues.
//   trend_change       all venues: the fair price drifts 0.3-1 %/min (up or down) for 3-10 min, and
//                      stays where the drift took it.
//   multi_feature_burst one venue, 30-60 s: trade rate x3-5 with sizes scaled so volume is x10,
//                      spread x3 and return volatility x3 (mean-reverting local noise, faded out over
//                      the last 5 s) together, with no net price move.
//   whale_trade        one venue: a single print of 1000-5000x the median size at the touch (organic
//                      whales are capped at 500x), labelled [start, start + step).
//   price_dip          one venue: as price_spike, always downwards.
// The opt-in kinds draw their parameters, venue and per-step noise from a generator of their own,
// so the stream of a simulator that never injects them is exactly what it was before they existed.
//
// Determinism: the output depends only on the options, the instruments and the simulated time; the
// way advance_to() calls chunk that time does not matter. The generator and distributions are our
// own, so the stream is the same with any standard library (on the same floating-point platform).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tickguard/event.h"
#include "tickguard/sink.h"

namespace tickguard::simulator {

enum class AnomalyKind {
  kPriceSpike,
  kLevelShift,
  kVolumeBurst,
  kFlashCrash,
  kPumpAndDump,
  kWashTrading,
  kStaleFeed,
  kVenueDivergence,
  kSmallLevelShift,
  kVolatilityChange,
  // Opt-in kinds (see above).
  kCorrelationBreak,
  kTrendChange,
  kMultiFeatureBurst,
  kWhaleTrade,
  kPriceDip,
};

// The label used in InjectedAnomaly::kind, e.g. "price_spike".
std::string_view anomaly_kind_name(AnomalyKind kind);
// The kind labelled `name`, or nullopt.
std::optional<AnomalyKind> anomaly_kind_from_name(std::string_view name);
// The ten kinds injected at random by default, in declaration order.
std::span<const AnomalyKind> all_anomaly_kinds();
// The kinds injected at random only when named in MarketSimulatorOptions::kinds, in declaration order.
std::span<const AnomalyKind> opt_in_anomaly_kinds();
// True for kinds that affect one venue; the others affect every venue quoting the symbol.
bool is_venue_specific(AnomalyKind kind);

// Receives the simulator's output. Called synchronously from advance_to().
class SimulationListener {
 public:
  virtual ~SimulationListener() = default;
  // One event; exchange times are non-decreasing per instrument. receive_time == exchange_time.
  virtual void on_event(const MarketEvent& event) = 0;
  // An injected anomaly starts (delivered before the events it affects). Anomalies affecting all
  // venues are reported once per venue.
  virtual void on_injected(const InjectedAnomaly& anomaly) = 0;
};

struct MarketSimulatorOptions {
  std::uint64_t seed = 1;
  // Mean time between injected anomalies, per symbol; zero means never inject.
  std::chrono::nanoseconds anomaly_interval = std::chrono::seconds(60);
  // Mean trade rate per instrument (venue x symbol) before intraday seasonality.
  double trades_per_second = 4.0;
  Timestamp start_time{};  // exchange time of simulated t = 0
  // No random anomaly starts during the first quiet_period: a clean baseline (the feed's warm-up
  // history) for detectors to learn from. schedule_anomaly() is not affected.
  std::chrono::nanoseconds quiet_period{0};
  // Kinds drawn (uniformly) for random anomalies; empty means all_anomaly_kinds().
  std::vector<AnomalyKind> kinds{};
  // A random anomaly of a symbol starts at least this long after the end of the previous one, so
  // that each has a clean market before it.
  std::chrono::nanoseconds anomaly_gap{0};
  std::chrono::nanoseconds step = std::chrono::milliseconds(100);  // > 0
};

class MarketSimulator {
 public:
  // `instruments`: one per (venue, symbol); instrument.exchange is the venue name. Venues sharing a
  // symbol share one underlying fair price, so cross-venue divergence is meaningful.
  MarketSimulator(MarketSimulatorOptions options, std::vector<Instrument> instruments);
  ~MarketSimulator();
  MarketSimulator(MarketSimulator&&) noexcept;
  MarketSimulator& operator=(MarketSimulator&&) noexcept;

  // Simulates whole steps while the next step starts before `until`, emitting every event and
  // injection of those steps to `listener`. Events of a step lie in [step start, step end).
  void advance_to(Timestamp until, SimulationListener& listener);
  // Start of the next step to simulate.
  Timestamp now() const;

  // Test hook: schedules one anomaly of `kind` on `symbol` at the first step starting at or after
  // `start` (later if another anomaly of the symbol is still running). For venue-specific kinds
  // `venue` picks the venue; an empty or unknown venue picks one at random. An unknown symbol is
  // ignored. Scheduled anomalies take precedence over random ones.
  void schedule_anomaly(AnomalyKind kind, std::string_view symbol, std::string_view venue, Timestamp start);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tickguard::simulator
