#include "feeds/common/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace tickguard::feeds {

struct HttpClient::Transfer {
  HttpRequest request;
  Callback done;
  HttpResponse response;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;

  ~Transfer() {
    if (headers != nullptr) curl_slist_free_all(headers);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

namespace {

constexpr long kMaxConnectionsPerHost = 4;

void global_init() {
  static const bool initialized = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)initialized;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  response->body.append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  const std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    if (name == "retry-after") {
      long seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
        response->retry_after = std::chrono::seconds(seconds);
      } else if (const time_t when = curl_getdate(std::string(value).c_str(), nullptr); when > 0) {
        // HTTP-date form: convert to a delay from now.
        response->retry_after =
            std::chrono::seconds(std::max<long>(0, static_cast<long>(when - time(nullptr))));
      }
    }
    response->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

HttpResponse::Error classify(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return HttpResponse::Error::kNone;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpResponse::Error::kTimeout;
    case CURLE_COULDNT_CONNECT:
      return HttpResponse::Error::kConnect;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return HttpResponse::Error::kResolve;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return HttpResponse::Error::kTls;
    default:
      return HttpResponse::Error::kOther;
  }
}

void configure(HttpClient::Callback&, HttpRequest& request, HttpResponse& response, CURL* easy,
               curl_slist*& headers) {
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "tickguard");
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl supports
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &response);
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  if (headers != nullptr) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
}

}  // namespace

std::optional<std::string> HttpResponse::header(const std::string& lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return std::nullopt;
}

const char* error_kind(HttpResponse::Error error) {
  switch (error) {
    case HttpResponse::Error::kNone:
      return "none";
    case HttpResponse::Error::kTimeout:
      return "timeout";
    case HttpResponse::Error::kConnect:
      return "connect";
    case HttpResponse::Error::kResolve:
      return "resolve";
    case HttpResponse::Error::kTls:
      return "tls";
    case HttpResponse::Error::kCancelled:
      return "cancelled";
    case HttpResponse::Error::kOther:
      return "other";
  }
  return "other";
}

HttpClient::HttpClient() {
  global_init();
  multi_ = curl_multi_init();
  // Few connections per venue, reused for every request (keep-alive); transfers beyond the limit
  // wait in libcurl's queue instead of opening more sockets to the exchange.
  curl_multi_setopt(static_cast<CURLM*>(multi_), CURLMOPT_MAX_HOST_CONNECTIONS, kMaxConnectionsPerHost);
  curl_multi_setopt(static_cast<CURLM*>(multi_), CURLMOPT_MAX_TOTAL_CONNECTIONS, 8 * kMaxConnectionsPerHost);
  thread_ = std::thread([this] { run(); });
}

HttpClient::~HttpClient() {
  stop();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void HttpClient::submit(HttpRequest request, Callback done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      pending_.push_back(std::move(transfer));
      curl_multi_wakeup(static_cast<CURLM*>(multi_));
      return;
    }
  }
  transfer->response.error = HttpResponse::Error::kCancelled;
  transfer->done(std::move(transfer->response));
}

void HttpClient::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  if (thread_.joinable()) thread_.join();
}

void HttpClient::run() {
  auto* multi = static_cast<CURLM*>(multi_);
  std::vector<std::unique_ptr<Transfer>> active;
  const auto finish = [&](Transfer* transfer) {
    curl_multi_remove_handle(multi, transfer->easy);
    auto it = std::find_if(active.begin(), active.end(), [&](const auto& t) { return t.get() == transfer; });
    std::unique_ptr<Transfer> owned = std::move(*it);
    active.erase(it);
    owned->done(std::move(owned->response));
  };

  for (;;) {
    std::deque<std::unique_ptr<Transfer>> incoming;
    bool stopping;
    {
      std::lock_guard lock(mutex_);
      incoming.swap(pending_);
      stopping = stopping_;
    }
    for (auto& transfer : incoming) {
      if (stopping) {
        transfer->response.error = HttpResponse::Error::kCancelled;
        transfer->done(std::move(transfer->response));
        continue;
      }
      transfer->easy = curl_easy_init();
      configure(transfer->done, transfer->request, transfer->response, transfer->easy, transfer->headers);
      curl_easy_setopt(transfer->easy, CURLOPT_PRIVATE, transfer.get());
      curl_multi_add_handle(multi, transfer->easy);
      active.push_back(std::move(transfer));
    }
    if (stopping) {
      while (!active.empty()) {
        Transfer* transfer = active.back().get();
        transfer->response = HttpResponse{};
        transfer->response.error = HttpResponse::Error::kCancelled;
        finish(transfer);
      }
      return;
    }

    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* transfer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      const CURLcode code = message->data.result;
      transfer->response.error = classify(code);
      if (code == CURLE_OK) {
        curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &transfer->response.status);
      } else {
        transfer->response.error_message = curl_easy_strerror(code);
      }
      finish(transfer);
    }
    curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
}

}  // namespace tickguard::feeds
