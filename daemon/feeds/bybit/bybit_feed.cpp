// PLACEHOLDER, being replaced by the real connector.
#include "feeds/bybit/bybit_feed.h"

namespace tickguard::feeds::bybit {

struct BybitFeed::Impl {};

// NOLINTNEXTLINE(performance-unnecessary-value-param)
BybitFeed::BybitFeed(const config::FeedOptions&, std::vector<Instrument>, const Clock&) {}
BybitFeed::~BybitFeed() = default;
Status BybitFeed::start(FeedListener&) { return Status::Unavailable("bybit: connector not built yet"); }
void BybitFeed::stop() {}

}  // namespace tickguard::feeds::bybit
