#include "exporters/http/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>

namespace tickguard::exporters {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(
        HttpServerOptions{"127.0.0.1", 0, "1.2.3"},
        HttpHandlers{.metrics = [] { return std::string("metric_a 1\n"); },
                     .ready = [this] { return ready_.load(); },
                     .healthy = [this] { return healthy_.load(); },
                     .routes =
                         [](httplib::Server& server) {
                           server.Get("/extra", [](const httplib::Request&, httplib::Response& res) {
                             res.set_content("extra", "text/plain");
                           });
                         },
                     .before_stop = [this] { ++before_stop_calls_; }});
    ASSERT_TRUE(server_->start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  std::atomic<bool> ready_{false};
  std::atomic<bool> healthy_{true};
  std::atomic<int> before_stop_calls_{0};
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, ServesMetricsInTextFormat) {
  auto res = client_->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "metric_a 1\n");
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
}

TEST_F(HttpServerTest, HealthyUnlessHandlerReportsAStall) {
  auto res = client_->Get("/-/healthy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  healthy_ = false;
  res = client_->Get("/-/healthy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

TEST_F(HttpServerTest, ReadyOnlyWhenHandlerSaysSo) {
  auto res = client_->Get("/-/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  ready_ = true;
  res = client_->Get("/-/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpServerTest, LandingPageLinksEndpointsAndShowsVersion) {
  auto res = client_->Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  // Links, the version, the live tables the script fills and the API it reads.
  for (const char* needle :
       {"href=\"/metrics\"", "href=\"/-/healthy\"", "href=\"/-/ready\"", "1.2.3", "id=\"symbols\"",
        "id=\"anomalies\"", "/api/v1/symbols", "/api/v1/stream", "new EventSource("}) {
    EXPECT_NE(res->body.find(needle), std::string::npos) << needle;
  }
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  auto res = client_->Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(HttpServerTest, SecondServerOnSamePortFailsWithClearError) {
  HttpServer other(HttpServerOptions{"127.0.0.1", server_->port(), "x"},
                   HttpHandlers{.metrics = [] { return std::string(); },
                                .ready = [] { return true; },
                                .healthy = [] { return true; }});
  Status s = other.start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot listen on 127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << s.message();
}

TEST_F(HttpServerTest, StopIsIdempotentAndEndsLongResponsesFirst) {
  server_->stop();
  server_->stop();
  EXPECT_FALSE(client_->Get("/metrics"));
  EXPECT_EQ(before_stop_calls_.load(), 1);
}

TEST_F(HttpServerTest, ExtraRoutesAreServed) {
  auto res = client_->Get("/extra");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "extra");
}

}  // namespace
}  // namespace tickguard::exporters
