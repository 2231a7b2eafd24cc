#include "market_data.h"

#include <cmath>
#include <numeric>
#include <random>

namespace tickguard::bench {

Timestamp series_start() {
  // 14:00 UTC, the simulator's intraday peak; any fixed time would do.
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{14};
}

std::vector<double> closed_random_walk(std::size_t length, double start_price, double return_stddev,
                                       std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal(0.0, return_stddev);
  std::vector<double> returns(length);
  for (double& r : returns) r = normal(random);
  const double mean = std::accumulate(returns.begin(), returns.end(), 0.0) / static_cast<double>(length);
  // returns[0] is the step from the last price back to the first; the others build the walk.
  std::vector<double> prices(length);
  double log_price = std::log(start_price);
  for (std::size_t i = 0; i < length; ++i) {
    if (i > 0) log_price += returns[i] - mean;
    prices[i] = std::exp(log_price);
  }
  return prices;
}

std::vector<double> lognormal_sizes(std::size_t length, double median, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::lognormal_distribution<double> lognormal(std::log(median), 1.0);
  std::vector<double> sizes(length);
  for (double& size : sizes) size = lognormal(random);
  return sizes;
}

std::vector<double> normal_values(std::size_t length, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> values(length);
  for (double& value : values) value = normal(random);
  return values;
}

std::vector<Trade> trade_tape(InstrumentId instrument, double start_price, std::uint64_t seed,
                              std::size_t length) {
  // 2e-4 per trade is about the volatility of BTC at 4 trades per second, with microstructure noise.
  const auto prices = closed_random_walk(length, start_price, 2e-4, seed);
  // A median notional of 3000 quote units, as in the simulator.
  const auto sizes = lognormal_sizes(length, 3000.0 / start_price, seed + 1);
  std::mt19937_64 random(seed + 2);
  std::vector<Trade> tape(length);
  for (std::size_t i = 0; i < length; ++i) {
    const Timestamp time = series_start() + kTradeSpacing * static_cast<std::int64_t>(i);
    tape[i] = Trade{.instrument = instrument,
                    .exchange_time = time,
                    .receive_time = time,
                    .price = prices[i],
                    .quantity = sizes[i],
                    .side = (random() & 1) != 0 ? Side::kBuy : Side::kSell,
                    .trade_id = i + 1};
  }
  return tape;
}

std::vector<Instrument> default_instruments() {
  std::vector<Instrument> instruments;
  for (const char* venue : {"simex", "mockex"}) {
    for (const char* symbol : {"BTC/USDT", "ETH/USDT", "SOL/USDT"}) {
      instruments.push_back({static_cast<InstrumentId>(instruments.size()), venue, symbol});
    }
  }
  return instruments;
}

}  // namespace tickguard::bench
