// PLACEHOLDER, being replaced by the real connector.
#include "feeds/binance/binance_feed.h"

namespace tickguard::feeds::binance {

struct BinanceFeed::Impl {};

// NOLINTNEXTLINE(performance-unnecessary-value-param)
BinanceFeed::BinanceFeed(const config::FeedOptions&, std::vector<Instrument>, const Clock&) {}
BinanceFeed::~BinanceFeed() = default;
Status BinanceFeed::start(FeedListener&) { return Status::Unavailable("binance: connector not built yet"); }
void BinanceFeed::stop() {}

}  // namespace tickguard::feeds::binance
