#include "feeds/common/venue_rest.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <list>

#include "core/log.h"

namespace tickguard::feeds {

namespace asio = boost::asio;

namespace {

// What a failed answer counts as in tickguard_feed_errors_total.
const char* failure_kind(const HttpResponse& response, bool rate_limited) {
  if (response.error != HttpResponse::Error::kNone) return error_kind(response.error);
  if (rate_limited) return "rate_limited";
  return "http_status";
}

std::string code_label(const HttpResponse& response) {
  if (response.error != HttpResponse::Error::kNone) return error_kind(response.error);
  return std::to_string(response.status);
}

}  // namespace

struct VenueRest::State : std::enable_shared_from_this<State> {
  struct Request {
    Request(asio::io_context& io, std::string endpoint, std::string url, double cost, Done done,
            const BackoffOptions& backoff, bool retry)
        : retry(retry),
          endpoint(std::move(endpoint)),
          url(std::move(url)),
          cost(cost),
          done(std::move(done)),
          backoff(backoff),
          timer(io) {}
    bool retry;
    std::string endpoint;
    std::string url;
    double cost;
    Done done;
    Backoff backoff;
    asio::steady_timer timer;
  };
  using RequestList = std::list<Request>;

  State(asio::io_context& io, VenueRestOptions options, FeedListener& listener)
      : io(io),
        options(std::move(options)),
        listener(listener),
        limiter(this->options.limit),
        idle_report(io) {}

  void attempt(RequestList::iterator request) {
    if (stopped) return;
    const auto now = RateLimiter::Clock::now();
    const auto wait = limiter.try_acquire(request->cost, now);
    if (wait > RateLimiter::Clock::duration::zero()) {
      request->timer.expires_after(wait);
      request->timer.async_wait([weak = weak_from_this(), request](const boost::system::error_code& ec) {
        if (auto self = weak.lock(); self && !ec) self->attempt(request);
      });
      return;
    }
    report_usage(now);
    HttpRequest http_request;
    http_request.url = request->url;
    http_request.timeout = options.timeout;
    http.submit(std::move(http_request), [weak = weak_from_this(), request](HttpResponse response) {
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->io, [weak, request, response = std::move(response)] {
        if (auto self = weak.lock()) self->on_response(request, response);
      });
    });
  }

  void on_response(RequestList::iterator request, const HttpResponse& response) {
    if (stopped || response.error == HttpResponse::Error::kCancelled) return;
    const auto now = RateLimiter::Clock::now();
    listener.on_rest_request(options.exchange, request->endpoint, code_label(response));
    if (!options.used_weight_header.empty()) {
      if (auto used = response.header(options.used_weight_header)) {
        double value = 0;
        const auto [end, ec] = std::from_chars(used->data(), used->data() + used->size(), value);
        if (ec == std::errc()) limiter.observe_used(value, options.venue_weight_limit, now);
      }
    }
    if (response.ok()) {
      report_usage(now);
      Done done = std::move(request->done);
      requests.erase(request);
      done(response);
      if (requests.empty()) schedule_idle_report();
      return;
    }
    const bool banned = options.ban_status != 0 && response.status == options.ban_status;
    const bool rate_limited = response.status == 429 || response.status == 418 || banned;
    const char* kind = failure_kind(response, rate_limited);
    listener.on_error(options.exchange, kind);
    std::chrono::milliseconds delay = request->backoff.next();
    if (response.retry_after) delay = std::max<std::chrono::milliseconds>(delay, *response.retry_after);
    if (banned) delay = std::max(delay, options.ban_duration);
    if (rate_limited) limiter.block_until(now + delay);  // nothing else goes out meanwhile either
    report_usage(now);
    if (!request->retry) {
      log::warn("rest request failed", {{"exchange", options.exchange},
                                        {"endpoint", request->endpoint},
                                        {"kind", kind},
                                        {"status", static_cast<std::int64_t>(response.status)},
                                        {"err", response.error_message}});
      requests.erase(request);
      if (requests.empty()) schedule_idle_report();
      return;
    }
    log::warn("rest request failed, retrying", {{"exchange", options.exchange},
                                                {"endpoint", request->endpoint},
                                                {"kind", kind},
                                                {"status", static_cast<std::int64_t>(response.status)},
                                                {"err", response.error_message},
                                                {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
    request->timer.expires_after(delay);
    request->timer.async_wait([weak = weak_from_this(), request](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) self->attempt(request);
    });
  }

  void report_usage(RateLimiter::Clock::time_point now) {
    listener.on_rate_limit_usage(options.exchange, limiter.used_ratio(now));
  }

  // Once idle, report again when the bucket has refilled, so the gauge does not stay stale.
  void schedule_idle_report() {
    const double seconds = options.limit.capacity / options.limit.refill_per_second;
    idle_report.expires_after(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(seconds)) +
        std::chrono::milliseconds(10));
    idle_report.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec && !self->stopped) {
        self->report_usage(RateLimiter::Clock::now());
      }
    });
  }

  asio::io_context& io;
  const VenueRestOptions options;
  FeedListener& listener;
  RateLimiter limiter;
  HttpClient http;
  RequestList requests;
  asio::steady_timer idle_report;
  bool stopped = false;
};

VenueRest::VenueRest(asio::io_context& io, VenueRestOptions options, FeedListener& listener)
    : state_(std::make_shared<State>(io, std::move(options), listener)) {}

VenueRest::~VenueRest() { stop(); }

void VenueRest::get(std::string endpoint, std::string url, double cost, Done done) {
  if (state_->stopped) return;
  state_->requests.emplace_back(state_->io, std::move(endpoint), std::move(url), cost, std::move(done),
                                state_->options.backoff, true);
  state_->attempt(std::prev(state_->requests.end()));
}

void VenueRest::get_once(std::string endpoint, std::string url, double cost, Done done) {
  if (state_->stopped) return;
  state_->requests.emplace_back(state_->io, std::move(endpoint), std::move(url), cost, std::move(done),
                                state_->options.backoff, false);
  state_->attempt(std::prev(state_->requests.end()));
}

void VenueRest::stop() {
  state_->http.stop();
  asio::post(state_->io, [state = state_] {
    state->stopped = true;
    for (auto& request : state->requests) request.timer.cancel();
    state->idle_report.cancel();
  });
}

std::size_t VenueRest::waiting() const { return state_->requests.size(); }

}  // namespace tickguard::feeds
