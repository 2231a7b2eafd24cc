#include "feeds/common/websocket_client.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <functional>
#include <optional>

namespace tickguard::feeds {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::ip::tcp;

namespace {

struct ParsedUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

std::optional<ParsedUrl> parse_url(std::string_view url) {
  ParsedUrl out;
  if (url.rfind("wss://", 0) == 0) {
    out.tls = true;
    url.remove_prefix(6);
  } else if (url.rfind("ws://", 0) == 0) {
    url.remove_prefix(5);
  } else {
    return std::nullopt;
  }
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    out.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
  } else {
    out.port = out.tls ? "443" : "80";
  }
  out.host = std::string(authority);
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

}  // namespace

std::string_view close_error_kind(std::string_view reason) {
  for (std::string_view kind : {"resolve", "connect", "tls", "handshake", "silence"}) {
    if (reason.size() > kind.size() && reason.substr(0, kind.size()) == kind && reason[kind.size()] == ':') {
      return kind;
    }
  }
  if (reason.substr(0, 5) == "read:") return "disconnected";
  return {};
}

struct WebSocketClient::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, WebSocketOptions options, WebSocketHandler& handler, const Clock& clock)
      : io(io),
        options(std::move(options)),
        handler(handler),
        clock(clock),
        backoff(this->options.backoff),
        retry_timer(io) {
    ssl.set_default_verify_paths();
    ssl.set_verify_mode(asio::ssl::verify_peer);
  }

  awaitable<void> run() {
    auto self = shared_from_this();
    while (!stopping) {
      // Not a conditional expression: GCC 12 miscompiles co_await inside `?:`.
      std::string reason;
      if (url.tls) {
        reason = co_await session<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>();
      } else {
        reason = co_await session<websocket::stream<beast::tcp_stream>>();
      }
      handler.on_close(reason);
      if (stopping) break;
      beast::error_code ec;
      retry_timer.expires_after(backoff.next());
      co_await retry_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  template <typename Ws>
  Ws make_stream() {
    if constexpr (std::is_same_v<Ws, websocket::stream<beast::tcp_stream>>) {
      return Ws(io);
    } else {
      return Ws(io, ssl);
    }
  }

  // One connection, from resolve to close. Returns why it ended.
  template <typename Ws>
  awaitable<std::string> session() {
    beast::error_code ec;
    const auto with_ec = [&ec] { return asio::redirect_error(asio::use_awaitable, ec); };
    tcp::resolver resolver(io);
    const auto endpoints = co_await resolver.async_resolve(url.host, url.port, with_ec());
    if (ec) co_return "resolve: " + ec.message();
    Ws ws = make_stream<Ws>();
    auto& tcp_layer = beast::get_lowest_layer(ws);
    abort = [&tcp_layer] { tcp_layer.socket().close(); };
    if (stopping) co_return "stopped";
    tcp_layer.expires_after(options.connect_timeout);
    co_await tcp_layer.async_connect(endpoints, with_ec());
    if (ec) co_return "connect: " + ec.message();
    if constexpr (!std::is_same_v<Ws, websocket::stream<beast::tcp_stream>>) {
      if (!SSL_set_tlsext_host_name(ws.next_layer().native_handle(), url.host.c_str())) co_return "tls: SNI";
      ws.next_layer().set_verify_callback(asio::ssl::host_name_verification(url.host));
      co_await ws.next_layer().async_handshake(asio::ssl::stream_base::client, with_ec());
      if (ec) co_return "tls: " + ec.message();
    }
    tcp_layer.expires_never();
    // Beast pings when the peer is quiet and drops a connection that answers nothing at all.
    websocket::stream_base::timeout timeouts{options.connect_timeout, options.silence_timeout, true};
    ws.set_option(timeouts);
    co_await ws.async_handshake(url.host, url.target, with_ec());
    if (ec) co_return "handshake: " + ec.message();

    ++connections;
    backoff.reset();
    const auto opened = std::chrono::steady_clock::now();
    last_data = opened;
    end_reason.clear();
    std::deque<std::string> outbox;
    bool writing = false;
    kick = [&, this](std::string text) {
      outbox.push_back(std::move(text));
      if (writing) return;
      writing = true;
      asio::co_spawn(
          io,
          [&, this, self = shared_from_this()]() -> awaitable<void> {
            beast::error_code write_ec;
            while (!outbox.empty() && kick) {
              std::string frame = std::move(outbox.front());
              outbox.pop_front();
              co_await ws.async_write(asio::buffer(frame),
                                      asio::redirect_error(asio::use_awaitable, write_ec));
              if (write_ec) break;
            }
            writing = false;
          },
          asio::detached);
    };
    // Data-silence and connection-age watchdog.
    asio::steady_timer watchdog(io);
    bool open = true;
    asio::co_spawn(
        io,
        [&, this, self = shared_from_this()]() -> awaitable<void> {
          beast::error_code wait_ec;
          while (open) {
            watchdog.expires_after(std::chrono::milliseconds(
                std::min<std::int64_t>(250, std::max<std::int64_t>(1, options.silence_timeout.count() / 4))));
            co_await watchdog.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
            if (!open) break;
            const auto now = std::chrono::steady_clock::now();
            if (now - last_data > options.silence_timeout) {
              end_reason =
                  "silence: no data message for " + std::to_string(options.silence_timeout.count()) + " ms";
            } else if (now - opened > options.max_connection_age) {
              end_reason = "planned reconnect: connection age limit";
            } else {
              continue;
            }
            tcp_layer.socket().close();
            break;
          }
        },
        asio::detached);

    handler.on_open();
    beast::flat_buffer buffer;
    std::string reason;
    for (;;) {
      co_await ws.async_read(buffer, with_ec());
      if (ec) {
        if (!end_reason.empty()) {
          reason = end_reason;
        } else if (stopping) {
          reason = "stopped";
        } else {
          reason = "read: " + ec.message();
        }
        break;
      }
      const auto data = buffer.cdata();
      const std::string_view frame(static_cast<const char*>(data.data()), data.size());
      if (handler.on_message(frame, clock.now())) last_data = std::chrono::steady_clock::now();
      buffer.consume(buffer.size());
    }
    open = false;
    watchdog.cancel();
    kick = nullptr;
    abort = nullptr;
    beast::error_code ignored;
    tcp_layer.socket().close(ignored);
    // Let the writer and watchdog coroutines observe the closed socket before the stream dies.
    asio::steady_timer settle(io);
    settle.expires_after(std::chrono::milliseconds(1));
    co_await settle.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    while (writing) {
      settle.expires_after(std::chrono::milliseconds(1));
      co_await settle.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return reason;
  }

  asio::io_context& io;
  WebSocketOptions options;
  WebSocketHandler& handler;
  const Clock& clock;
  ParsedUrl url;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  Backoff backoff;
  asio::steady_timer retry_timer;
  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
  std::chrono::steady_clock::time_point last_data{};
  std::string end_reason;
  std::function<void(std::string)> kick;  // set while connected
  std::function<void()> abort;            // closes the current socket
};

Status WebSocketClient::validate_url(std::string_view url) {
  return parse_url(url)
             ? Status::Ok()
             : Status::InvalidArgument("not a WebSocket URL (ws://HOST[:PORT]/PATH or wss://...): " +
                                       std::string(url));
}

WebSocketClient::WebSocketClient(asio::io_context& io, WebSocketOptions options, WebSocketHandler& handler,
                                 const Clock& clock)
    : state_(std::make_shared<State>(io, std::move(options), handler, clock)) {
  if (auto parsed = parse_url(state_->options.url)) state_->url = *parsed;
}

WebSocketClient::~WebSocketClient() { stop(); }

void WebSocketClient::start() {
  auto state = state_;
  asio::co_spawn(
      state->io, [state]() { return state->run(); }, asio::detached);
}

void WebSocketClient::stop() {
  auto state = state_;
  if (state->stopping.exchange(true)) return;
  asio::post(state->io, [state] {
    state->retry_timer.cancel();
    if (state->abort) state->abort();
  });
}

void WebSocketClient::send(std::string text) {
  if (state_->kick) state_->kick(std::move(text));
}

int WebSocketClient::connections() const { return state_->connections.load(); }

}  // namespace tickguard::feeds
