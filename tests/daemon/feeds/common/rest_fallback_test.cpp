#include "feeds/common/rest_fallback.h"

#include <gtest/gtest.h>

#include <vector>

namespace tickguard::feeds {
namespace {

using namespace std::chrono_literals;

// Runs the io_context for `duration` on this thread (the fallback's timers are steady-clock based).
void run_for(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  io.restart();
  io.run_for(duration);
}

TEST(RestFallback, PollsEverySymbolEachRoundOnlyWhileTheStreamIsDown) {
  boost::asio::io_context io;
  std::vector<std::size_t> polled;
  RestFallback fallback(
      io, {.interval = 50ms, .grace = 20ms}, [&](std::size_t i) { polled.push_back(i); },
      [] { return std::size_t{0}; });
  fallback.set_count(3);
  run_for(io, 60ms);
  EXPECT_TRUE(polled.empty()) << "nothing while the stream is up";

  fallback.stream_down();
  run_for(io, 10ms);
  EXPECT_TRUE(polled.empty()) << "not within the grace period";
  run_for(io, 100ms);  // first round after 20 ms, second after 70 ms
  ASSERT_GE(polled.size(), 6U);
  EXPECT_EQ(std::vector<std::size_t>(polled.begin(), polled.begin() + 6),
            (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
  EXPECT_TRUE(fallback.polling());

  fallback.stream_up();
  const std::size_t before = polled.size();
  run_for(io, 150ms);
  EXPECT_EQ(polled.size(), before);
  EXPECT_FALSE(fallback.polling());
}

TEST(RestFallback, QuickReconnectWithinGraceNeverPolls) {
  boost::asio::io_context io;
  int polled = 0;
  RestFallback fallback(
      io, {.interval = 100ms, .grace = 80ms}, [&](std::size_t) { ++polled; }, nullptr);
  fallback.set_count(2);
  fallback.stream_down();
  run_for(io, 30ms);
  fallback.stream_up();
  run_for(io, 120ms);
  EXPECT_EQ(polled, 0);
}

TEST(RestFallback, GraceNeverExceedsTheInterval) {
  boost::asio::io_context io;
  int polled = 0;
  RestFallback fallback(
      io, {.interval = 30ms, .grace = 5000ms}, [&](std::size_t) { ++polled; }, nullptr);
  fallback.set_count(1);
  fallback.stream_down();
  run_for(io, 45ms);
  EXPECT_EQ(polled, 1);
}

TEST(RestFallback, ARoundWaitsUntilThePreviousOneDrained) {
  boost::asio::io_context io;
  int polled = 0;
  std::size_t queued = 0;
  RestFallback fallback(
      io, {.interval = 20ms, .grace = 1ms},
      [&](std::size_t) {
        ++polled;
        ++queued;
      },
      [&] { return queued; });
  fallback.set_count(4);
  fallback.stream_down();
  run_for(io, 110ms);
  EXPECT_EQ(polled, 4) << "the budget never drained, so no second round was queued";
  EXPECT_GE(fallback.skipped_rounds(), 3U);
  queued = 0;
  run_for(io, 30ms);
  EXPECT_EQ(polled, 8);
}

TEST(RestFallback, ZeroIntervalAndStopMeanNoPolling) {
  boost::asio::io_context io;
  int polled = 0;
  RestFallback off(
      io, {.interval = 0ms, .grace = 1ms}, [&](std::size_t) { ++polled; }, nullptr);
  off.set_count(1);
  off.stream_down();
  RestFallback stopped(
      io, {.interval = 5ms, .grace = 1ms}, [&](std::size_t) { ++polled; }, nullptr);
  stopped.set_count(1);
  stopped.stream_down();
  stopped.stop();
  stopped.stream_down();
  run_for(io, 50ms);
  EXPECT_EQ(polled, 0);
}

TEST(LastTradeTime, OnlyTradesAfterTheNewestSeenAreNew) {
  LastTradeTime last;
  const Timestamp t0{std::chrono::milliseconds(1000)};
  EXPECT_TRUE(last.is_new(t0));
  last.seen(t0);
  EXPECT_FALSE(last.is_new(t0));
  EXPECT_FALSE(last.is_new(t0 - 1ms));
  EXPECT_TRUE(last.is_new(t0 + 1ms));
  last.seen(t0 - 5ms);  // an older trade does not move it back
  EXPECT_FALSE(last.is_new(t0));
}

}  // namespace
}  // namespace tickguard::feeds
