// The opt-in anomaly kinds (correlation_break, trend_change, multi_feature_burst, whale_trade,
// price_dip): each leaves its documented signature, is labelled on the right venues and window, is
// deterministic, touches nothing outside the venue it targets, and is drawn at random only when named
// in MarketSimulatorOptions::kinds. Every test runs over several seeds and symbols.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
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

class Recording final : public SimulationListener {
 public:
  void on_event(const MarketEvent& event) override {
    const InstrumentId id = instrument_of(event);
    if (const auto* trade = std::get_if<Trade>(&event)) trades[id].push_back(*trade);
    if (const auto* ticker = std::get_if<Ticker>(&event)) tickers[id].push_back(*ticker);
    if (const auto* book = std::get_if<BookSnapshot>(&event)) books[id].push_back(*book);
  }
  void on_injected(const InjectedAnomaly& anomaly) override { injected.push_back(anomaly); }

  Timestamp start() const { return injected.at(0).start; }
  Timestamp end() const { return injected.at(0).end; }

  std::array<std::vector<Trade>, 2> trades;
  std::array<std::vector<Ticker>, 2> tickers;
  std::array<std::vector<BookSnapshot>, 2> books;
  std::vector<InjectedAnomaly> injected;
};

MarketSimulator make_simulator(const Case& c) {
  MarketSimulatorOptions options;
  options.seed = c.seed;
  options.anomaly_interval = 0s;
  options.start_time = kStart;
  return MarketSimulator(options, {{kTarget, "simex", c.symbol}, {kOther, "mockex", c.symbol}});
}

// One anomaly of `kind` scheduled at kAnomalyStart on "simex"; runs until `tail` after it ends, or
// for the same length without any anomaly when `kind` is empty (the baseline).
Recording run_with(std::optional<AnomalyKind> kind, const Case& c, Timestamp until = {}) {
  MarketSimulator simulator = make_simulator(c);
  if (kind) simulator.schedule_anomaly(*kind, c.symbol, "simex", kAnomalyStart);
  Recording recording;
  simulator.advance_to(kAnomalyStart + 1ns, recording);
  const Timestamp end = until != Timestamp{} ? until : recording.end() + 120s;
  simulator.advance_to(end, recording);
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
    EXPECT_EQ(label.end, r.injected[0].end);
    venues.insert(label.exchange);
  }
  const std::set<std::string> expected =
      one_venue ? std::set<std::string>{"simex"} : std::set<std::string>{"simex", "mockex"};
  EXPECT_EQ(venues, expected);
}

// Venue-specific kinds leave the other venue's stream exactly as in a run without any anomaly.
void expect_other_venue_untouched(const Recording& r, const Recording& baseline) {
  ASSERT_EQ(r.tickers[kOther].size(), baseline.tickers[kOther].size());
  for (std::size_t i = 0; i < r.tickers[kOther].size(); ++i) {
    EXPECT_EQ(r.tickers[kOther][i].bid_price, baseline.tickers[kOther][i].bid_price);
    EXPECT_EQ(r.tickers[kOther][i].ask_price, baseline.tickers[kOther][i].ask_price);
  }
  EXPECT_EQ(r.trades[kOther].size(), baseline.trades[kOther].size());
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

double mean_relative_spread(const std::vector<Ticker>& tickers, Timestamp from, Timestamp to) {
  double sum = 0;
  int count = 0;
  for (const auto& t : tickers) {
    if (t.exchange_time >= from && t.exchange_time < to) {
      sum += (t.ask_price - t.bid_price) / mid(t);
      ++count;
    }
  }
  return sum / count;
}

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

// Log returns of the mid sampled every `every` in [from, to).
std::vector<double> sampled_returns(const std::vector<Ticker>& tickers, Timestamp from, Timestamp to,
                                    Duration every) {
  std::vector<double> returns;
  double previous = NAN;
  Timestamp next = from;
  for (const auto& t : tickers) {
    if (t.exchange_time < next || t.exchange_time >= to) continue;
    if (!std::isnan(previous)) returns.push_back(std::log(mid(t) / previous));
    previous = mid(t);
    next += every;
  }
  return returns;
}

double standard_deviation(const std::vector<double>& xs) {
  double mean = 0;
  for (const double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  double variance = 0;
  for (const double x : xs) variance += (x - mean) * (x - mean);
  return std::sqrt(variance / static_cast<double>(xs.size() - 1));
}

double correlation(const std::vector<double>& xs, const std::vector<double>& ys) {
  double mx = 0;
  double my = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) mx += xs[i], my += ys[i];
  mx /= static_cast<double>(xs.size());
  my /= static_cast<double>(ys.size());
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

TEST(MarketSimulatorOptInKinds, NamesRoundTripAndAreNotInTheDefaultSet) {
  const std::vector<std::string> expected = {"correlation_break", "trend_change", "multi_feature_burst",
                                             "whale_trade", "price_dip"};
  std::vector<std::string> names;
  for (const AnomalyKind kind : opt_in_anomaly_kinds()) {
    names.emplace_back(anomaly_kind_name(kind));
    EXPECT_EQ(anomaly_kind_from_name(anomaly_kind_name(kind)), kind);
    EXPECT_EQ(std::count(all_anomaly_kinds().begin(), all_anomaly_kinds().end(), kind), 0);
  }
  EXPECT_EQ(names, expected);
  EXPECT_EQ(anomaly_kind_from_name("price_spike"), AnomalyKind::kPriceSpike);
  EXPECT_FALSE(anomaly_kind_from_name("meteor_strike").has_value());
  EXPECT_FALSE(is_venue_specific(AnomalyKind::kTrendChange));
  EXPECT_TRUE(is_venue_specific(AnomalyKind::kCorrelationBreak));
  EXPECT_TRUE(is_venue_specific(AnomalyKind::kMultiFeatureBurst));
  EXPECT_TRUE(is_venue_specific(AnomalyKind::kWhaleTrade));
  EXPECT_TRUE(is_venue_specific(AnomalyKind::kPriceDip));
}

TEST(MarketSimulatorOptInKinds, CorrelationBreakDecouplesOneVenueFromItsPeersThenRejoins) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kCorrelationBreak, c);
    expect_labels(r, AnomalyKind::kCorrelationBreak, c);
    EXPECT_GE(r.end() - r.start(), 120s);
    EXPECT_LE(r.end() - r.start(), 300s + 100ms);
    expect_other_venue_untouched(r, run_with(std::nullopt, c, r.end() + 120s));

    // Before: the venues move together (5 s returns almost perfectly correlated); during the
    // decoupled part (the first 80 %): they do not.
    const Duration every = 5s;
    const Timestamp decoupled_end = r.start() + (r.end() - r.start()) * 4 / 5;
    EXPECT_GT(correlation(sampled_returns(r.tickers[kTarget], r.start() - 120s, r.start(), every),
                          sampled_returns(r.tickers[kOther], r.start() - 120s, r.start(), every)),
              0.9);
    EXPECT_LT(correlation(sampled_returns(r.tickers[kTarget], r.start(), decoupled_end, every),
                          sampled_returns(r.tickers[kOther], r.start(), decoupled_end, every)),
              0.6);
    // The gap between the venues grows well beyond the basis noise (~0.5 bp), then closes.
    double gap_before = 0;
    double gap_during = 0;
    double gap_after = 0;
    const auto& a = r.tickers[kTarget];
    const auto& b = r.tickers[kOther];
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double gap = std::abs(mid(a[i]) / mid(b[i]) - 1);
      const Timestamp t = a[i].exchange_time;
      double& slot = t < r.start() ? gap_before : t < r.end() ? gap_during : gap_after;
      slot = std::max(slot, gap);
    }
    EXPECT_GT(gap_during, 3 * gap_before);
    EXPECT_GT(gap_during, 2e-4);
    EXPECT_LT(gap_after, 1e-3);
  }
}

TEST(MarketSimulatorOptInKinds, TrendChangeDriftsEveryVenueSteadilyAndStays) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kTrendChange, c);
    expect_labels(r, AnomalyKind::kTrendChange, c);
    EXPECT_GE(r.end() - r.start(), 180s);
    EXPECT_LE(r.end() - r.start(), 600s + 100ms);
    const double minutes = std::chrono::duration<double>(r.end() - r.start()).count() / 60;
    for (const InstrumentId venue : {kTarget, kOther}) {
      const double before = mean_mid(r.tickers[venue], r.start() - 5s, r.start());
      const double at_end = mean_mid(r.tickers[venue], r.end() - 5s, r.end());
      const double percent_per_minute = 100 * std::abs(std::log(at_end / before)) / minutes;
      EXPECT_GE(percent_per_minute, 0.2);
      EXPECT_LE(percent_per_minute, 1.15);
      // Steady: the first and the second half each carry a good share of the move, in one direction.
      const double middle = mean_mid(r.tickers[venue], r.start() + (r.end() - r.start()) / 2 - 2500ms,
                                     r.start() + (r.end() - r.start()) / 2 + 2500ms);
      EXPECT_GT(std::log(middle / before) * std::log(at_end / middle), 0);
      // And it stays: two minutes later the price has not gone back.
      const double later = mean_mid(r.tickers[venue], r.end() + 110s, r.end() + 115s);
      EXPECT_GT(std::abs(std::log(later / before)), 0.5 * std::abs(std::log(at_end / before)));
    }
  }
}

TEST(MarketSimulatorOptInKinds, MultiFeatureBurstRaisesVolumeSpreadAndVolatilityWithoutMovingThePrice) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kMultiFeatureBurst, c);
    expect_labels(r, AnomalyKind::kMultiFeatureBurst, c);
    EXPECT_GE(r.end() - r.start(), 30s);
    EXPECT_LE(r.end() - r.start(), 60s + 100ms);
    expect_other_venue_untouched(r, run_with(std::nullopt, c, r.end() + 120s));
    const auto& trades = r.trades[kTarget];
    const auto& tickers = r.tickers[kTarget];
    const Timestamp before = r.start() - 120s;
    EXPECT_GT(volume_rate(trades, r.start(), r.end()), 5 * volume_rate(trades, before, r.start()));
    EXPECT_GT(trade_rate(trades, r.start(), r.end()), 2.2 * trade_rate(trades, before, r.start()));
    EXPECT_GT(mean_relative_spread(tickers, r.start(), r.end()),
              2.3 * mean_relative_spread(tickers, before, r.start()));
    EXPECT_LT(mean_relative_spread(tickers, r.end(), r.end() + 60s),
              1.5 * mean_relative_spread(tickers, before, r.start()));
    // Return volatility of 1 s mids: about x3 during the burst (5 s fade-out excluded).
    const double normal = standard_deviation(sampled_returns(tickers, before, r.start(), 1s));
    EXPECT_GT(standard_deviation(sampled_returns(tickers, r.start(), r.end() - 5s, 1s)), 2 * normal);
    // No net move beyond what the market does anyway: the venue ends where its peer is.
    EXPECT_NEAR(mean_mid(tickers, r.end(), r.end() + 2s) / mean_mid(r.tickers[kOther], r.end(), r.end() + 2s),
                1.0, 0.001);
  }
}

TEST(MarketSimulatorOptInKinds, WhaleTradeIsOneHugePrintInItsStep) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kWhaleTrade, c);
    expect_labels(r, AnomalyKind::kWhaleTrade, c);
    EXPECT_EQ(r.end() - r.start(), 100ms);
    expect_other_venue_untouched(r, run_with(std::nullopt, c, r.end() + 120s));
    std::vector<double> sizes;
    for (const auto& t : r.trades[kTarget]) {
      if (t.exchange_time < r.start()) sizes.push_back(t.quantity);
    }
    std::nth_element(sizes.begin(), sizes.begin() + sizes.size() / 2, sizes.end());
    const double median = sizes[sizes.size() / 2];
    int whales_inside = 0;
    for (const auto& t : r.trades[kTarget]) {
      const bool inside = t.exchange_time >= r.start() && t.exchange_time < r.end();
      if (inside && t.quantity >= 800 * median) {
        ++whales_inside;
        EXPECT_LE(t.quantity, 6000 * median);
      }
      if (!inside) {
        EXPECT_LT(t.quantity, 700 * median);  // organic whales are capped at 500x
      }
    }
    EXPECT_EQ(whales_inside, 1);
  }
}

TEST(MarketSimulatorOptInKinds, PriceDipTradesFarBelowThePreviousPriceThenReturns) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.symbol);
    const Recording r = run_with(AnomalyKind::kPriceDip, c);
    expect_labels(r, AnomalyKind::kPriceDip, c);
    EXPECT_LE(r.end() - r.start(), 500ms);
    expect_other_venue_untouched(r, run_with(std::nullopt, c, r.end() + 120s));
    const auto& trades = r.trades[kTarget];
    const double before = mean_mid(r.tickers[kTarget], r.start() - 5s, r.start());
    int dips_inside = 0;
    int jumps_elsewhere = 0;
    for (std::size_t i = 1; i < trades.size(); ++i) {
      const double move = trades[i].price / trades[i - 1].price - 1;
      const bool inside = trades[i].exchange_time >= r.start() && trades[i].exchange_time < r.end();
      const bool back = trades[i - 1].exchange_time >= r.start() && trades[i - 1].exchange_time < r.end();
      if (inside && move <= -0.015) ++dips_inside;
      if (inside && trades[i].price > 1.01 * before) ++jumps_elsewhere;  // never upwards
      if (!inside && !back && std::abs(move) >= 0.015) ++jumps_elsewhere;
    }
    EXPECT_GE(dips_inside, 1);
    EXPECT_EQ(jumps_elsewhere, 0);
  }
}

TEST(MarketSimulatorOptInKinds, SameSeedAndKindsGiveTheSameRun) {
  MarketSimulatorOptions options;
  options.seed = 5;
  options.anomaly_interval = 90s;
  options.start_time = kStart;
  options.kinds = {AnomalyKind::kCorrelationBreak, AnomalyKind::kMultiFeatureBurst, AnomalyKind::kWhaleTrade};
  const std::vector<Instrument> instruments = {{kTarget, "simex", "ETH/USDT"},
                                               {kOther, "mockex", "ETH/USDT"}};
  Recording first;
  Recording second;
  MarketSimulator(options, instruments).advance_to(kStart + 1h, first);
  MarketSimulator(options, instruments).advance_to(kStart + 1h, second);
  ASSERT_FALSE(first.injected.empty());
  ASSERT_EQ(first.injected.size(), second.injected.size());
  for (std::size_t i = 0; i < first.injected.size(); ++i) {
    EXPECT_EQ(first.injected[i].kind, second.injected[i].kind);
    EXPECT_EQ(first.injected[i].exchange, second.injected[i].exchange);
    EXPECT_EQ(first.injected[i].start, second.injected[i].start);
  }
  for (const InstrumentId venue : {kTarget, kOther}) {
    ASSERT_EQ(first.tickers[venue].size(), second.tickers[venue].size());
    ASSERT_EQ(first.trades[venue].size(), second.trades[venue].size());
    for (std::size_t i = 0; i < first.trades[venue].size(); ++i) {
      EXPECT_EQ(first.trades[venue][i].price, second.trades[venue][i].price);
      EXPECT_EQ(first.trades[venue][i].quantity, second.trades[venue][i].quantity);
    }
  }
}

TEST(MarketSimulatorOptInKinds, RandomKindsComeOnlyFromTheSelection) {
  MarketSimulatorOptions options;
  options.seed = 9;
  options.anomaly_interval = 60s;
  options.start_time = kStart;
  options.kinds = {AnomalyKind::kTrendChange, AnomalyKind::kPriceDip};
  Recording r;
  MarketSimulator(options, {{kTarget, "simex", "BTC/USDT"}, {kOther, "mockex", "BTC/USDT"}})
      .advance_to(kStart + 3h, r);
  std::map<std::string, int> counts;
  for (const auto& label : r.injected) ++counts[label.kind];
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_GT(counts["trend_change"], 0);
  EXPECT_GT(counts["price_dip"], 0);
  // Trend changes are labelled on both venues; dips land on both venues over the run.
  std::set<std::string> dip_venues;
  for (const auto& label : r.injected) {
    if (label.kind == "price_dip") dip_venues.insert(label.exchange);
  }
  EXPECT_EQ(dip_venues.size(), 2u);
}

TEST(MarketSimulatorOptInKinds, AnomalyGapLeavesACleanMarketBeforeEachRandomAnomaly) {
  MarketSimulatorOptions options;
  options.seed = 3;
  options.anomaly_interval = 60s;
  options.anomaly_gap = 3min;
  options.start_time = kStart;
  Recording r;
  MarketSimulator(options, {{kTarget, "simex", "SOL/USDT"}, {kOther, "mockex", "SOL/USDT"}})
      .advance_to(kStart + 3h, r);
  std::vector<InjectedAnomaly> distinct;
  for (const auto& label : r.injected) {
    if (distinct.empty() || distinct.back().start != label.start) distinct.push_back(label);
  }
  ASSERT_GT(distinct.size(), 10u);
  for (std::size_t i = 1; i < distinct.size(); ++i) EXPECT_GE(distinct[i].start, distinct[i - 1].end + 3min);
}

TEST(MarketSimulatorOptInKinds, ExplicitDefaultKindsGiveTheDefaultStream) {
  MarketSimulatorOptions options;
  options.seed = 12;
  options.anomaly_interval = 30s;
  options.start_time = kStart;
  const std::vector<Instrument> instruments = {{kTarget, "simex", "ETH/USDT"},
                                               {kOther, "mockex", "ETH/USDT"}};
  Recording implicit;
  MarketSimulator(options, instruments).advance_to(kStart + 30min, implicit);
  options.kinds.assign(all_anomaly_kinds().begin(), all_anomaly_kinds().end());
  Recording explicit_kinds;
  MarketSimulator(options, instruments).advance_to(kStart + 30min, explicit_kinds);
  ASSERT_EQ(implicit.injected.size(), explicit_kinds.injected.size());
  for (std::size_t i = 0; i < implicit.injected.size(); ++i) {
    EXPECT_EQ(implicit.injected[i].kind, explicit_kinds.injected[i].kind);
    EXPECT_EQ(implicit.injected[i].start, explicit_kinds.injected[i].start);
  }
  ASSERT_EQ(implicit.trades[kTarget].size(), explicit_kinds.trades[kTarget].size());
  for (std::size_t i = 0; i < implicit.trades[kTarget].size(); ++i) {
    EXPECT_EQ(implicit.trades[kTarget][i].price, explicit_kinds.trades[kTarget][i].price);
  }
}

}  // namespace
}  // namespace tickguard::simulator
