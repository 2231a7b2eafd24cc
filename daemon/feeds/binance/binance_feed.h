// BinanceFeed: the Binance public market-data connector (see the .cpp for the protocol it follows).
#pragma once

#include <memory>
#include <vector>

#include "config/options.h"
#include "tickguard/clock.h"
#include "tickguard/feed.h"

namespace tickguard::feeds::binance {

inline constexpr const char* kDefaultRestUrl = "https://api.binance.com";
inline constexpr const char* kDefaultWsUrl = "wss://stream.binance.com:9443/stream";

class BinanceFeed final : public Feed {
 public:
  // `instruments`: this feed's symbols with ids assigned (exchange "binance"). options.rest_url and
  // options.ws_url override the venue endpoints when set.
  BinanceFeed(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock);
  ~BinanceFeed() override;

  Status start(FeedListener& listener) override;
  void stop() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tickguard::feeds::binance
