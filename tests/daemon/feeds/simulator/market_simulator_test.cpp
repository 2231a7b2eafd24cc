// Determinism, microstructure invariants and the random anomaly schedule of the market simulator.
#include "feeds/simulator/market_simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tickguard::simulator {
namespace {

using namespace std::chrono_literals;

const Timestamp kStart = std::chrono::sys_days{std::chrono::year{2024} / 3 / 1};

std::vector<Instrument> make_instruments(const std::vector<std::string>& venues,
                                         const std::vector<std::string>& symbols) {
  std::vector<Instrument> instruments;
  for (const auto& venue : venues) {
    for (const auto& symbol : symbols) {
      instruments.push_back({static_cast<InstrumentId>(instruments.size()), venue, symbol});
    }
  }
  return instruments;
}

std::vector<Instrument> default_instruments() {
  return make_instruments({"simex", "mockex"}, {"BTC/USDT", "ETH/USDT", "SOL/USDT"});
}

MarketSimulatorOptions make_options(std::uint64_t seed, Duration anomaly_interval,
                                    double trades_per_second = 4.0, Duration step = 100ms) {
  MarketSimulatorOptions options;
  options.seed = seed;
  options.anomaly_interval = anomaly_interval;
  options.trades_per_second = trades_per_second;
  options.start_time = kStart;
  options.step = step;
  return options;
}

// One line per event or injection, exact to the bit, so streams compare with ==.
class TranscriptListener final : public SimulationListener {
 public:
  void on_event(const MarketEvent& event) override {
    std::ostringstream line;
    line << std::hexfloat;
    std::visit(
        [&](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          line << e.instrument << ' ' << e.receive_time.time_since_epoch().count() << ' ';
          if constexpr (std::is_same_v<T, Trade>) {
            line << "trade " << e.exchange_time.time_since_epoch().count() << ' ' << e.price << ' '
                 << e.quantity << ' ' << static_cast<int>(e.side) << ' ' << e.trade_id;
          } else if constexpr (std::is_same_v<T, Ticker>) {
            line << "ticker " << e.exchange_time.time_since_epoch().count() << ' ' << e.bid_price << ' '
                 << e.bid_size << ' ' << e.ask_price << ' ' << e.ask_size;
          } else if constexpr (std::is_same_v<T, BookSnapshot>) {
            line << "book " << e.exchange_time.time_since_epoch().count() << ' ' << e.sequence;
            for (int i = 0; i < e.bid_count; ++i) line << " b" << e.bids[i].price << '@' << e.bids[i].size;
            for (int i = 0; i < e.ask_count; ++i) line << " a" << e.asks[i].price << '@' << e.asks[i].size;
          } else {
            line << "candle";
          }
        },
        event);
    lines.push_back(line.str());
  }
  void on_injected(const InjectedAnomaly& a) override {
    std::ostringstream line;
    line << "injected " << a.exchange << ' ' << a.symbol << ' ' << a.kind << ' '
         << a.start.time_since_epoch().count() << ' ' << a.end.time_since_epoch().count();
    lines.push_back(line.str());
    ++injections;
  }

  std::vector<std::string> lines;
  int injections = 0;
};

std::vector<std::string> transcript(MarketSimulatorOptions options, Duration length) {
  MarketSimulator simulator(options, default_instruments());
  TranscriptListener listener;
  simulator.advance_to(kStart + length, listener);
  return listener.lines;
}

// Collects events by type, for invariant checks.
class CollectingListener final : public SimulationListener {
 public:
  void on_event(const MarketEvent& event) override {
    if (const auto* trade = std::get_if<Trade>(&event)) trades.push_back(*trade);
    if (const auto* ticker = std::get_if<Ticker>(&event)) tickers.push_back(*ticker);
    if (const auto* book = std::get_if<BookSnapshot>(&event)) books.push_back(*book);
    order.push_back(event.index());
  }
  void on_injected(const InjectedAnomaly& anomaly) override { injected.push_back(anomaly); }

  std::vector<Trade> trades;
  std::vector<Ticker> tickers;
  std::vector<BookSnapshot> books;
  std::vector<std::size_t> order;
  std::vector<InjectedAnomaly> injected;
};

double mean_of(const std::vector<double>& xs) {
  double sum = 0;
  for (const double x : xs) sum += x;
  return sum / static_cast<double>(xs.size());
}

double excess_kurtosis(const std::vector<double>& xs) {
  const double mean = mean_of(xs);
  double m2 = 0;
  double m4 = 0;
  for (const double x : xs) {
    const double d = x - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= static_cast<double>(xs.size());
  m4 /= static_cast<double>(xs.size());
  return m4 / (m2 * m2) - 3.0;
}

double correlation(const std::vector<double>& xs, const std::vector<double>& ys) {
  const double mx = mean_of(xs);
  const double my = mean_of(ys);
  double sxy = 0;
  double sxx = 0;
  double syy = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) * (xs[i] - mx);
    syy += (ys[i] - my) * (ys[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

TEST(AnomalyKind, HasTenKindsWithStableNames) {
  const std::vector<std::string> expected = {
      "price_spike",  "level_shift", "volume_burst",     "flash_crash",       "pump_and_dump",
      "wash_trading", "stale_feed",  "venue_divergence", "small_level_shift", "volatility_change"};
  std::vector<std::string> names;
  for (const AnomalyKind kind : all_anomaly_kinds()) names.emplace_back(anomaly_kind_name(kind));
  EXPECT_EQ(names, expected);
}

TEST(AnomalyKind, VenueSpecificKindsAreTheSingleVenueOnes) {
  std::set<std::string> venue_specific;
  for (const AnomalyKind kind : all_anomaly_kinds()) {
    if (is_venue_specific(kind)) venue_specific.emplace(anomaly_kind_name(kind));
  }
  EXPECT_EQ(venue_specific, (std::set<std::string>{"price_spike", "volume_burst", "flash_crash",
                                                   "wash_trading", "stale_feed", "venue_divergence"}));
}

TEST(MarketSimulator, SameSeedGivesIdenticalStreams) {
  const auto first = transcript(make_options(7, 20s), 10min);
  const auto second = transcript(make_options(7, 20s), 10min);
  ASSERT_GT(first.size(), 10000u);
  EXPECT_EQ(first, second);
  EXPECT_TRUE(std::any_of(first.begin(), first.end(),
                          [](const std::string& l) { return l.starts_with("injected"); }));
}

TEST(MarketSimulator, ChunkingOfAdvanceCallsDoesNotChangeTheStream) {
  const auto whole = transcript(make_options(11, 15s), 5min);

  MarketSimulator simulator(make_options(11, 15s), default_instruments());
  TranscriptListener listener;
  // Irregular chunks, not aligned to steps, some empty or going backwards.
  Duration t = 0ns;
  for (int i = 0; t < 5min; ++i) {
    t += std::chrono::microseconds(1 + (i * 7919) % 450000);
    simulator.advance_to(kStart + std::min<Duration>(t, 5min), listener);
    if (i % 13 == 0) simulator.advance_to(kStart + t / 2, listener);
  }
  EXPECT_EQ(listener.lines, whole);
}

TEST(MarketSimulator, DifferentSeedsGiveDifferentStreams) {
  const auto first = transcript(make_options(1, 0s), 1min);
  const auto second = transcript(make_options(2, 0s), 1min);
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  std::size_t same = 0;
  for (std::size_t i = 0; i < std::min(first.size(), second.size()); ++i) same += first[i] == second[i];
  EXPECT_LT(same, first.size() / 100);
}

TEST(MarketSimulator, AdvancesInWholeSteps) {
  MarketSimulator simulator(make_options(1, 0s), default_instruments());
  CollectingListener listener;
  EXPECT_EQ(simulator.now(), kStart);
  simulator.advance_to(kStart + 250ms, listener);
  EXPECT_EQ(simulator.now(), kStart + 300ms);
  EXPECT_EQ(listener.tickers.size(), 3u * 6u);
  for (const auto& trade : listener.trades) EXPECT_LT(trade.exchange_time, kStart + 300ms);
  simulator.advance_to(kStart + 100ms, listener);
  simulator.advance_to(kStart + 300ms, listener);
  EXPECT_EQ(listener.tickers.size(), 3u * 6u);
}

TEST(MarketSimulator, StartsNearKnownBasePrices) {
  const auto instruments = make_instruments({"simex"}, {"BTC/USDT", "ETH/USDT", "SOL/USDT", "FOO/USDT"});
  MarketSimulator simulator(make_options(3, 0s), instruments);
  CollectingListener listener;
  simulator.advance_to(kStart + 1ms, listener);
  ASSERT_EQ(listener.tickers.size(), 4u);
  const auto mid = [&](std::size_t i) {
    return (listener.tickers[i].bid_price + listener.tickers[i].ask_price) / 2;
  };
  EXPECT_NEAR(mid(0), 60000, 60);
  EXPECT_NEAR(mid(1), 3000, 3);
  EXPECT_NEAR(mid(2), 150, 0.15);
  EXPECT_GE(mid(3), 0.09);
  EXPECT_LE(mid(3), 1100);

  // An unknown symbol's price depends on its name only, not on the seed.
  MarketSimulator other(make_options(4, 0s), instruments);
  CollectingListener other_listener;
  other.advance_to(kStart + 1ms, other_listener);
  EXPECT_NEAR(other_listener.tickers[3].bid_price / listener.tickers[3].bid_price, 1.0, 0.001);
}

TEST(MarketSimulator, QuotesAreOrderedAndTradesHitTheTouch) {
  MarketSimulator simulator(make_options(5, 0s), default_instruments());
  CollectingListener listener;
  simulator.advance_to(kStart + 20min, listener);
  for (const auto& ticker : listener.tickers) {
    EXPECT_LT(ticker.bid_price, ticker.ask_price);
    EXPECT_GT(ticker.bid_price, 0);
    EXPECT_GT(ticker.bid_size, 0);
    EXPECT_GT(ticker.ask_size, 0);
    const double spread_bps = (ticker.ask_price / ticker.bid_price - 1) * 1e4;
    EXPECT_LT(spread_bps, 40);
  }
  // Every trade executes at the touch quoted at the start of its step.
  std::map<std::pair<InstrumentId, Timestamp>, Ticker> ticker_at;
  for (const auto& ticker : listener.tickers) ticker_at[{ticker.instrument, ticker.exchange_time}] = ticker;
  ASSERT_GT(listener.trades.size(), 10000u);  // ~0.57 x 4 per second around midnight UTC
  for (const auto& trade : listener.trades) {
    EXPECT_GT(trade.quantity, 0);
    const Timestamp step_start = kStart + (trade.exchange_time - kStart) / 100ms * 100ms;
    const auto it = ticker_at.find({trade.instrument, step_start});
    ASSERT_NE(it, ticker_at.end());
    if (trade.side == Side::kBuy) {
      EXPECT_EQ(trade.price, it->second.ask_price);
    } else {
      ASSERT_EQ(trade.side, Side::kSell);
      EXPECT_EQ(trade.price, it->second.bid_price);
    }
  }
}

TEST(MarketSimulator, TradeIdsIncreaseAndTimesAreMonotonicPerInstrument) {
  MarketSimulator simulator(make_options(6, 20s), default_instruments());

  class Checker final : public SimulationListener {
   public:
    void on_event(const MarketEvent& event) override {
      const InstrumentId id = instrument_of(event);
      ASSERT_FALSE(std::holds_alternative<Candle>(event));
      const Timestamp time = exchange_time_of(event);
      EXPECT_EQ(std::visit([](const auto& e) { return e.receive_time; }, event), time);
      if (last_time.contains(id)) {
        EXPECT_GE(time, last_time[id]);
      }
      last_time[id] = time;
      if (const auto* trade = std::get_if<Trade>(&event)) {
        if (last_id.contains(id)) {
          EXPECT_GT(trade->trade_id, last_id[id]);
        }
        last_id[id] = trade->trade_id;
        ++trades;
      }
    }
    void on_injected(const InjectedAnomaly&) override { ++injected; }
    std::map<InstrumentId, Timestamp> last_time;
    std::map<InstrumentId, std::uint64_t> last_id;
    int trades = 0;
    int injected = 0;
  } checker;
  simulator.advance_to(kStart + 30min, checker);
  EXPECT_GT(checker.trades, 40000);
  EXPECT_GT(checker.injected, 30);  // the invariants hold through anomalies too
}

TEST(MarketSimulator, TradeSizesAreHeavyTailed) {
  MarketSimulator simulator(make_options(8, 0s), make_instruments({"simex"}, {"ETH/USDT"}));
  CollectingListener listener;
  simulator.advance_to(kStart + 2h, listener);
  std::vector<double> sizes;
  for (const auto& trade : listener.trades) sizes.push_back(trade.quantity);
  ASSERT_GT(sizes.size(), 10000u);
  EXPECT_GT(excess_kurtosis(sizes), 3.0);
  std::vector<double> sorted = sizes;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  EXPECT_NEAR(median * 3000, 1500, 300);  // median notional ~1500 USDT
  EXPECT_GT(sorted.back(), 50 * median);  // occasional whale prints
}

TEST(MarketSimulator, BookSnapshotsHaveFiveOrderedLevelsOncePerSecond) {
  MarketSimulator simulator(make_options(9, 0s), default_instruments());
  CollectingListener listener;
  simulator.advance_to(kStart + 60s, listener);
  ASSERT_EQ(listener.books.size(), 60u * 6u);
  std::map<InstrumentId, std::uint64_t> last_sequence;
  for (const auto& book : listener.books) {
    EXPECT_EQ((book.exchange_time - kStart) % 1s, 0s);
    ASSERT_EQ(book.bid_count, 5);
    ASSERT_EQ(book.ask_count, 5);
    EXPECT_LT(book.bids[0].price, book.asks[0].price);
    for (int i = 0; i < 5; ++i) {
      EXPECT_GT(book.bids[i].size, 0);
      EXPECT_GT(book.asks[i].size, 0);
      if (i > 0) {
        EXPECT_LT(book.bids[i].price, book.bids[i - 1].price);
        EXPECT_GT(book.asks[i].price, book.asks[i - 1].price);
      }
    }
    EXPECT_GT(book.sequence, last_sequence[book.instrument]);
    last_sequence[book.instrument] = book.sequence;
  }
}

TEST(MarketSimulator, VenuesOfASymbolShareOneFairPrice) {
  MarketSimulator simulator(make_options(10, 0s), make_instruments({"simex", "mockex"}, {"SOL/USDT"}));
  CollectingListener listener;
  simulator.advance_to(kStart + 1h, listener);
  std::vector<double> mids[2];
  for (const auto& ticker : listener.tickers)
    mids[ticker.instrument].push_back((ticker.bid_price + ticker.ask_price) / 2);
  ASSERT_EQ(mids[0].size(), mids[1].size());
  double low = mids[0][0];
  double high = mids[0][0];
  for (std::size_t i = 0; i < mids[0].size(); ++i) {
    EXPECT_NEAR(mids[0][i] / mids[1][i], 1.0, 5e-4);
    low = std::min(low, mids[0][i]);
    high = std::max(high, mids[0][i]);
  }
  EXPECT_GT(high / low - 1, 10 * 5e-4 / 2);  // the price moves far more than the venues differ
}

TEST(MarketSimulator, ReturnsShowVolatilityClustering) {
  MarketSimulator simulator(make_options(12, 0s), make_instruments({"simex"}, {"BTC/USDT"}));
  CollectingListener listener;
  simulator.advance_to(kStart + 8h, listener);
  // Realized variance of 10 s blocks is autocorrelated under GARCH, not under constant volatility.
  std::vector<double> realized;
  double block = 0;
  for (std::size_t i = 1; i < listener.tickers.size(); ++i) {
    const auto mid = [&](std::size_t k) {
      return (listener.tickers[k].bid_price + listener.tickers[k].ask_price) / 2;
    };
    const double r = std::log(mid(i) / mid(i - 1));
    block += r * r;
    if (i % 100 == 0) {
      realized.push_back(block);
      block = 0;
    }
  }
  const std::vector<double> head(realized.begin(), realized.end() - 1);
  const std::vector<double> tail(realized.begin() + 1, realized.end());
  EXPECT_GT(correlation(head, tail), 0.3);
}

// Trades per instrument and per UTC hour of day over one simulated day.
struct DayOfTrades {
  std::array<double, 24> per_hour{};
  double total = 0;
};

const DayOfTrades& day_of_trades() {
  static const DayOfTrades day = [] {
    MarketSimulator simulator(make_options(13, 0s, 2.0, 1s),
                              make_instruments({"simex", "mockex"}, {"BTC/USDT"}));
    class Counter final : public SimulationListener {
     public:
      void on_event(const MarketEvent& event) override {
        if (const auto* trade = std::get_if<Trade>(&event)) {
          const auto of_day = (trade->exchange_time - kStart) % std::chrono::hours(24);
          result.per_hour[static_cast<std::size_t>(of_day / 1h)] += 1;
          result.total += 1;
        }
      }
      void on_injected(const InjectedAnomaly&) override {}
      DayOfTrades result;
    } counter;
    simulator.advance_to(kStart + 24h, counter);
    return counter.result;
  }();
  return day;
}

TEST(MarketSimulator, MeanTradeRateMatchesOption) {
  const double per_second = day_of_trades().total / 2 / 86400;
  EXPECT_NEAR(per_second, 2.0, 0.05);
}

TEST(MarketSimulator, TradeRateFollowsIntradaySeasonality) {
  const auto& hours = day_of_trades().per_hour;
  const double peak = hours[13] + hours[14];
  const double trough = hours[1] + hours[2];
  EXPECT_GT(peak, 2.5 * trough);  // 1 + 0.5 cos: about 1.5 / 0.5
  const auto busiest = std::max_element(hours.begin(), hours.end()) - hours.begin();
  EXPECT_GE(busiest, 11);
  EXPECT_LE(busiest, 17);
}

// Anomalies injected over a long run with a 20 min mean interval, for the schedule tests.
struct LongRun {
  Duration length{};
  std::size_t symbols = 0;
  std::vector<InjectedAnomaly> injected;
};

const LongRun& long_run() {
  static const LongRun run = [] {
    LongRun result;
    result.length = 60h;
    result.symbols = 3;
    MarketSimulator simulator(make_options(14, 20min, 0.2, 1s), default_instruments());
    class Labels final : public SimulationListener {
     public:
      void on_event(const MarketEvent&) override {}
      void on_injected(const InjectedAnomaly& anomaly) override { injected.push_back(anomaly); }
      std::vector<InjectedAnomaly> injected;
    } labels;
    simulator.advance_to(kStart + result.length, labels);
    result.injected = std::move(labels.injected);
    return result;
  }();
  return run;
}

// Distinct anomalies of one symbol (all-venue kinds are labelled once per venue).
std::vector<InjectedAnomaly> distinct(const std::vector<InjectedAnomaly>& labels, const std::string& symbol) {
  std::vector<InjectedAnomaly> result;
  for (const auto& a : labels) {
    if (a.symbol != symbol) continue;
    if (!result.empty() && result.back().start == a.start && result.back().kind == a.kind) continue;
    result.push_back(a);
  }
  return result;
}

TEST(MarketSimulator, InjectsAnomaliesAtTheConfiguredRatePerSymbol) {
  const auto& run = long_run();
  const double expected = std::chrono::duration<double>(run.length) / 20min;
  for (const std::string symbol : {"BTC/USDT", "ETH/USDT", "SOL/USDT"}) {
    SCOPED_TRACE(symbol);
    const auto anomalies = distinct(run.injected, symbol);
    EXPECT_GE(static_cast<double>(anomalies.size()), 0.65 * expected);
    EXPECT_LE(static_cast<double>(anomalies.size()), 1.35 * expected);
  }
}

TEST(MarketSimulator, InjectsEveryKind) {
  std::set<std::string> kinds;
  for (const auto& a : long_run().injected) kinds.insert(a.kind);
  EXPECT_EQ(kinds.size(), 10u);
}

TEST(MarketSimulator, InjectedAnomaliesOfASymbolNeverOverlap) {
  for (const std::string symbol : {"BTC/USDT", "ETH/USDT", "SOL/USDT"}) {
    const auto anomalies = distinct(long_run().injected, symbol);
    for (std::size_t i = 0; i < anomalies.size(); ++i) {
      EXPECT_LT(anomalies[i].start, anomalies[i].end);
      if (i > 0) {
        EXPECT_GE(anomalies[i].start, anomalies[i - 1].end) << symbol << " #" << i;
      }
    }
  }
}

TEST(MarketSimulator, LabelsVenueKindsOnceAndAllVenueKindsPerVenue) {
  std::map<std::tuple<std::string, std::string, Timestamp>, std::set<std::string>> venues_of;
  for (const auto& a : long_run().injected) venues_of[{a.symbol, a.kind, a.start}].insert(a.exchange);
  for (const auto& [key, venues] : venues_of) {
    const std::string& kind = std::get<1>(key);
    const bool venue_specific =
        std::any_of(all_anomaly_kinds().begin(), all_anomaly_kinds().end(),
                    [&](AnomalyKind k) { return anomaly_kind_name(k) == kind && is_venue_specific(k); });
    EXPECT_EQ(venues.size(), venue_specific ? 1u : 2u) << kind;
  }
  // Venue-specific anomalies land on both venues over the run.
  std::set<std::string> targeted;
  for (const auto& a : long_run().injected) {
    if (a.kind == "stale_feed" || a.kind == "price_spike") targeted.insert(a.exchange);
  }
  EXPECT_EQ(targeted.size(), 2u);
}

TEST(MarketSimulator, ZeroIntervalNeverInjects) {
  MarketSimulator simulator(make_options(15, 0s, 1.0, 1s), default_instruments());
  CollectingListener listener;
  simulator.advance_to(kStart + 6h, listener);
  EXPECT_TRUE(listener.injected.empty());
}

TEST(MarketSimulator, InjectsNothingDuringTheQuietPeriodButDoesAfterwards) {
  MarketSimulatorOptions options = make_options(17, 1min);
  options.quiet_period = 30min;
  MarketSimulator simulator(options, default_instruments());
  CollectingListener listener;
  simulator.advance_to(kStart + 3h, listener);
  ASSERT_FALSE(listener.injected.empty());
  for (const auto& a : listener.injected) EXPECT_GE(a.start, kStart + 30min) << a.kind;
}

TEST(MarketSimulator, IgnoresScheduledAnomalyOnUnknownSymbol) {
  MarketSimulator simulator(make_options(16, 0s), default_instruments());
  simulator.schedule_anomaly(AnomalyKind::kLevelShift, "DOGE/USDT", "simex", kStart + 1s);
  CollectingListener listener;
  simulator.advance_to(kStart + 10s, listener);
  EXPECT_TRUE(listener.injected.empty());
}

}  // namespace
}  // namespace tickguard::simulator
