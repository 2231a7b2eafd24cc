// BybitFeed: the Bybit public market-data connector (see the .cpp for the protocol it follows).
#pragma once

#include <memory>
#include <vector>

#include "config/options.h"
#include "tickguard/clock.h"
#include "tickguard/feed.h"

namespace tickguard::feeds::bybit {

inline constexpr const char* kDefaultRestUrl = "https://api.bybit.com";
inline constexpr const char* kDefaultWsUrl = "wss://stream.bybit.com/v5/public/spot";

class BybitFeed final : public Feed {
 public:
  // `instruments`: this feed's symbols with ids assigned (exchange "bybit"). options.rest_url and
  // options.ws_url override the venue endpoints when set.
  BybitFeed(const config::FeedOptions& options, std::vector<Instrument> instruments, const Clock& clock);
  ~BybitFeed() override;

  Status start(FeedListener& listener) override;
  void stop() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tickguard::feeds::bybit
