#include "feeds/simulator/simulator_feed.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>
#include <variant>

#include "feeds/simulator/market_simulator.h"

namespace tickguard::simulator {
namespace {

using namespace std::chrono_literals;

constexpr auto kPacingPeriod = 10ms;  // wall time between catch-ups
constexpr Duration kMaxChunk = 1s;    // simulated time per advance_to, so stop() stays prompt
// While catching up (warm-up history, or a stall) the feed yields this long between chunks, so the
// detector threads drain the bounded queues instead of the feed overflowing them.
constexpr auto kCatchUpYield = 1ms;

// Forwards simulator output to the feed listener, stamping the receive time of the current batch.
class Forwarder final : public SimulationListener {
 public:
  Forwarder(FeedListener& listener, const std::function<void(const InjectedAnomaly&)>& on_injected)
      : listener_(listener), on_injected_(on_injected) {}

  void set_receive_time(Timestamp receive_time) { receive_time_ = receive_time; }
  // While muted (a simulated outage) the market moves on but nothing reaches the listener.
  void set_muted(bool muted) { muted_ = muted; }

  void on_event(const MarketEvent& event) override {
    if (muted_) return;
    MarketEvent stamped = event;
    std::visit([this](auto& e) { e.receive_time = receive_time_; }, stamped);
    listener_.on_event(stamped);
  }

  void on_injected(const InjectedAnomaly& anomaly) override {
    if (on_injected_ && !muted_) on_injected_(anomaly);
  }

 private:
  FeedListener& listener_;
  const std::function<void(const InjectedAnomaly&)>& on_injected_;
  Timestamp receive_time_{};
  bool muted_ = false;
};

}  // namespace

SimulatorFeed::SimulatorFeed(const config::SimulatorOptions& options, std::vector<Instrument> instruments,
                             const Clock& clock, std::function<void(const InjectedAnomaly&)> on_injected)
    : options_(options),
      instruments_(std::move(instruments)),
      clock_(clock),
      on_injected_(std::move(on_injected)) {
  auto add_venue = [this](const std::string& venue) {
    if (std::find(venues_.begin(), venues_.end(), venue) == venues_.end()) venues_.push_back(venue);
  };
  for (const auto& venue : options_.venues) add_venue(venue);
  for (const auto& instrument : instruments_) add_venue(instrument.exchange);
}

SimulatorFeed::~SimulatorFeed() { stop(); }

Status SimulatorFeed::start(FeedListener& listener) {
  if (!(options_.speed > 0) || !std::isfinite(options_.speed)) {
    return Status::InvalidArgument("simulator speed must be a positive number");
  }
  if (thread_.joinable()) return Status::InvalidArgument("simulator feed already started");
  stop_requested_ = false;
  const Timestamp start_time = clock_.now();
  thread_ = std::thread([this, &listener, start_time] { run(listener, start_time); });
  return Status::Ok();
}

void SimulatorFeed::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SimulatorFeed::run(FeedListener& listener, Timestamp start_time) {
  for (const auto& venue : venues_) listener.on_connection_state(venue, true);

  MarketSimulatorOptions engine_options;
  engine_options.seed = options_.seed;
  engine_options.anomaly_interval = options_.anomaly_interval;
  engine_options.trades_per_second = options_.trades_per_second;
  engine_options.start_time = start_time - options_.warmup;
  engine_options.quiet_period = options_.warmup;  // warm-up history is the detectors' clean baseline
  MarketSimulator engine(engine_options, instruments_);
  Forwarder forwarder(listener, on_injected_);

  // The outage window in simulated time (wall-clock offsets times speed), so that catching up after
  // a pause mutes exactly the events inside it.
  auto simulated = [this, start_time](std::chrono::nanoseconds wall_offset) {
    return start_time +
           Duration(static_cast<Duration::rep>(static_cast<double>(wall_offset.count()) * options_.speed));
  };
  const bool has_outage = options_.outage_duration.count() > 0;
  const Timestamp outage_start = simulated(options_.outage_after);
  const Timestamp outage_end = simulated(options_.outage_after + options_.outage_duration);
  enum class Outage { kBefore, kDown, kOver } outage = Outage::kBefore;
  auto update_outage = [&] {
    if (!has_outage) return;
    if (outage == Outage::kBefore && engine.now() >= outage_start) {
      outage = Outage::kDown;
      forwarder.set_muted(true);
      for (const auto& venue : venues_) listener.on_connection_state(venue, false);
    }
    if (outage == Outage::kDown && engine.now() >= outage_end) {
      outage = Outage::kOver;
      forwarder.set_muted(false);
      for (const auto& venue : venues_) {
        listener.on_connection_state(venue, true);
        listener.on_reconnect(venue);
      }
    }
  };

  while (!stop_requested_) {
    const Timestamp wall = clock_.now();
    const double elapsed_ns = static_cast<double>((wall - start_time).count());
    const Timestamp target = start_time + Duration(static_cast<Duration::rep>(elapsed_ns * options_.speed));
    update_outage();
    // A backlog (a slow machine, a suspended process) is caught up in bounded chunks.
    while (engine.now() < target && !stop_requested_) {
      // Flow control: the history is there to be processed, not dropped, however slow the
      // detectors are (a Debug build, a busy machine).
      while (listener.congested() && !stop_requested_) std::this_thread::sleep_for(kCatchUpYield);
      forwarder.set_receive_time(clock_.now());
      Timestamp next = std::min(target, engine.now() + kMaxChunk);
      if (has_outage && outage == Outage::kBefore) next = std::min(next, outage_start);
      if (has_outage && outage == Outage::kDown) next = std::min(next, outage_end);
      engine.advance_to(next, forwarder);
      update_outage();
      if (target - engine.now() > kMaxChunk) std::this_thread::sleep_for(kCatchUpYield);
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, kPacingPeriod, [this] { return stop_requested_.load(); });
  }

  if (outage != Outage::kDown) {
    for (const auto& venue : venues_) listener.on_connection_state(venue, false);
  }
}

}  // namespace tickguard::simulator
