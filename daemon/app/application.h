// Application: builds the running daemon from a Config — instruments, detectors, pipeline, feeds —
// and swaps it atomically on reload. The HTTP server and the metrics registry outlive it.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "config/options.h"
#include "core/pipeline.h"
#include "tickguard/clock.h"
#include "tickguard/sink.h"
#include "tickguard/status.h"

namespace tickguard::app {

// The enabled detectors of `config`, in registry order, ready to instantiate per instrument.
std::vector<DetectorSpec> detector_specs(const config::Config& config);

class Application {
 public:
  Application(const Clock& clock, Sink& sink);
  ~Application();

  // Builds and starts everything `config` describes. Error if a feed cannot start; nothing keeps
  // running then.
  Status start(const config::Config& config);
  // Replaces the running pipeline with one built from `config`. Series of instruments present in
  // both keep their values. On error the previous pipeline keeps running.
  Status reload(const config::Config& config);
  // Stops feeds, then detectors. Idempotent.
  void stop();
  // The watchdog ping every pipeline built from now on gives from its detector loop (see
  // AliveOptions). Call before start().
  void set_alive(AliveOptions alive) { alive_ = std::move(alive); }

  // True once every exchange of the running config has delivered data. Any thread.
  bool ready() const;
  // False when a detector thread has not gone round its loop for `max_stall` (wedged). True while
  // nothing runs (before start, during a reload). Any thread.
  bool healthy(std::chrono::nanoseconds max_stall) const;
  // Number of instruments being watched. Any thread.
  std::size_t instrument_count() const;

 private:
  struct Running;
  Status build(const config::Config& config, std::unique_ptr<Running>& out);

  const Clock& clock_;
  Sink& sink_;
  mutable std::mutex mutex_;  // guards running_ against readers on the HTTP thread
  std::unique_ptr<Running> running_;
  AliveOptions alive_;
};

}  // namespace tickguard::app
