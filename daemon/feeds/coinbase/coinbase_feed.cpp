// PLACEHOLDER, being replaced by the real connector.
#include "feeds/coinbase/coinbase_feed.h"

namespace tickguard::feeds::coinbase {

struct CoinbaseFeed::Impl {};

// NOLINTNEXTLINE(performance-unnecessary-value-param)
CoinbaseFeed::CoinbaseFeed(const config::FeedOptions&, std::vector<Instrument>, const Clock&) {}
CoinbaseFeed::~CoinbaseFeed() = default;
Status CoinbaseFeed::start(FeedListener&) { return Status::Unavailable("coinbase: connector not built yet"); }
void CoinbaseFeed::stop() {}

}  // namespace tickguard::feeds::coinbase
