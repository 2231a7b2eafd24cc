#include "replay/simulate.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "feeds/simulator/market_simulator.h"
#include "replay/event_jsonl.h"

namespace tickguard::replay {
namespace {

// Simulated time per advance_to() of each engine: engines of several feeds move in step, so their
// events stay within this of each other in the file.
constexpr Duration kChunk = std::chrono::seconds(1);

// Writes each event with the label of the anomaly active on its instrument at the event's time.
class Recorder final : public simulator::SimulationListener {
 public:
  Recorder(const std::vector<Instrument>& instruments, std::ostream& out, SimulateStats& stats)
      : instruments_(instruments), active_(instruments.size()), out_(out), stats_(stats) {}

  void on_event(const MarketEvent& event) override {
    const InstrumentId id = instrument_of(event);
    const Timestamp time = std::visit(
        [](const auto& e) {
          if constexpr (requires { e.exchange_time; }) {
            return e.exchange_time;
          } else {
            return e.open_time;
          }
        },
        event);
    const InjectedAnomaly& anomaly = active_[id];
    const bool labelled = !anomaly.kind.empty() && time >= anomaly.start && time < anomaly.end;
    write_event_line(out_, instruments_[id], event, labelled ? anomaly.kind : std::string_view{});
    ++stats_.events;
    if (labelled) ++stats_.labelled;
  }

  void on_injected(const InjectedAnomaly& anomaly) override {
    ++stats_.injected;
    for (const Instrument& instrument : instruments_) {
      if (instrument.exchange == anomaly.exchange && instrument.symbol == anomaly.symbol) {
        active_[instrument.id] = anomaly;  // a symbol's anomalies never overlap
      }
    }
  }

 private:
  const std::vector<Instrument>& instruments_;
  std::vector<InjectedAnomaly> active_;  // the latest injected anomaly, by instrument id
  std::ostream& out_;
  SimulateStats& stats_;
};

}  // namespace

Status simulate_events(const config::Config& config, Duration duration, Timestamp start, std::ostream& out,
                       SimulateStats& stats) {
  if (duration <= Duration::zero()) return Status::InvalidArgument("the duration must be positive");
  std::vector<Instrument> instruments;  // of every simulator feed; id = index
  std::vector<simulator::MarketSimulator> engines;
  for (const config::FeedOptions& feed : config.feeds) {
    if (feed.exchange != "simulator") continue;
    std::vector<Instrument> own;
    for (const auto& venue : feed.simulator.venues) {
      for (const auto& symbol : feed.symbols) {
        own.push_back(Instrument{static_cast<InstrumentId>(instruments.size()), venue, symbol});
        instruments.push_back(own.back());
      }
    }
    simulator::MarketSimulatorOptions options;
    options.seed = feed.simulator.seed;
    options.anomaly_interval = feed.simulator.anomaly_interval;
    options.trades_per_second = feed.simulator.trades_per_second;
    options.start_time = start;
    options.quiet_period = feed.simulator.warmup;
    engines.emplace_back(options, std::move(own));
  }
  if (engines.empty()) {
    return Status::InvalidArgument(config.source + ": no [[feed]] with exchange = \"simulator\" to simulate");
  }
  Recorder recorder(instruments, out, stats);
  const Timestamp end = start + duration;
  for (Timestamp until = start; until < end;) {
    until = std::min(end, until + kChunk);
    for (auto& engine : engines) engine.advance_to(until, recorder);
  }
  return Status::Ok();
}

}  // namespace tickguard::replay
