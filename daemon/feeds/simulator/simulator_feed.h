// SimulatorFeed: the Feed used without a config. One thread paces a MarketSimulator against the
// clock (simulated time = start + wall elapsed x speed) and forwards its events and labelled
// anomalies.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/options.h"
#include "tickguard/clock.h"
#include "tickguard/feed.h"
#include "tickguard/sink.h"

namespace tickguard::simulator {

class SimulatorFeed final : public Feed {
 public:
  // `instruments`: venues x symbols with ids already assigned. `on_injected` (may be empty) is called
  // from the feed thread for each injected anomaly. `clock` must outlive the feed.
  SimulatorFeed(const config::SimulatorOptions& options, std::vector<Instrument> instruments,
                const Clock& clock, std::function<void(const InjectedAnomaly&)> on_injected);
  ~SimulatorFeed() override;  // stops the feed
  SimulatorFeed(const SimulatorFeed&) = delete;
  SimulatorFeed& operator=(const SimulatorFeed&) = delete;

  // Spawns the feed thread, which reports each venue up and then delivers events with
  // receive_time = clock.now() (exchange times stay simulated). The simulation starts `warmup`
  // before the clock's now(); that clean history (no injected anomalies) is generated first, as
  // fast as the pipeline drains it. InvalidArgument when speed is not positive or the feed is
  // already running.
  Status start(FeedListener& listener) override;
  // Wakes and joins the thread, which reports each venue down before it exits. Idempotent; a
  // stopped feed may be started again (with a fresh simulation).
  void stop() override;

 private:
  void run(FeedListener& listener, Timestamp start_time);

  config::SimulatorOptions options_;
  std::vector<Instrument> instruments_;
  std::vector<std::string> venues_;  // configured venues, then any other venue of an instrument
  const Clock& clock_;
  std::function<void(const InjectedAnomaly&)> on_injected_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
};

}  // namespace tickguard::simulator
