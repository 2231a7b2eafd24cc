// Pipeline: routes normalized events from feeds to per-instrument detectors.
//
// Each feed gets its own FeedPort (a FeedListener) holding one bounded lock-free SPSC queue per
// shard, so feeds and detectors share no lock. Each instrument lives on exactly one shard thread,
// which owns its detectors, alert gates and metric handles. A full queue drops the event and counts
// it; memory never grows with load.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "tickguard/detector.h"
#include "tickguard/event.h"
#include "tickguard/feed.h"
#include "tickguard/sink.h"

namespace tickguard {

// Proof of life for a service manager's watchdog, given from inside the detector loop: a timer
// thread would keep pinging while the pipeline is stuck.
struct AliveOptions {
  // Called from the loop of the first detector thread at most every `interval` (and only while no
  // detector thread has stalled for `max_stall`). Empty: never.
  std::function<void()> on_alive{};
  std::chrono::nanoseconds interval{0};
  std::chrono::nanoseconds max_stall{std::chrono::seconds(10)};
};

struct PipelineOptions {
  std::size_t shards = 1;              // detector threads
  std::size_t queue_capacity = 16384;  // events per (feed, shard) queue
  AliveOptions alive{};
};

// Makes one detector instance for an instrument. Built from a callable taking no arguments (most
// detectors) or (const Instrument&, DetectorContext&) (cross-instrument detectors, which join their
// peers through the context).
class DetectorFactory {
 public:
  DetectorFactory() = default;
  template <class F>
  requires std::is_invocable_r_v<std::unique_ptr<Detector>, F&> DetectorFactory(
      F make)  // NOLINT(google-explicit-constructor): specs are written as lambdas
      : make_([make = std::move(make)](const Instrument&, DetectorContext&) mutable { return make(); }) {}
  template <class F>
  requires std::is_invocable_r_v<std::unique_ptr<Detector>, F&, const Instrument&, DetectorContext&>
  DetectorFactory(F make)  // NOLINT(google-explicit-constructor)
      : make_(std::move(make)) {}

  std::unique_ptr<Detector> operator()(const Instrument& instrument, DetectorContext& context) const {
    return make_(instrument, context);
  }
  explicit operator bool() const { return static_cast<bool>(make_); }

 private:
  std::function<std::unique_ptr<Detector>(const Instrument&, DetectorContext&)> make_;
};

// One enabled detector, instantiated once per instrument.
struct DetectorSpec {
  std::string name;
  AlertOptions alert;
  DetectorFactory create;
};

class Pipeline {
 public:
  // `instruments[i].id` must equal i. Creates every metric series through `sink` now (subscribe).
  Pipeline(std::vector<Instrument> instruments, const std::vector<DetectorSpec>& detectors, Sink& sink,
           PipelineOptions options = {});
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Creates the listener for one feed. Call before start(); the listener is owned by the pipeline,
  // and must be used by one feed thread at a time.
  FeedListener& add_feed_port();

  // Starts the shard threads.
  void start();
  // Stops and joins the shard threads; events still queued are discarded. Idempotent.
  void stop();

  // True once every exchange named by the instruments has delivered at least one event.
  bool ready() const;
  // Events dropped because a queue was full, since construction.
  std::uint64_t dropped_events() const;
  // Events processed by detectors, since construction.
  std::uint64_t processed_events() const;
  // How long ago the slowest shard thread last went round its loop (it does so at least every
  // millisecond when alive, idle or busy). Zero before start(). Any thread.
  std::chrono::nanoseconds heartbeat_age() const;

  const std::vector<Instrument>& instruments() const { return instruments_; }

 private:
  class FeedPort;
  class Shard;

  std::vector<Instrument> instruments_;
  Sink& sink_;
  PipelineOptions options_;
  std::vector<std::string> exchanges_;               // distinct, in first-seen order
  std::vector<std::size_t> exchange_of_instrument_;  // index into exchanges_
  std::vector<std::size_t> shard_of_instrument_;     // index into shards_
  std::unique_ptr<std::atomic<bool>[]> exchange_has_data_;
  std::vector<std::unique_ptr<FeedStatusSink>> feed_status_;  // per instrument
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::unique_ptr<FeedPort>> ports_;
  bool started_ = false;
};

}  // namespace tickguard
