// Each injected anomaly kind leaves its documented signature in the event stream, with labels that
// match. Every test runs over several seeds and symbols so it checks the shape, not one draw.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "feeds/simulator/market_simulator.h"

namespace tickguard::simulator {
namespace {

using namespace std::chrono_literals;

const Timestamp kStart = std::chrono::sys_days{std::chrono::year{2024} / 6 / 3} + 12h;
const Timestamp kAnomalyStart = kStart + 120s;  // two minutes of normal market first
constexpr InstrumentId kTarget = 0;             // "simex", where venue-specific anomalies go
constexpr InstrumentId kOther = 1;              // "mockex"

struct Case {
  std::uint64_t seed;
  std::string symbol;
};

const std::vector<Case> kCases = {{1, "BTC/USDT"}, {2, "ETH/USDT"}, {3, "SOL/USDT"}, {4, "ADA/USDT"}};

// Everything one run produced, split by instrument.
class Recording final : public SimulationListener {
 public:
  void on_event(const MarketEvent& event) override {
    const InstrumentId id = instrument_of(event);
    if (const auto* trade = std::get_if<Trade>(&event)) {
      trades[id].push_back(*trade);
      times[id].push_back(trade->exchange_time);
    } else if (const auto* ticker = std::get_if<Ticker>(&event)) {
      tickers[id].push_back(*ticker);
      times[id].push_back(ticker->exchange_time);
    } else if (const auto* book = std::get_if<BookSnapshot>(&event)) {
      times[id].push_back(book->exchange_time);
    }
  }
  void on_injected(const InjectedAnomaly& anomaly) override { injected.push_back(anomaly); }

  Timestamp start() const { return injected.at(0).start; }
  Timestamp end() const { return injected.at(0).end; }

  std::array<std::vector<Trade>, 2> trades;
  std::array<std::vector<Ticker>, 2> tickers;
  std::array<std::vector<Timestamp>, 2> times;
  std::vector<InjectedAnomaly> injected;
};

// Runs a normal market with one anomaly of `kind` scheduled at kAnomalyStart on "simex", until
// `tail` after the anomaly ends.
Recording run_with(AnomalyKind kind, const Case& c, Duration tail = 120s) {
  MarketSimulatorOptions options;
  options.seed = c.seed;
  options.anomaly_interval = 0s;
  options.start_time = kStart;
  MarketSimulator simulator(options, {{kTarget, "simex", c.symbol}, {kOther, "mockex", c.symbol}});
  simulator.schedule_anomaly(kind, c.symbol, "simex", kAnomalyStart);
  Recording recording;
  simulator.advance_to(kAnomalyStart + 1ns, recording);
  if (recording.injected.empty()) return recording;
  simulator.advance_to(recording.end() + tail, recording);
  return recording;
}

void expect_labels(const Recording& r, AnomalyKind kind, const Case& c) {
  const bool one_venue = is_venue_specific(kind);
  ASSERT_EQ(r.injected.size(), one_venue ? 1u : 2u);
  std::set<std::string> venues;
  for (const auto& label : r.injected) {
    EXPECT_EQ(label.kind, anomaly_kind_name(kind));
    EXPECT_EQ(label.symbol, c.symbol);
    EXPECT_EQ(label.start, kAnomalyStart);
    EXPECT_GT(label.end, label.start);
    venues.insert(label.exchange);
  }
  const std::set<std::string> expected =
      one_venue ? std::set<std::string>{"simex"} : std::set<std::string>{"simex", "mockex"};
  EXPECT_EQ(venues, expected);
}

double mid(const Ticker& t) { return (t.bid_price + t.ask_price) / 2; }

double mean_mid(const std::vector<Ticker>& tickers, Timestamp from, Timestamp to) {
  double sum = 0;
  int count = 0;
  for (const auto& t : tickers) {
    if (t.exchange_time >= from && t.exchange_time < to) {
      sum += mid(t);
      ++count;
    }
  }
  return count > 0 ? sum / count : NAN;
}

double extreme_mid(const std::vector<Ticker>& tickers, Timestamp from, Timestamp to, bool highest) {
  double result = highest ? 0 : INFINITY;
  for (const auto& t : tickers) {
    if (t.exchange_time >= from && t.exchange_time < to)
      result = highest ? std::max(result, mid(t)) : std::min(result, mid(t));
  }
  return result;
}

// Traded base volume per second in [from, to).
double volume_rate(const std::vector<Trade>& trades, Timestamp from, Timestamp to) {
  double volume = 0;
  for (const auto& t : trades) {
    if (t.exchange_time >= from && t.exchange_time < to) volume += t.quantity;
  }
  return volume / std::chrono::duration<double>(to - from).count();
}

double trade_rate(const std::vector<Trade>& trades, Timestamp from, Timestamp to) {
  const auto count = std::count_if(trades.begin(), trades.end(), [&](const Trade& t) {
    return t.exchange_time >= from && t.exchange_time < to;
  });
  return static_cast<double>(count) / std::chrono::duration<double>(to - from).count();
}

// Standard deviation of step-to-step log returns of the mid in [from, to).
double return_std(const std::vector<Ticker>& tickers, Timestamp from, Timestamp to) {
  std::vector<double> returns;
  for (std::size_t i = 1; i < tickers.size(); ++i) {
    if (tickers[i - 1].exchange_time >= from && tickers[i].exchange_time < to) {
      returns.push_back(std::log(mid(tickers[i]) / mid(tickers[i - 1])));
    }
  }
  double mean = 0;
  for (const double r : returns) mean += r;
  mean /= static_cast<double>(returns.size());
  double variance = 0;
  for (const double r : returns) variance += (r - mean) * (r - mean);
  return std::sqrt(variance / static_cast<double>(returns.size() - 1));
}

TEST(MarketSimulatorAnomaly, PriceSpikeTradesFarFromThePreviousPriceThenReturns) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kPriceSpike, c);
    expect_labels(r, AnomalyKind::kPriceSpike, c);
    EXPECT_LE(r.end() - r.start(), 500ms);
    const auto& trades = r.trades[kTarget];
    int spikes_inside = 0;
    int jumps_outside = 0;
    for (std::size_t i = 1; i < trades.size(); ++i) {
      const bool jump = std::abs(trades[i].price / trades[i - 1].price - 1) >= 0.015;
      const bool inside = trades[i].exchange_time >= r.start() && trades[i].exchange_time < r.end();
      if (jump && inside) ++spikes_inside;
      // The first normal trade after the spike jumps back; any other jump is spurious.
      const bool back = trades[i - 1].exchange_time < r.end() && trades[i - 1].exchange_time >= r.start();
      if (jump && !inside && !back) ++jumps_outside;
    }
    EXPECT_GE(spikes_inside, 1);
    EXPECT_EQ(jumps_outside, 0);
    const double before = mean_mid(r.tickers[kTarget], r.start() - 5s, r.start());
    EXPECT_NEAR(mean_mid(r.tickers[kTarget], r.end(), r.end() + 5s) / before, 1.0, 0.003);
    for (std::size_t i = 1; i < r.trades[kOther].size(); ++i) {
      EXPECT_LT(std::abs(r.trades[kOther][i].price / r.trades[kOther][i - 1].price - 1), 0.01);
    }
  }
}

TEST(MarketSimulatorAnomaly, LevelShiftMovesEveryVenueTwoToFivePercentForGood) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kLevelShift, c);
    expect_labels(r, AnomalyKind::kLevelShift, c);
    for (const InstrumentId venue : {kTarget, kOther}) {
      const double before = mean_mid(r.tickers[venue], r.start() - 10s, r.start());
      const double after = mean_mid(r.tickers[venue], r.start() + 1s, r.start() + 11s);
      const double later = mean_mid(r.tickers[venue], r.end() + 100s, r.end() + 110s);
      EXPECT_GE(std::abs(after / before - 1), 0.019);
      EXPECT_LE(std::abs(after / before - 1), 0.052);
      EXPECT_GE(std::abs(later / before - 1), 0.015);
    }
  }
}

TEST(MarketSimulatorAnomaly, VolumeBurstMultipliesVolumeOnOneVenueOnly) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kVolumeBurst, c);
    expect_labels(r, AnomalyKind::kVolumeBurst, c);
    EXPECT_GE(r.end() - r.start(), 20s);
    EXPECT_LE(r.end() - r.start(), 60s);
    const auto baseline = [&](InstrumentId v) {
      return volume_rate(r.trades[v], r.start() - 120s, r.start());
    };
    const auto during = [&](InstrumentId v) { return volume_rate(r.trades[v], r.start(), r.end()); };
    EXPECT_GT(during(kTarget), 15 * baseline(kTarget));
    EXPECT_LT(during(kOther), 3 * baseline(kOther));
    const double before = mean_mid(r.tickers[kTarget], r.start() - 10s, r.start());
    EXPECT_NEAR(extreme_mid(r.tickers[kTarget], r.start(), r.end(), true) / before, 1.0, 0.005);
    EXPECT_NEAR(extreme_mid(r.tickers[kTarget], r.start(), r.end(), false) / before, 1.0, 0.005);
  }
}

TEST(MarketSimulatorAnomaly, FlashCrashFallsAtLeastFivePercentThenRecovers) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kFlashCrash, c);
    expect_labels(r, AnomalyKind::kFlashCrash, c);
    const double before = mean_mid(r.tickers[kTarget], r.start() - 10s, r.start());
    double lowest_trade = INFINITY;
    for (const auto& t : r.trades[kTarget]) {
      if (t.exchange_time >= r.start() && t.exchange_time < r.end())
        lowest_trade = std::min(lowest_trade, t.price);
    }
    EXPECT_LE(lowest_trade / before, 0.95);
    EXPECT_GE(lowest_trade / before, 0.85);
    EXPECT_NEAR(mean_mid(r.tickers[kTarget], r.end(), r.end() + 5s) / before, 1.0, 0.01);
    EXPECT_GT(extreme_mid(r.tickers[kOther], r.start(), r.end(), false) / before, 0.99);
    EXPECT_GT(trade_rate(r.trades[kTarget], r.start(), r.end()),
              3 * trade_rate(r.trades[kTarget], r.start() - 120s, r.start()));
  }
}

TEST(MarketSimulatorAnomaly, PumpAndDumpRisesAtLeastEightPercentThenFallsBack) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kPumpAndDump, c);
    expect_labels(r, AnomalyKind::kPumpAndDump, c);
    for (const InstrumentId venue : {kTarget, kOther}) {
      const double before = mean_mid(r.tickers[venue], r.start() - 10s, r.start());
      const double peak = extreme_mid(r.tickers[venue], r.start(), r.end(), true);
      EXPECT_GE(peak / before, 1.08);
      EXPECT_LE(peak / before, 1.21);
      EXPECT_NEAR(mean_mid(r.tickers[venue], r.end(), r.end() + 5s) / before, 1.0, 0.015);
      EXPECT_GT(volume_rate(r.trades[venue], r.start(), r.end()),
                3 * volume_rate(r.trades[venue], r.start() - 120s, r.start()));
    }
  }
}

TEST(MarketSimulatorAnomaly, WashTradingAddsMatchedPairsWithoutMovingThePrice) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kWashTrading, c);
    expect_labels(r, AnomalyKind::kWashTrading, c);
    const auto& trades = r.trades[kTarget];
    int pairs_inside = 0;
    int pairs_outside = 0;
    for (std::size_t i = 1; i < trades.size(); ++i) {
      const Trade& a = trades[i - 1];
      const Trade& b = trades[i];
      const bool pair = a.price == b.price && a.quantity == b.quantity && a.side != b.side &&
                        b.exchange_time - a.exchange_time <= 10ms;
      if (!pair) continue;
      (a.exchange_time >= r.start() && a.exchange_time < r.end() ? pairs_inside : pairs_outside) += 1;
    }
    EXPECT_GE(pairs_inside, 20);
    EXPECT_EQ(pairs_outside, 0);
    const double ratio =
        volume_rate(trades, r.start(), r.end()) / volume_rate(trades, r.start() - 120s, r.start());
    EXPECT_GT(ratio, 3.0);
    EXPECT_LT(ratio, 9.0);
    const double before = mean_mid(r.tickers[kTarget], r.start() - 10s, r.start());
    EXPECT_NEAR(extreme_mid(r.tickers[kTarget], r.start(), r.end(), true) / before, 1.0, 0.005);
    EXPECT_NEAR(extreme_mid(r.tickers[kTarget], r.start(), r.end(), false) / before, 1.0, 0.005);
  }
}

TEST(MarketSimulatorAnomaly, StaleFeedSilencesOneVenueWhileTheOtherContinues) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kStaleFeed, c);
    expect_labels(r, AnomalyKind::kStaleFeed, c);
    EXPECT_GE(r.end() - r.start(), 30s);
    EXPECT_LE(r.end() - r.start(), 90s);
    const auto in_window = [&](InstrumentId v) {
      return std::count_if(r.times[v].begin(), r.times[v].end(),
                           [&](Timestamp t) { return t >= r.start() && t < r.end(); });
    };
    EXPECT_EQ(in_window(kTarget), 0);
    EXPECT_GE(in_window(kOther), (r.end() - r.start()) / 100ms);
    EXPECT_TRUE(std::any_of(r.times[kTarget].begin(), r.times[kTarget].end(),
                            [&](Timestamp t) { return t >= r.end() && t < r.end() + 1s; }));
  }
}

TEST(MarketSimulatorAnomaly, VenueDivergenceOpensAGapOfAtLeastOnePercentThenCloses) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kVenueDivergence, c);
    expect_labels(r, AnomalyKind::kVenueDivergence, c);
    const auto& a = r.tickers[kTarget];
    const auto& b = r.tickers[kOther];
    ASSERT_EQ(a.size(), b.size());
    double gap_before = 0;
    double gap_during = 0;
    double gap_after = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].exchange_time, b[i].exchange_time);
      const double gap = std::abs(mid(a[i]) / mid(b[i]) - 1);
      const Timestamp t = a[i].exchange_time;
      double& slot = t < r.start() ? gap_before : t < r.end() ? gap_during : gap_after;
      slot = std::max(slot, gap);
    }
    EXPECT_LT(gap_before, 0.001);
    EXPECT_GE(gap_during, 0.01);
    EXPECT_LE(gap_during, 0.031);
    EXPECT_LT(gap_after, 0.001);
  }
}

TEST(MarketSimulatorAnomaly, SmallLevelShiftMovesThePriceFifteenToFortyBasisPoints) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kSmallLevelShift, c);
    expect_labels(r, AnomalyKind::kSmallLevelShift, c);
    for (const InstrumentId venue : {kTarget, kOther}) {
      const double before = mean_mid(r.tickers[venue], r.start() - 500ms, r.start());
      const double after = mean_mid(r.tickers[venue], r.start(), r.start() + 500ms);
      EXPECT_GE(std::abs(after / before - 1), 0.0012);
      EXPECT_LE(std::abs(after / before - 1), 0.0043);
    }
  }
}

TEST(MarketSimulatorAnomaly, VolatilityChangeAtLeastDoublesReturnDispersion) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kVolatilityChange, c);
    expect_labels(r, AnomalyKind::kVolatilityChange, c);
    EXPECT_GE(r.end() - r.start(), 120s);
    EXPECT_LE(r.end() - r.start(), 300s);
    for (const InstrumentId venue : {kTarget, kOther}) {
      const double before = return_std(r.tickers[venue], r.start() - 120s, r.start());
      EXPECT_GE(return_std(r.tickers[venue], r.start(), r.end()), 2.0 * before);
      EXPECT_LT(return_std(r.tickers[venue], r.end(), r.end() + 120s), 1.8 * before);
    }
  }
}

TEST(MarketSimulatorAnomaly, ScheduledAnomalyWaitsForTheRunningOne) {
  MarketSimulatorOptions options;
  options.anomaly_interval = 0s;
  options.start_time = kStart;
  MarketSimulator simulator(options, {{0, "simex", "BTC/USDT"}, {1, "mockex", "BTC/USDT"}});
  simulator.schedule_anomaly(AnomalyKind::kStaleFeed, "BTC/USDT", "mockex", kStart + 10s);
  simulator.schedule_anomaly(AnomalyKind::kSmallLevelShift, "BTC/USDT", "", kStart + 20s);
  Recording recording;
  simulator.advance_to(kStart + 5min, recording);
  ASSERT_EQ(recording.injected.size(), 3u);
  EXPECT_EQ(recording.injected[0].kind, "stale_feed");
  EXPECT_EQ(recording.injected[0].exchange, "mockex");
  EXPECT_EQ(recording.injected[1].kind, "small_level_shift");
  EXPECT_EQ(recording.injected[1].start, recording.injected[0].end);
}

}  // namespace
}  // namespace tickguard::simulator
