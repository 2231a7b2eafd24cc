// The feed registry: the only place an exchange connector is named. Adding an exchange is one folder
// under daemon/feeds/ plus one entry in registry.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/options.h"
#include "tickguard/clock.h"
#include "tickguard/feed.h"
#include "tickguard/sink.h"

namespace tickguard::feeds {

struct FeedContext {
  const Clock& clock;
  Sink& sink;  // for feed-specific reports, e.g. the simulator's injected anomalies
};

// Names accepted in [[feed]] exchange = "...".
std::vector<std::string> supported_exchanges();

// The instruments a configured feed subscribes (ids left 0 for the caller to assign). For the
// simulator: every venue × symbol; for a real exchange: its symbols.
std::vector<Instrument> feed_instruments(const config::FeedOptions& options);

// Builds the feed for `options` over `instruments` (ids assigned). nullptr for an unknown exchange,
// which a validated config never has.
std::unique_ptr<Feed> create_feed(const config::FeedOptions& options, std::vector<Instrument> instruments,
                                  const FeedContext& context);

}  // namespace tickguard::feeds
