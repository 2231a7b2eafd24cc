#include "feeds/common/rest_fallback.h"

#include <algorithm>

#include "core/log.h"

namespace tickguard::feeds {

RestFallback::RestFallback(boost::asio::io_context& io, RestFallbackOptions options, Poll poll,
                           Pending pending)
    : options_(options), poll_(std::move(poll)), pending_(std::move(pending)), timer_(io) {}

void RestFallback::stream_down() {
  if (stopped_ || down_ || options_.interval.count() == 0) return;
  down_ = true;
  schedule(std::min(options_.grace, options_.interval));
}

void RestFallback::stream_up() {
  down_ = false;
  if (polling_) log::info("rest fallback: stream is back, polling stopped", {{"rounds", rounds_}});
  polling_ = false;
  timer_.cancel();
}

void RestFallback::stop() {
  stopped_ = true;
  down_ = false;
  polling_ = false;
  timer_.cancel();
}

void RestFallback::schedule(std::chrono::milliseconds delay) {
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && down_ && !stopped_) round();
  });
}

void RestFallback::round() {
  if (!polling_) {
    log::warn("rest fallback: stream down, polling prices over REST",
              {{"symbols", static_cast<std::uint64_t>(count_)},
               {"interval_ms", static_cast<std::int64_t>(options_.interval.count())}});
  }
  polling_ = true;
  if (pending_ && pending_() > 0) {  // the last round is still queued behind the venue's budget
    ++skipped_;
    schedule(options_.interval);
    return;
  }
  ++rounds_;
  for (std::size_t i = 0; i < count_; ++i) poll_(i);
  schedule(options_.interval);
}

}  // namespace tickguard::feeds
