// PLACEHOLDER, being replaced by the real connector.
#include "feeds/kraken/kraken_feed.h"

namespace tickguard::feeds::kraken {

struct KrakenFeed::Impl {};

// NOLINTNEXTLINE(performance-unnecessary-value-param)
KrakenFeed::KrakenFeed(const config::FeedOptions&, std::vector<Instrument>, const Clock&) {}
KrakenFeed::~KrakenFeed() = default;
Status KrakenFeed::start(FeedListener&) { return Status::Unavailable("kraken: connector not built yet"); }
void KrakenFeed::stop() {}

}  // namespace tickguard::feeds::kraken
