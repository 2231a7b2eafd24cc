// HttpClient: REST requests over the libcurl multi interface on one I/O thread. Connections are
// kept alive and reused (the multi handle's connection cache), HTTP/2 is used where the server
// offers it, responses may be compressed, TLS peers are always verified. Errors are values.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tickguard::feeds {

struct HttpRequest {
  std::string url;                   // http:// or https://
  std::vector<std::string> headers;  // "Name: value"
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{10000};  // whole transfer
};

struct HttpResponse {
  enum class Error { kNone, kTimeout, kConnect, kResolve, kTls, kCancelled, kOther };
  Error error = Error::kNone;
  std::string error_message;                        // libcurl's explanation when error != kNone
  long status = 0;                                  // HTTP status when error == kNone
  std::string body;                                 // decompressed
  std::optional<std::chrono::seconds> retry_after;  // from a Retry-After header (seconds form)
  // Response headers, names lower-cased (e.g. "x-mbx-used-weight-1m").
  std::vector<std::pair<std::string, std::string>> headers;

  bool ok() const { return error == Error::kNone && status >= 200 && status < 300; }
  // The value of header `lower_case_name`, or nullopt.
  std::optional<std::string> header(const std::string& lower_case_name) const;
};

// Short label of an error, used as the `kind` of tickguard_feed_errors_total.
const char* error_kind(HttpResponse::Error error);

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();  // stop()
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Callback = std::function<void(HttpResponse)>;
  // Queues a request; `done` runs on the I/O thread when it completes or fails. Thread-safe.
  // After stop(), `done` runs at once with kCancelled.
  void submit(HttpRequest request, Callback done);
  // Cancels transfers in flight (their callbacks get kCancelled) and joins the I/O thread.
  void stop();

 private:
  struct Transfer;
  void run();

  void* multi_ = nullptr;  // CURLM*
  std::mutex mutex_;
  std::deque<std::unique_ptr<Transfer>> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tickguard::feeds
