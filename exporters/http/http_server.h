// HttpServer: the exporter's HTTP endpoints on cpp-httplib: /metrics, /-/healthy, /-/ready, a
// landing page on / (live state for a person, from the API) and whatever `routes` adds. Runs its own
// listener thread and worker pool; handlers call the functions given at construction.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "tickguard/status.h"

namespace httplib {
class Server;
}

namespace tickguard::exporters {

struct HttpServerOptions {
  std::string host;                 // empty = all interfaces
  int port = 9787;                  // 0 = any free port (see port())
  std::string version = "unknown";  // shown on the landing page
};

struct HttpHandlers {
  std::function<std::string()> metrics;  // Prometheus text exposition
  std::function<bool()> ready;           // true once every feed has delivered data
  std::function<bool()> healthy;         // false when the daemon is wedged (a restart would help)
  // More endpoints (the anomaly API), registered once at construction. Optional.
  std::function<void(httplib::Server&)> routes{};
  // Called at the start of stop(), before the listener stops: end long-lived responses (event
  // streams) so that stop() does not wait for them. Optional.
  std::function<void()> before_stop{};
};

class HttpServer {
 public:
  // Worker threads: /metrics, probes and API calls share them with up to AnomalyApi::kMaxStreams
  // long-lived event streams.
  static constexpr std::size_t kWorkerThreads = 16;

  HttpServer(HttpServerOptions options, HttpHandlers handlers);
  ~HttpServer();

  // Binds and starts serving on a background thread. Error if the address cannot be bound.
  Status start();
  // Stops serving and joins the thread. Idempotent.
  void stop();
  // The bound port (useful when options.port was 0). Valid after a successful start().
  int port() const { return port_; }

 private:
  HttpServerOptions options_;
  HttpHandlers handlers_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace tickguard::exporters
