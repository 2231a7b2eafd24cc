// WebSocketClient: one venue connection over Boost.Beast, ws:// or wss:// (OpenSSL, SNI, peer
// certificate and host name verified), driven by C++20 coroutines on the caller's io_context
// thread. It reconnects with jittered exponential backoff, treats a connection as dead when no
// *data* message arrived for silence_timeout (venue heartbeats do not count), answers protocol
// pings, and reconnects on purpose before max_connection_age (venues cut connections at 24 h).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "feeds/common/backoff.h"
#include "tickguard/clock.h"
#include "tickguard/status.h"

namespace tickguard::feeds {

struct WebSocketOptions {
  std::string url;  // ws://host[:port]/path or wss://host[:port]/path
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds silence_timeout{30000};  // without a data message: reconnect
  std::chrono::milliseconds max_connection_age{23 * 3600 * 1000};
  BackoffOptions backoff;
};

// Receives everything about one connection, on the io_context thread.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  // Connected: send subscriptions now (WebSocketClient::send).
  virtual void on_open() = 0;
  // One text frame. Return true if it carried market data (resets the silence timer), false for
  // acks and venue heartbeats. The view is valid during the call only.
  virtual bool on_message(std::string_view frame, Timestamp receive_time) = 0;
  // The connection ended (error, silence, planned reconnect or stop); `reason` says which. A
  // reconnect follows unless the client is stopping.
  virtual void on_close(std::string_view reason) = 0;
};

// The tickguard_feed_errors_total kind of an on_close reason: "resolve", "connect", "tls",
// "handshake", "silence" (no data for silence_timeout) or "disconnected" (the connection broke);
// empty for a deliberate close (stop, planned reconnect).
std::string_view close_error_kind(std::string_view reason);

class WebSocketClient {
 public:
  // Error if the URL is not ws:// or wss://. The io_context, clock and handler must outlive the
  // client; run the io_context on one thread.
  static Status validate_url(std::string_view url);
  WebSocketClient(boost::asio::io_context& io, WebSocketOptions options, WebSocketHandler& handler,
                  const Clock& clock);
  ~WebSocketClient();

  // Starts connecting (and reconnecting) on the io_context.
  void start();
  // Closes the connection and stops reconnecting; safe from any thread.
  void stop();
  // Queues a text frame on the current connection (dropped if not connected). io_context thread.
  void send(std::string text);
  // Connections opened since start (1 + reconnects).
  int connections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tickguard::feeds
