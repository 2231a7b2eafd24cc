#include "feeds/common/venue_rest.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <mutex>

namespace tickguard::feeds {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Records what a connector would report to the pipeline.
class RecordingListener final : public FeedListener {
 public:
  void on_event(const MarketEvent&) override {}
  void on_connection_state(std::string_view, bool) override {}
  void on_error(std::string_view exchange, std::string_view kind) override {
    std::lock_guard lock(mutex);
    errors.push_back(std::string(exchange) + ":" + std::string(kind));
  }
  void on_rest_request(std::string_view, std::string_view endpoint, std::string_view code) override {
    std::lock_guard lock(mutex);
    requests.push_back(std::string(endpoint) + ":" + std::string(code));
  }
  void on_rate_limit_usage(std::string_view, double ratio) override {
    std::lock_guard lock(mutex);
    usage.push_back(ratio);
  }
  std::mutex mutex;
  std::vector<std::string> errors;
  std::vector<std::string> requests;
  std::vector<double> usage;
};

// A venue on loopback whose answers a test scripts per path: a queue of statuses, then 200.
class ScriptedVenue {
 public:
  ScriptedVenue() {
    server_.Get(R"(/(\w+))", [this](const httplib::Request& req, httplib::Response& res) {
      int status = 200;
      {
        std::lock_guard lock(mutex_);
        arrivals_.push_back(SteadyClock::now());
        auto& script = scripts_[req.matches[1]];
        if (!script.empty()) {
          status = script.front();
          script.erase(script.begin());
        }
      }
      if (status == 0) {  // a stalled response
        std::this_thread::sleep_for(1500ms);
        status = 200;
      }
      res.status = status;
      if (status == 429 || status == 418) res.set_header("Retry-After", "1");
      res.set_header("X-MBX-USED-WEIGHT-1M", used_weight_);
      res.set_content(status == 200 ? R"({"ok":true})" : R"({"code":-1003})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~ScriptedVenue() {
    server_.stop();
    thread_.join();
  }
  void script(const std::string& path, std::vector<int> statuses) {
    std::lock_guard lock(mutex_);
    scripts_[path] = std::move(statuses);
  }
  void set_used_weight(std::string weight) { used_weight_ = std::move(weight); }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<SteadyClock::time_point> arrivals() {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, std::vector<int>> scripts_;
  std::vector<SteadyClock::time_point> arrivals_;
  std::string used_weight_ = "0";
};

// Runs an io_context on its own thread, as a connector does.
class IoThread {
 public:
  IoThread() : guard_(boost::asio::make_work_guard(io)), thread_([this] { io.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io.stop();
    thread_.join();
  }
  template <typename F>
  void post(F f) {
    boost::asio::post(io, std::move(f));
  }
  boost::asio::io_context io;

 private:
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

VenueRestOptions fast_options() {
  VenueRestOptions options;
  options.exchange = "mockex";
  options.limit = {100, 100};
  options.backoff = {20ms, 200ms, 2.0};
  options.timeout = 500ms;
  return options;
}

// Issues GETs of `paths` and waits until all completed (bounded).
bool get_all(IoThread& thread, VenueRest& rest, ScriptedVenue& venue, const std::vector<std::string>& paths,
             double cost = 1) {
  std::atomic<int> done{0};
  thread.post([&] {
    for (const auto& path : paths) {
      rest.get(path, venue.url("/" + path), cost, [&done](const HttpResponse& response) {
        EXPECT_EQ(response.status, 200);
        ++done;
      });
    }
  });
  for (int i = 0; i < 1000 && done < static_cast<int>(paths.size()); ++i) std::this_thread::sleep_for(10ms);
  return done == static_cast<int>(paths.size());
}

TEST(VenueRest, RetriesServerErrorsAndStalledResponsesUntilAnAnswer) {
  ScriptedVenue venue;
  venue.script("depth", {503, 0, 200});
  RecordingListener listener;
  IoThread thread;
  VenueRest rest(thread.io, fast_options(), listener);
  ASSERT_TRUE(get_all(thread, rest, venue, {"depth"}));
  std::lock_guard lock(listener.mutex);
  EXPECT_EQ(listener.requests, (std::vector<std::string>{"depth:503", "depth:timeout", "depth:200"}));
  EXPECT_EQ(listener.errors, (std::vector<std::string>{"mockex:http_status", "mockex:timeout"}));
}

TEST(VenueRest, RateLimitedAnswerHonoursRetryAfterForEveryRequest) {
  ScriptedVenue venue;
  venue.script("depth", {429});
  venue.script("ticker", {418});
  RecordingListener listener;
  IoThread thread;
  VenueRest rest(thread.io, fast_options(), listener);
  ASSERT_TRUE(get_all(thread, rest, venue, {"depth"}));
  const auto arrivals = venue.arrivals();
  ASSERT_EQ(arrivals.size(), 2U);
  // Retry-After: 1 outweighs the 20 ms backoff.
  EXPECT_GE(arrivals[1] - arrivals[0], 1s);
  ASSERT_TRUE(get_all(thread, rest, venue, {"ticker"}));
  std::lock_guard lock(listener.mutex);
  EXPECT_EQ(listener.requests,
            (std::vector<std::string>{"depth:429", "depth:200", "ticker:418", "ticker:200"}));
  EXPECT_EQ(listener.errors, (std::vector<std::string>{"mockex:rate_limited", "mockex:rate_limited"}));
}

TEST(VenueRest, BlockedBucketHoldsBackOtherEndpointsToo) {
  ScriptedVenue venue;
  venue.script("depth", {429});
  RecordingListener listener;
  IoThread thread;
  VenueRest rest(thread.io, fast_options(), listener);
  std::atomic<int> done{0};
  thread.post([&] { rest.get("depth", venue.url("/depth"), 1, [&](const HttpResponse&) { ++done; }); });
  for (int i = 0; i < 200 && venue.arrivals().empty(); ++i) std::this_thread::sleep_for(5ms);
  std::this_thread::sleep_for(100ms);  // the 429 has been handled: the bucket is blocked
  thread.post([&] { rest.get("ticker", venue.url("/ticker"), 1, [&](const HttpResponse&) { ++done; }); });
  for (int i = 0; i < 500 && done < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(done, 2);
  const auto arrivals = venue.arrivals();
  ASSERT_EQ(arrivals.size(), 3U);
  EXPECT_GE(arrivals[1] - arrivals[0], 900ms) << "the ticker request waited for the venue's Retry-After";
}

TEST(VenueRest, VenueBanStatusBlocksForTheBanDuration) {
  ScriptedVenue venue;
  venue.script("tickers", {403, 403});
  RecordingListener listener;
  IoThread thread;
  VenueRestOptions options = fast_options();
  options.ban_status = 403;
  options.ban_duration = 700ms;
  VenueRest rest(thread.io, options, listener);
  ASSERT_TRUE(get_all(thread, rest, venue, {"tickers"}));
  const auto arrivals = venue.arrivals();
  ASSERT_EQ(arrivals.size(), 3U);
  EXPECT_GE(arrivals[1] - arrivals[0], 700ms) << "the 20 ms backoff is overruled by the ban";
  EXPECT_GE(arrivals[2] - arrivals[1], 700ms);
  std::lock_guard lock(listener.mutex);
  EXPECT_EQ(listener.errors, (std::vector<std::string>{"mockex:rate_limited", "mockex:rate_limited"}));
}

TEST(VenueRest, StaggersABurstWithinTheVenueLimit) {
  ScriptedVenue venue;
  RecordingListener listener;
  IoThread thread;
  VenueRestOptions options = fast_options();
  options.limit = {2, 10};  // burst of 2, then 10 per second
  VenueRest rest(thread.io, options, listener);
  ASSERT_TRUE(get_all(thread, rest, venue, {"a", "b", "c", "d", "e", "f"}));
  const auto arrivals = venue.arrivals();
  ASSERT_EQ(arrivals.size(), 6U);
  // Two at once, then one per 100 ms: the sixth no earlier than 400 ms after the first.
  EXPECT_GE(arrivals[5] - arrivals[0], 390ms);
  std::lock_guard lock(listener.mutex);
  ASSERT_FALSE(listener.usage.empty());
  EXPECT_GT(*std::max_element(listener.usage.begin(), listener.usage.end()), 0.5);
}

TEST(VenueRest, VenueReportedWeightShrinksTheBudget) {
  ScriptedVenue venue;
  venue.set_used_weight("5400");
  RecordingListener listener;
  IoThread thread;
  VenueRestOptions options = fast_options();
  options.limit = {6000, 100};
  options.used_weight_header = "x-mbx-used-weight-1m";
  options.venue_weight_limit = 6000;
  VenueRest rest(thread.io, options, listener);
  ASSERT_TRUE(get_all(thread, rest, venue, {"depth"}));
  std::lock_guard lock(listener.mutex);
  ASSERT_FALSE(listener.usage.empty());
  EXPECT_GE(listener.usage.back(), 0.89) << "5400 of 6000 used, as the venue says";
}

TEST(VenueRest, GetOnceCountsAFailureAndDoesNotRetry) {
  ScriptedVenue venue;
  venue.script("ticker", {404});
  RecordingListener listener;
  IoThread thread;
  VenueRest rest(thread.io, fast_options(), listener);
  std::atomic<int> done{0};
  thread.post(
      [&] { rest.get_once("ticker", venue.url("/ticker"), 1, [&](const HttpResponse&) { ++done; }); });
  for (int i = 0; i < 200 && venue.arrivals().empty(); ++i) std::this_thread::sleep_for(5ms);
  std::this_thread::sleep_for(200ms);  // ten backoff periods: no retry came
  EXPECT_EQ(venue.arrivals().size(), 1U);
  EXPECT_EQ(done, 0);
  std::promise<std::size_t> waiting;
  thread.post([&] { waiting.set_value(rest.waiting()); });  // read on the io thread that owns it
  EXPECT_EQ(waiting.get_future().get(), 0U);
  ASSERT_TRUE(get_all(thread, rest, venue, {"ticker"}));  // the next poll gets its answer
  std::lock_guard lock(listener.mutex);
  EXPECT_EQ(listener.requests, (std::vector<std::string>{"ticker:404", "ticker:200"}));
  EXPECT_EQ(listener.errors, (std::vector<std::string>{"mockex:http_status"}));
}

TEST(VenueRest, StopCancelsWaitingRequestsWithoutCallingThem) {
  ScriptedVenue venue;
  venue.script("depth", {503, 503, 503, 503, 503, 503, 503, 503});
  RecordingListener listener;
  IoThread thread;
  std::atomic<int> done{0};
  {
    VenueRest rest(thread.io, fast_options(), listener);
    thread.post([&] { rest.get("depth", venue.url("/depth"), 1, [&](const HttpResponse&) { ++done; }); });
    for (int i = 0; i < 200 && venue.arrivals().empty(); ++i) std::this_thread::sleep_for(5ms);
    rest.stop();
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(done, 0);
  const auto seen = venue.arrivals().size();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(venue.arrivals().size(), seen) << "no retries after stop";
}

}  // namespace
}  // namespace tickguard::feeds
