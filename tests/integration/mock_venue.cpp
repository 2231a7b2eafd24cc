#include "mock_venue.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstdio>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <variant>

namespace tickguard::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {
constexpr time_t kReadBoundSeconds = 60;  // no blocking read on a mock connection lasts longer
}  // namespace

std::vector<std::string> fixture_lines(const std::string& venue, const std::string& file) {
  std::ifstream in(std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/" + venue + "/" + file);
  if (!in) throw std::runtime_error("missing fixture " + venue + "/" + file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// ---- REST ----

void MockRest::start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(1ms);
}

MockRest::~MockRest() {
  if (!thread_.joinable()) return;
  server_.stop();
  thread_.join();
}

// ---- TLS material ----

namespace {

// A self-signed certificate for 127.0.0.1 (EC P-256), written as PEM to `cert` and `key`.
void write_self_signed_certificate(const std::string& cert, const std::string& key) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x509 = X509_new();
  X509_set_version(x509, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
  X509_gmtime_adj(X509_getm_notBefore(x509), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x509), 24 * 3600);
  X509_set_pubkey(x509, pkey);
  X509_NAME* name = X509_get_subject_name(x509);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"),
                             -1, -1, 0);
  X509_set_issuer_name(x509, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x509, x509, nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_subject_alt_name, "IP:127.0.0.1"}, std::pair{NID_basic_constraints, "critical,CA:TRUE"},
        std::pair{NID_key_usage, "digitalSignature,keyCertSign"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x509, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x509, pkey, EVP_sha256());
  FILE* out = std::fopen(cert.c_str(), "w");
  PEM_write_X509(out, x509);
  std::fclose(out);
  out = std::fopen(key.c_str(), "w");
  PEM_write_PrivateKey(out, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(x509);
  EVP_PKEY_free(pkey);
}

}  // namespace

// ---- WebSocket ----

struct MockConnection::Impl {
  using Plain = websocket::stream<tcp::socket>;
  using Tls = websocket::stream<beast::ssl_stream<tcp::socket>>;
  std::variant<std::monostate, std::unique_ptr<Plain>, std::unique_ptr<Tls>> ws;
  int fd = -1;
  bool open = true;

  template <typename F>
  auto with(F f) {
    if (auto* plain = std::get_if<std::unique_ptr<Plain>>(&ws)) return f(**plain);
    return f(*std::get<std::unique_ptr<Tls>>(ws));
  }
};

MockConnection::MockConnection(std::unique_ptr<Impl> impl, int index, MockWebSocket& server)
    : impl_(std::move(impl)), index_(index), server_(server) {}

MockConnection::~MockConnection() = default;

bool MockConnection::stopping() const { return server_.stopping_; }

bool MockConnection::read(std::string& message, std::chrono::milliseconds timeout) {
  if (!impl_->open) return false;
  if (timeout > 0ms) {
    const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                     static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(impl_->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  beast::flat_buffer buffer;
  beast::error_code ec;
  impl_->with([&](auto& ws) { ws.read(buffer, ec); });
  if (timeout > 0ms) {  // back to the server-wide bound for later reads
    const timeval tv{kReadBoundSeconds, 0};
    ::setsockopt(impl_->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  if (ec) {
    impl_->open = false;
    return false;
  }
  message = beast::buffers_to_string(buffer.data());
  server_.record(message);
  return true;
}

bool MockConnection::write(std::string_view text) {
  if (!impl_->open) return false;
  beast::error_code ec;
  impl_->with([&](auto& ws) {
    ws.text(true);
    ws.write(asio::buffer(text.data(), text.size()), ec);
  });
  if (ec) impl_->open = false;
  return !ec;
}

void MockConnection::close() {
  if (!impl_->open) return;
  beast::error_code ec;
  impl_->with([&](auto& ws) { ws.close(websocket::close_code::normal, ec); });
  impl_->open = false;
}

void MockConnection::drop() {
  if (!impl_->open) return;
  ::shutdown(impl_->fd, SHUT_RDWR);
  impl_->open = false;
}

void MockConnection::go_silent() {
  std::string ignored;
  while (!stopping() && read(ignored)) {
  }
}

MockWebSocket::MockWebSocket(Session session, bool tls)
    : session_(std::move(session)), tls_(tls), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
  if (tls_) {
    cert_file_ = (dir_.path() / "cert.pem").string();
    write_self_signed_certificate(cert_file_, (dir_.path() / "key.pem").string());
  }
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

MockWebSocket::~MockWebSocket() {
  stopping_ = true;
  // Unblock a session waiting in read (the client may keep its connection open), then accept().
  if (const int fd = current_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
  beast::error_code ec;
  tcp::socket poke(io_);
  poke.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
  acceptor_.cancel(ec);
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
  thread_.join();
}

std::string MockWebSocket::url(const std::string& path) const {
  return std::string(tls_ ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::string> MockWebSocket::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

bool MockWebSocket::wait_for_received(const std::string& needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& message : received()) {
      if (message.find(needle) != std::string::npos) return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

void MockWebSocket::record(std::string message) {
  std::lock_guard lock(mutex_);
  received_.push_back(std::move(message));
}

void MockWebSocket::serve() {
  std::optional<asio::ssl::context> ssl;
  if (tls_) {
    ssl.emplace(asio::ssl::context::tls_server);
    ssl->use_certificate_chain_file(cert_file_);
    ssl->use_private_key_file((dir_.path() / "key.pem").string(), asio::ssl::context::pem);
  }
  for (int index = 0;; ++index) {
    beast::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec || stopping_) return;
    if (!accepting_) {
      ++refused_;
      socket.close(ec);
      continue;
    }
    auto impl = std::make_unique<MockConnection::Impl>();
    impl->fd = socket.native_handle();
    // A stalled client must not hang the server forever: bound every blocking read.
    const timeval tv{kReadBoundSeconds, 0};
    ::setsockopt(impl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (tls_) {
      auto ws = std::make_unique<MockConnection::Impl::Tls>(std::move(socket), *ssl);
      ws->next_layer().handshake(asio::ssl::stream_base::server, ec);
      if (!ec) ws->accept(ec);
      impl->ws = std::move(ws);
    } else {
      auto ws = std::make_unique<MockConnection::Impl::Plain>(std::move(socket));
      ws->accept(ec);
      impl->ws = std::move(ws);
    }
    if (ec) continue;  // e.g. a client that rejected our certificate
    ++connections_;
    current_fd_ = impl->fd;
    MockConnection connection(std::move(impl), index, *this);
    if (!stopping_) session_(connection);
    connection.close();
    current_fd_ = -1;
  }
}

const std::map<std::string, std::string>& no_labels() {
  static const std::map<std::string, std::string> empty;
  return empty;
}

std::vector<Sample> scrape_until(const DaemonProcess& daemon, const std::string& name,
                                 const std::map<std::string, std::string>& labels, double at_least,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<Sample> samples;
  do {
    samples = daemon.scrape();
    if (sum_of(samples, name, labels) >= at_least) break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return samples;
}

}  // namespace tickguard::testing
