#include "exporters/http/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

#include "exporters/http/landing_page.h"

namespace tickguard::exporters {
namespace {

constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, HttpHandlers handlers)
    : options_(std::move(options)),
      handlers_(std::move(handlers)),
      server_(std::make_unique<httplib::Server>()) {
  // cpp-httplib defaults to SO_REUSEPORT, which would let a second instance share our port silently.
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(handlers_.metrics(), kMetricsContentType);
  });
  server_->Get("/-/healthy", [this](const httplib::Request&, httplib::Response& res) {
    if (handlers_.healthy()) {
      res.set_content("Healthy.\n", "text/plain; charset=utf-8");
    } else {
      res.status = 503;
      res.set_content("Unhealthy: a detector thread has stalled.\n", "text/plain; charset=utf-8");
    }
  });
  server_->Get("/-/ready", [this](const httplib::Request&, httplib::Response& res) {
    if (handlers_.ready()) {
      res.set_content("Ready.\n", "text/plain; charset=utf-8");
    } else {
      res.status = 503;
      res.set_content("Not ready: waiting for data from every feed.\n", "text/plain; charset=utf-8");
    }
  });
  server_->Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(landing_page(options_.version), "text/html; charset=utf-8");
  });

  if (handlers_.routes) handlers_.routes(*server_);
}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  const std::string host = options_.host.empty() ? "0.0.0.0" : options_.host;
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ < 0) port_ = 0;
  } else if (server_->bind_to_port(host, options_.port)) {
    port_ = options_.port;
  }
  if (port_ == 0) {
    return Status::Unavailable("cannot listen on " + host + ":" + std::to_string(options_.port) +
                               " (address in use or not available)");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is only effective once the accept loop runs; wait for it (bounded) so stop never hangs.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void HttpServer::stop() {
  if (!thread_.joinable()) return;
  if (handlers_.before_stop) handlers_.before_stop();
  server_->stop();
  thread_.join();
}

}  // namespace tickguard::exporters
