// The simulator feed replays its warm-up history as fast as the detectors take it, and no faster:
// while the listener reports congestion it waits instead of overflowing the pipeline's queues.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "feeds/simulator/simulator_feed.h"

namespace tickguard::simulator {
namespace {

using namespace std::chrono_literals;

// A consumer that holds at most kCapacity undrained events before it reports congestion, and
// records the largest backlog it was ever given.
class SlowConsumer final : public FeedListener {
 public:
  static constexpr std::size_t kCapacity = 200;

  void on_event(const MarketEvent&) override {
    std::lock_guard lock(mutex_);
    ++received_;
    max_backlog_ = std::max(max_backlog_, received_ - drained_);
    changed_.notify_all();
  }
  bool congested() const override {
    std::lock_guard lock(mutex_);
    return received_ - drained_ >= kCapacity;
  }
  void on_connection_state(std::string_view, bool) override {}

  // Waits (bounded) until the feed has stopped for congestion, then takes everything: what a shard
  // thread does, in lock step so the test does not depend on speed.
  bool drain_when_congested() {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, 30s, [&] { return received_ - drained_ >= kCapacity; })) return false;
    drained_ = received_;
    ++drains_;
    return true;
  }
  std::size_t max_backlog() const {
    std::lock_guard lock(mutex_);
    return max_backlog_;
  }
  std::size_t received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t received_ = 0;
  std::size_t drained_ = 0;
  std::size_t max_backlog_ = 0;
  std::size_t drains_ = 0;
};

TEST(SimulatorFeedFlowControl, WarmUpHistoryWaitsForACongestedConsumer) {
  config::SimulatorOptions options;
  options.warmup = std::chrono::minutes(20);  // ~30k events of history, delivered at once otherwise
  options.speed = 1;
  SystemClock clock;
  SlowConsumer consumer;
  SimulatorFeed feed(options, {{0, "simex", "BTC/USDT"}, {1, "mockex", "BTC/USDT"}}, clock,
                     [](const InjectedAnomaly&) {});
  ASSERT_TRUE(feed.start(consumer).ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(consumer.drain_when_congested()) << "drain " << i;
  feed.stop();

  EXPECT_GE(consumer.received(), 50 * SlowConsumer::kCapacity);
  // The feed checks between chunks of one simulated second: the backlog may exceed the capacity by
  // at most one chunk (2 instruments x (10 tickers + 1 book + a few trades) per second), never by
  // the history.
  EXPECT_LE(consumer.max_backlog(), SlowConsumer::kCapacity + 100);
}

}  // namespace
}  // namespace tickguard::simulator
