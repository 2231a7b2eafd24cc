// The simulator feed's thread: connection states, event delivery, receive-time stamping, stop().
#include "feeds/simulator/simulator_feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tickguard::simulator {
namespace {

using namespace std::chrono_literals;

// Fails a test instead of hanging it when the feed never delivers; not a timing assertion.
constexpr auto kSafetyTimeout = 60s;

std::vector<Instrument> instruments() {
  return {{0, "simex", "BTC/USDT"},
          {1, "simex", "ETH/USDT"},
          {2, "mockex", "BTC/USDT"},
          {3, "mockex", "ETH/USDT"}};
}

config::SimulatorOptions fast_options() {
  config::SimulatorOptions options;
  options.speed = 1000;
  options.anomaly_interval = 5s;
  return options;
}

// A clock that moves 1 ms forward on every read.
class TickingClock final : public Clock {
 public:
  explicit TickingClock(Timestamp start) : start_(start) {}
  Timestamp now() const override { return start_ + 1ms * reads_.fetch_add(1); }

 private:
  Timestamp start_;
  mutable std::atomic<std::int64_t> reads_{0};
};

// A clock the test moves by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start.time_since_epoch().count()) {}
  Timestamp now() const override { return Timestamp(Duration(now_.load())); }
  void advance(Duration by) { now_ += by.count(); }

 private:
  std::atomic<Duration::rep> now_;
};

class RecordingListener final : public FeedListener {
 public:
  void on_event(const MarketEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
    changed_.notify_all();
  }
  void on_connection_state(std::string_view exchange, bool up) override {
    std::lock_guard lock(mutex_);
    states_.emplace_back(std::string(exchange), up);
    changed_.notify_all();
  }
  void on_reconnect(std::string_view exchange) override {
    std::lock_guard lock(mutex_);
    reconnects_.emplace_back(exchange);
    changed_.notify_all();
  }
  std::vector<std::string> reconnects() const {
    std::lock_guard lock(mutex_);
    return reconnects_;
  }
  // Waits until the connection states reported reach `count`; false if the safety timeout expired.
  bool wait_for_states(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kSafetyTimeout, [&] { return states_.size() >= count; });
  }
  void count_injected() {
    std::lock_guard lock(mutex_);
    ++injected_;
    changed_.notify_all();
  }

  // Waits until `enough` holds for (events, injected count); false if the safety timeout expired.
  bool wait_for(const std::function<bool(std::size_t, int)>& enough) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kSafetyTimeout, [&] { return enough(events_.size(), injected_); });
  }

  std::vector<MarketEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<std::pair<std::string, bool>> states() const {
    std::lock_guard lock(mutex_);
    return states_;
  }
  int injected() const {
    std::lock_guard lock(mutex_);
    return injected_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<MarketEvent> events_;
  std::vector<std::pair<std::string, bool>> states_;
  std::vector<std::string> reconnects_;
  int injected_ = 0;
};

TEST(SimulatorFeed, DeliversEventsAndConnectionStatesThenStopsCleanly) {
  SystemClock clock;
  RecordingListener listener;
  std::vector<InjectedAnomaly> labels;
  SimulatorFeed feed(fast_options(), instruments(), clock, [&](const InjectedAnomaly& anomaly) {
    labels.push_back(anomaly);  // feed thread only; read after stop()
    listener.count_injected();
  });

  const Timestamp before_start = clock.now();
  ASSERT_TRUE(feed.start(listener).ok());
  ASSERT_TRUE(
      listener.wait_for([](std::size_t events, int injected) { return events >= 5000 && injected >= 2; }));
  feed.stop();
  const Timestamp after_stop = clock.now();

  const auto states = listener.states();
  const std::vector<std::pair<std::string, bool>> expected = {
      {"simex", true}, {"mockex", true}, {"simex", false}, {"mockex", false}};
  EXPECT_EQ(states, expected);

  const auto events = listener.events();
  std::map<InstrumentId, Timestamp> last;
  for (const auto& event : events) {
    const InstrumentId id = instrument_of(event);
    ASSERT_LT(id, 4u);
    const Timestamp exchange_time = exchange_time_of(event);
    EXPECT_GE(exchange_time, before_start);
    if (last.contains(id)) {
      EXPECT_GE(exchange_time, last[id]);
    }
    last[id] = exchange_time;
    EXPECT_GE(receive_time_of(event), before_start);
    EXPECT_LE(receive_time_of(event), after_stop);
  }
  EXPECT_EQ(last.size(), 4u);
  for (const auto& label : labels) {
    EXPECT_TRUE(label.exchange == "simex" || label.exchange == "mockex");
    EXPECT_TRUE(label.symbol == "BTC/USDT" || label.symbol == "ETH/USDT");
    EXPECT_LT(label.start, label.end);
  }

  // Nothing arrives after stop() has returned.
  const std::size_t event_count = events.size();
  const int injected = listener.injected();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(listener.events().size(), event_count);
  EXPECT_EQ(listener.injected(), injected);
  EXPECT_EQ(listener.states().size(), 4u);
}

TEST(SimulatorFeed, StampsReceiveTimeFromTheClockAndKeepsSimulatedExchangeTime) {
  const Timestamp start = std::chrono::sys_days{std::chrono::year{2024} / 1 / 1};
  TickingClock clock(start);
  RecordingListener listener;
  SimulatorFeed feed(fast_options(), instruments(), clock, nullptr);
  ASSERT_TRUE(feed.start(listener).ok());
  ASSERT_TRUE(listener.wait_for([](std::size_t events, int) { return events >= 2000; }));
  feed.stop();

  const Timestamp latest = clock.now();
  const auto events = listener.events();
  Timestamp latest_exchange_time = start;
  for (const auto& event : events) {
    EXPECT_GE(receive_time_of(event), start);
    EXPECT_LT(receive_time_of(event), latest);
    EXPECT_GE(exchange_time_of(event), start);
    latest_exchange_time = std::max(latest_exchange_time, exchange_time_of(event));
  }
  // At speed 1000, simulated exchange time runs far ahead of the (ticking) clock.
  EXPECT_GT(latest_exchange_time - start, 10 * (latest - start));
}

TEST(SimulatorFeed, StopWithoutStartAndRepeatedStopAreNoOps) {
  SystemClock clock;
  RecordingListener listener;
  {
    SimulatorFeed feed(fast_options(), instruments(), clock, nullptr);
    feed.stop();
    ASSERT_TRUE(feed.start(listener).ok());
    feed.stop();
    feed.stop();
  }
  EXPECT_EQ(listener.states().size(), 4u);
}

TEST(SimulatorFeed, RejectsNonPositiveSpeed) {
  SystemClock clock;
  RecordingListener listener;
  config::SimulatorOptions options;
  options.speed = 0;
  SimulatorFeed feed(options, instruments(), clock, nullptr);
  const Status status = feed.start(listener);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  feed.stop();
  EXPECT_TRUE(listener.states().empty());
  EXPECT_TRUE(listener.events().empty());
}

TEST(SimulatorFeed, RefusesToStartTwiceButRestartsAfterStop) {
  SystemClock clock;
  RecordingListener listener;
  SimulatorFeed feed(fast_options(), instruments(), clock, nullptr);
  ASSERT_TRUE(feed.start(listener).ok());
  EXPECT_EQ(feed.start(listener).code(), Status::Code::kInvalidArgument);
  feed.stop();
  ASSERT_TRUE(feed.start(listener).ok());
  ASSERT_TRUE(listener.wait_for([](std::size_t events, int) { return events >= 100; }));
  feed.stop();
  EXPECT_EQ(listener.states().size(), 8u);
}

TEST(SimulatorFeed, ReportsConfiguredVenuesEvenWithoutInstruments) {
  SystemClock clock;
  RecordingListener listener;
  SimulatorFeed feed(fast_options(), {}, clock, nullptr);
  ASSERT_TRUE(feed.start(listener).ok());
  feed.stop();
  const std::vector<std::pair<std::string, bool>> expected = {
      {"simex", true}, {"mockex", true}, {"simex", false}, {"mockex", false}};
  EXPECT_EQ(listener.states(), expected);
  EXPECT_TRUE(listener.events().empty());
}

TEST(SimulatorFeed, SimulatedOutageTakesEveryVenueDownSilentlyThenReconnects) {
  const Timestamp start = std::chrono::sys_days{std::chrono::year{2024} / 1 / 1};
  ManualClock clock(start);
  RecordingListener listener;
  config::SimulatorOptions options;
  options.outage_after = 10s;
  options.outage_duration = 20s;
  SimulatorFeed feed(options, instruments(), clock, nullptr);
  ASSERT_TRUE(feed.start(listener).ok());
  ASSERT_TRUE(listener.wait_for_states(2));
  clock.advance(5s);
  ASSERT_TRUE(listener.wait_for([](std::size_t events, int) { return events > 0; }));

  clock.advance(6s);  // 11 s: inside the outage
  ASSERT_TRUE(listener.wait_for_states(4));
  const std::vector<std::pair<std::string, bool>> down = {
      {"simex", true}, {"mockex", true}, {"simex", false}, {"mockex", false}};
  EXPECT_EQ(listener.states(), down);
  const std::size_t before_outage = listener.events().size();
  clock.advance(10s);  // 21 s: still down; the market moves on, unseen
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(listener.events().size(), before_outage);
  EXPECT_TRUE(listener.reconnects().empty());

  clock.advance(10s);  // 31 s: back
  ASSERT_TRUE(listener.wait_for_states(6));
  ASSERT_TRUE(listener.wait_for([&](std::size_t events, int) { return events > before_outage; }));
  feed.stop();
  const std::vector<std::pair<std::string, bool>> all = {
      {"simex", true}, {"mockex", true}, {"simex", false}, {"mockex", false},
      {"simex", true}, {"mockex", true}, {"simex", false}, {"mockex", false}};
  EXPECT_EQ(listener.states(), all);
  EXPECT_EQ(listener.reconnects(), (std::vector<std::string>{"simex", "mockex"}));
  // Nothing from the outage window was delivered: events resume with the market as it is now.
  const auto events = listener.events();
  for (std::size_t i = before_outage; i < events.size(); ++i) {
    EXPECT_GE(exchange_time_of(events[i]), start + 30s);
  }
}

}  // namespace
}  // namespace tickguard::simulator
