// OkxFeed: the OKX v5 public market-data connector. Fetches spot instrument metadata over REST
// (retrying with backoff), then streams trades, tickers and books over one WebSocket, keeping
// each book in sync with its checksum and sequence chain and resubscribing a book that desyncs.
#pragma once

#include <memory>
#include <vector>

#include "config/options.h"
#include "tickguard/clock.h"
#include "tickguard/feed.h"

namespace tickguard::feeds::okx {

inline constexpr const char* kDefaultRestUrl = "https://www.okx.com";
inline constexpr const char* kDefaultWsUrl = "wss://ws.okx.com:8443/ws/v5/public";

class OkxFeed final : public Feed {
 public:
  // `instruments`: this feed's symbols with ids assigned (exchange "okx"). options.rest_url and
  // options.ws_url override the venue endpoints when set.
  OkxFeed(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock);
  ~OkxFeed() override;

  Status start(FeedListener& listener) override;
  void stop() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tickguard::feeds::okx
