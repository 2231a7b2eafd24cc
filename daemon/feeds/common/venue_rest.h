// VenueRest: every REST request of one venue connector goes through here. A request waits for the
// venue's token bucket (so hundreds of symbols asking for snapshots are staggered, never bursting
// past the documented limit), is retried with jittered backoff on transport errors, 5xx, 429 and
// 418 (honouring Retry-After, which also blocks every other request to the venue), and is reported
// in tickguard_rest_requests_total{exchange,endpoint,code} and tickguard_rest_rate_limit_used_ratio.
// Everything runs on the connector's io_context thread; callbacks too.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "feeds/common/backoff.h"
#include "feeds/common/http_client.h"
#include "feeds/common/rate_limiter.h"
#include "tickguard/feed.h"

namespace tickguard::feeds {

struct VenueRestOptions {
  std::string exchange;  // the `exchange` label and log field
  RateLimit limit;       // the venue's documented limit, in its cost units
  // A response header carrying the venue's own count of used weight (Binance:
  // "x-mbx-used-weight-1m"), and the limit it counts against; empty when the venue has none.
  std::string used_weight_header;
  double venue_weight_limit = 0;
  // A status the venue uses for an IP ban without Retry-After (Bybit: 403 "access too frequent",
  // lifted after 10 minutes): treated as rate limited, and nothing is sent for ban_duration.
  long ban_status = 0;
  std::chrono::milliseconds ban_duration{600000};
  BackoffOptions backoff{std::chrono::milliseconds(1000), std::chrono::milliseconds(60000), 2.0};
  std::chrono::milliseconds timeout{10000};  // whole transfer; a stalled response fails after this
};

class VenueRest {
 public:
  using Done = std::function<void(const HttpResponse&)>;

  // `listener` receives on_rest_request/on_rate_limit_usage/on_error reports; all must outlive this.
  VenueRest(boost::asio::io_context& io, VenueRestOptions options, FeedListener& listener);
  ~VenueRest();
  VenueRest(const VenueRest&) = delete;
  VenueRest& operator=(const VenueRest&) = delete;

  // GETs `url` once `cost` units of the venue's budget are available, retrying until a 2xx answer,
  // then calls `done` with it. `endpoint` is a short fixed label ("depth", "exchangeInfo"). A 4xx
  // other than 429/418 is retried too, at the backoff's ceiling, since a connector cannot proceed
  // without the answer; each failure is logged and counted. io_context thread only.
  void get(std::string endpoint, std::string url, double cost, Done done);
  // Like get(), but a failed attempt is counted, logged and dropped instead of retried (`done`
  // runs only on a 2xx): for polling, where the next round asks again anyway. A 429/418 still
  // blocks every request to the venue for its Retry-After.
  void get_once(std::string endpoint, std::string url, double cost, Done done);
  // Cancels pending and in-flight requests (their callbacks never run). Any thread; idempotent.
  void stop();

  // Requests waiting for the budget or for a retry (for tests and the debug log).
  std::size_t waiting() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tickguard::feeds
