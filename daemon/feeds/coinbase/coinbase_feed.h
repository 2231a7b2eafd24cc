// CoinbaseFeed: the Coinbase public market-data connector (see the .cpp for the protocol it follows).
#pragma once

#include <memory>
#include <vector>

#include "config/options.h"
#include "tickguard/clock.h"
#include "tickguard/feed.h"

namespace tickguard::feeds::coinbase {

inline constexpr const char* kDefaultRestUrl = "https://api.exchange.coinbase.com";
inline constexpr const char* kDefaultWsUrl = "wss://ws-feed.exchange.coinbase.com";

class CoinbaseFeed final : public Feed {
 public:
  // `instruments`: this feed's symbols with ids assigned (exchange "coinbase"). options.rest_url and
  // options.ws_url override the venue endpoints when set.
  CoinbaseFeed(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock);
  ~CoinbaseFeed() override;

  Status start(FeedListener& listener) override;
  void stop() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tickguard::feeds::coinbase
