#include "feeds/common/http_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <future>

namespace tickguard::feeds {
namespace {

using namespace std::chrono_literals;

// A REST server on loopback playing the exchange.
class LoopbackServer {
 public:
  LoopbackServer() {
    server_.Get("/api/v3/depth", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-MBX-USED-WEIGHT-1M", "17");
      res.set_content(std::string(20000, 'x'), "text/plain");  // compressible: exercises gzip
    });
    server_.Get("/limited", [](const httplib::Request&, httplib::Response& res) {
      res.status = 429;
      res.set_header("Retry-After", "7");
    });
    server_.Get("/banned", [](const httplib::Request&, httplib::Response& res) {
      res.status = 418;
      res.set_header("Retry-After", "120");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1500ms);
      res.set_content("late", "text/plain");
    });
    server_.Get("/error", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

HttpRequest get(std::string url) {
  HttpRequest request;
  request.url = std::move(url);
  return request;
}

HttpResponse fetch(HttpClient& client, HttpRequest request) {
  std::promise<HttpResponse> promise;
  auto future = promise.get_future();
  client.submit(std::move(request), [&promise](HttpResponse r) { promise.set_value(std::move(r)); });
  return future.get();
}

TEST(HttpClient, FetchesBodyAndHeadersWithCompression) {
  LoopbackServer server;
  HttpClient client;
  const HttpResponse r = fetch(client, [&] {
    HttpRequest request = get(server.url("/api/v3/depth"));
    request.headers = {"Accept: application/json"};
    return request;
  }());
  ASSERT_EQ(r.error, HttpResponse::Error::kNone) << r.error_message;
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(20000, 'x'));
  EXPECT_EQ(r.header("x-mbx-used-weight-1m"), "17");
  // libcurl offered every encoding it decodes; the server chose one and the body arrived decoded.
  const auto encoding = r.header("content-encoding");
  ASSERT_TRUE(encoding);
  EXPECT_TRUE(*encoding == "gzip" || *encoding == "br") << *encoding;
}

TEST(HttpClient, ReportsRateLimitStatusWithRetryAfter) {
  LoopbackServer server;
  HttpClient client;
  HttpResponse r = fetch(client, get(server.url("/limited")));
  EXPECT_EQ(r.status, 429);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.retry_after, 7s);
  r = fetch(client, get(server.url("/banned")));
  EXPECT_EQ(r.status, 418);
  EXPECT_EQ(r.retry_after, 120s);
  r = fetch(client, get(server.url("/error")));
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.retry_after);
}

TEST(HttpClient, TimesOutAStalledResponse) {
  LoopbackServer server;
  HttpClient client;
  HttpRequest request = get(server.url("/slow"));
  request.timeout = 300ms;
  const HttpResponse r = fetch(client, request);
  EXPECT_EQ(r.error, HttpResponse::Error::kTimeout);
  EXPECT_STREQ(error_kind(r.error), "timeout");
  EXPECT_FALSE(r.error_message.empty());
}

TEST(HttpClient, ReportsRefusedConnection) {
  int port;
  {
    LoopbackServer closed;  // bind, learn a port, close it again
    port = std::stoi(closed.url("").substr(std::string("http://127.0.0.1:").size()));
  }
  HttpClient client;
  const HttpResponse r = fetch(client, get("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(r.error, HttpResponse::Error::kConnect) << r.error_message;
}

TEST(HttpClient, RunsManyRequestsConcurrentlyOnOneThread) {
  LoopbackServer server;
  HttpClient client;
  std::atomic<int> done{0};
  std::promise<void> all;
  constexpr int kRequests = 50;
  for (int i = 0; i < kRequests; ++i) {
    client.submit(get(server.url("/api/v3/depth")), [&](HttpResponse r) {
      EXPECT_TRUE(r.ok()) << error_kind(r.error) << " " << r.error_message << " status " << r.status;
      if (++done == kRequests) all.set_value();
    });
  }
  all.get_future().get();
  EXPECT_EQ(done.load(), kRequests);
}

TEST(HttpClient, StopCancelsInFlightAndLaterRequests) {
  LoopbackServer server;
  HttpClient client;
  std::promise<HttpResponse> in_flight;
  client.submit(get(server.url("/slow")), [&](HttpResponse r) { in_flight.set_value(std::move(r)); });
  std::this_thread::sleep_for(100ms);
  client.stop();
  EXPECT_EQ(in_flight.get_future().get().error, HttpResponse::Error::kCancelled);
  const HttpResponse late = fetch(client, get(server.url("/api/v3/depth")));
  EXPECT_EQ(late.error, HttpResponse::Error::kCancelled);
}

}  // namespace
}  // namespace tickguard::feeds
