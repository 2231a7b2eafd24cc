// HttpServer: the exporter's HTTP endpoints on cpp-httplib: /metrics, /-/healthy, /-/ready and a
// landing page on /. Runs its own listener thread; handlers call the functions given at construction.
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
};

class HttpServer {
 public:
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
