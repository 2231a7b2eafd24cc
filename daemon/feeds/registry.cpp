#include "feeds/registry.h"

#include "core/log.h"
#include "feeds/binance/binance_feed.h"
#include "feeds/bybit/bybit_feed.h"
#include "feeds/coinbase/coinbase_feed.h"
#include "feeds/kraken/kraken_feed.h"
#include "feeds/okx/okx_feed.h"
#include "feeds/simulator/simulator_feed.h"

namespace tickguard::feeds {
namespace {

std::vector<Instrument> simulator_instruments(const config::FeedOptions& options) {
  std::vector<Instrument> out;
  for (const auto& venue : options.simulator.venues) {
    for (const auto& symbol : options.symbols) out.push_back(Instrument{0, venue, symbol});
  }
  return out;
}

std::unique_ptr<Feed> create_simulator(const config::FeedOptions& options,
                                       std::vector<Instrument> instruments, const FeedContext& context) {
  Sink* sink = &context.sink;
  return std::make_unique<simulator::SimulatorFeed>(
      options.simulator, std::move(instruments), context.clock, [sink](const InjectedAnomaly& a) {
        log::debug("anomaly injected",
                   {{"exchange", a.exchange},
                    {"symbol", a.symbol},
                    {"kind", a.kind},
                    {"event_time", to_unix_seconds(a.start)},
                    {"duration_seconds", std::chrono::duration<double>(a.end - a.start).count()}});
        sink->on_injected_anomaly(a);
      });
}

// A real exchange subscribes its own symbols under its own name.
std::vector<Instrument> exchange_instruments(const config::FeedOptions& options) {
  std::vector<Instrument> out;
  for (const auto& symbol : options.symbols) out.push_back(Instrument{0, options.exchange, symbol});
  return out;
}

template <typename VenueFeed>
std::unique_ptr<Feed> create_exchange(const config::FeedOptions& options, std::vector<Instrument> instruments,
                                      const FeedContext& context) {
  return std::make_unique<VenueFeed>(options, std::move(instruments), context.clock);
}

struct FeedEntry {
  const char* exchange;
  std::vector<Instrument> (*instruments)(const config::FeedOptions&);
  std::unique_ptr<Feed> (*create)(const config::FeedOptions&, std::vector<Instrument>, const FeedContext&);
};

// One line per exchange.
const FeedEntry kFeeds[] = {
    {"simulator", simulator_instruments, create_simulator},
    {"binance", exchange_instruments, create_exchange<binance::BinanceFeed>},
    {"coinbase", exchange_instruments, create_exchange<coinbase::CoinbaseFeed>},
    {"kraken", exchange_instruments, create_exchange<kraken::KrakenFeed>},
    {"okx", exchange_instruments, create_exchange<okx::OkxFeed>},
    {"bybit", exchange_instruments, create_exchange<bybit::BybitFeed>},
};

const FeedEntry* find(const std::string& exchange) {
  for (const auto& entry : kFeeds) {
    if (exchange == entry.exchange) return &entry;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> supported_exchanges() {
  std::vector<std::string> names;
  for (const auto& entry : kFeeds) names.emplace_back(entry.exchange);
  return names;
}

std::vector<Instrument> feed_instruments(const config::FeedOptions& options) {
  const FeedEntry* entry = find(options.exchange);
  return entry ? entry->instruments(options) : std::vector<Instrument>{};
}

std::unique_ptr<Feed> create_feed(const config::FeedOptions& options, std::vector<Instrument> instruments,
                                  const FeedContext& context) {
  const FeedEntry* entry = find(options.exchange);
  return entry ? entry->create(options, std::move(instruments), context) : nullptr;
}

}  // namespace tickguard::feeds
