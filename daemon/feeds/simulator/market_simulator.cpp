#include "feeds/simulator/market_simulator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <utility>

namespace tickguard::simulator {
namespace {

using namespace std::chrono_literals;

constexpr std::array<AnomalyKind, 10> kAllKinds = {
    AnomalyKind::kPriceSpike,       AnomalyKind::kLevelShift,      AnomalyKind::kVolumeBurst,
    AnomalyKind::kFlashCrash,       AnomalyKind::kPumpAndDump,     AnomalyKind::kWashTrading,
    AnomalyKind::kStaleFeed,        AnomalyKind::kVenueDivergence, AnomalyKind::kSmallLevelShift,
    AnomalyKind::kVolatilityChange,
};
constexpr std::array<AnomalyKind, 5> kOptInKinds = {
    AnomalyKind::kCorrelationBreak, AnomalyKind::kTrendChange, AnomalyKind::kMultiFeatureBurst,
    AnomalyKind::kWhaleTrade,       AnomalyKind::kPriceDip,
};

constexpr double kSecondsPerYear = 365.0 * 86400.0;
constexpr double kVolatilityTimeScaleSeconds = 120.0;  // GARCH persistence time scale
constexpr double kGarchShockShare = 0.25;              // of the largest alpha with a finite 4th moment
constexpr double kMeanReversionHalfLifeSeconds = 12.0 * 3600.0;
constexpr double kBasisStdDev = 0.5e-4;  // venue basis, relative
constexpr double kBasisTimeScaleSeconds = 20.0;
constexpr double kWhaleProbability = 0.03;
constexpr double kWhaleScale = 4.0;  // x median
constexpr double kWhaleAlpha = 1.7;
constexpr double kWhaleCap = 500.0;  // x median
// Mean trade size as a multiple of the median: lognormal(0, 1) body plus the capped Pareto tail.
constexpr double kMeanSizeFactor = 1.9;
constexpr int kBookDepth = 5;
constexpr std::size_t kAllVenues = std::numeric_limits<std::size_t>::max();
// Multi-feature burst: local noise with this mean-reversion time, x3 total return volatility, faded
// out over the last kBurstFadeSeconds so the burst leaves no net move.
constexpr double kBurstNoiseTimeScaleSeconds = 5.0;
constexpr double kBurstExtraVariance = 8.0;  // 1 + 8 = 3^2
constexpr double kBurstFadeSeconds = 5.0;
constexpr double kCorrelationBreakConvergeShare = 0.2;  // last fifth converges back to the fair price

bool is_opt_in(AnomalyKind kind) {
  return std::find(kOptInKinds.begin(), kOptInKinds.end(), kind) != kOptInKinds.end();
}

double seconds_of(Duration d) { return std::chrono::duration<double>(d).count(); }

// Capped at ~95 years so that a huge exponential draw cannot overflow the nanosecond count.
Duration duration_of(double seconds) {
  return Duration(static_cast<Duration::rep>(std::min(seconds, 3e9) * 1e9));
}

std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

// Uniform in [0, 1) from the top 53 bits of a hash, for per-name constants.
double unit_from_hash(std::uint64_t hash) { return static_cast<double>(hash >> 11) * 0x1.0p-53; }

// xoshiro256** with hand-written distributions, so streams do not depend on the standard library.
class Random {
 public:
  Random() = default;
  explicit Random(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix64(seed);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  double uniform_open() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
  std::size_t index(std::size_t n) { return std::min(n - 1, static_cast<std::size_t>(uniform() * n)); }
  bool bernoulli(double p) { return uniform() < p; }
  double sign() { return bernoulli(0.5) ? 1.0 : -1.0; }
  double exponential(double mean) { return -mean * std::log(uniform_open()); }
  double pareto(double scale, double alpha) { return scale * std::pow(uniform_open(), -1.0 / alpha); }
  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }
  // Box-Muller; the second variate of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform_open()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
  double spare_ = 0;
  bool has_spare_ = false;
};

// An independent stream for one purpose (`salt`) of one named thing.
Random make_stream(std::uint64_t seed, std::string_view name, std::uint64_t salt) {
  std::uint64_t mix = seed;
  mix = splitmix64(mix) ^ fnv1a(name);
  mix = splitmix64(mix) ^ salt;
  return Random(splitmix64(mix));
}

struct SymbolProfile {
  double base_price = 0;
  double annual_volatility = 0;
  double median_notional = 0;  // quote units
  double spread_factor = 0;    // venue spreads are multiplied by this
};

SymbolProfile profile_for(std::string_view symbol) {
  const std::string_view base = symbol.substr(0, symbol.find_first_of("/-_:"));
  if (base == "BTC" || base == "XBT") return {60000.0, 0.50, 3000.0, 1.0};
  if (base == "ETH") return {3000.0, 0.65, 1500.0, 1.2};
  if (base == "SOL") return {150.0, 0.90, 600.0, 2.0};
  const std::uint64_t hash = fnv1a(base);
  const double price = std::pow(10.0, -1.0 + 4.0 * unit_from_hash(hash));
  const double volatility = 0.8 + 0.4 * unit_from_hash(hash * 0x9E3779B97F4A7C15ULL);
  return {price, volatility, 300.0, 3.0};
}

// Full relative spread of a venue before the symbol's spread factor: 1-4 bps.
double venue_spread(std::string_view venue) { return (1.0 + 3.0 * unit_from_hash(fnv1a(venue))) * 1e-4; }

double power_of_ten_below(double x) { return std::pow(10.0, std::floor(std::log10(x))); }

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

// Trade-rate multiplier for the time of day (UTC): peak 1.5 at 14:00, trough 0.5 at 02:00.
double intraday_seasonality(Timestamp t) {
  constexpr Duration::rep kDay = std::chrono::duration_cast<Duration>(24h).count();
  const Duration::rep of_day = ((t.time_since_epoch().count() % kDay) + kDay) % kDay;
  const double hour = static_cast<double>(of_day) / 3.6e12;
  return 1.0 + 0.5 * std::cos(2.0 * std::numbers::pi * (hour - 14.0) / 24.0);
}

// One anomaly, fully drawn when it starts.
struct Anomaly {
  AnomalyKind kind = AnomalyKind::kPriceSpike;
  std::size_t venue = kAllVenues;  // index among the symbol's venues, or kAllVenues
  Timestamp start{};
  Timestamp end{};
  double magnitude = 0;  // signed relative price move, or the volatility multiplier
  double rate_multiplier = 1;
  double size_multiplier = 1;
  Duration phase1{};  // fall / pump
  Duration phase2{};  // recovery / dump
  int spike_count = 0;
  std::array<Duration, 3> spike_offsets{};
  // Stateful opt-in kinds, advanced once per step (State::evolve_anomaly).
  double drift = 0;   // trend_change: log fair-price move per step
  double anchor = 0;  // correlation_break: log fair price at the start
  double walk = 0;    // correlation_break: own log return since the start; burst: local noise
  double offset = 0;  // log offset of the affected venue's mid this step
};

// What an anomaly does to one venue during one step.
struct VenueEffects {
  double log_offset = 0;  // added to the log mid
  double rate_multiplier = 1;
  double size_multiplier = 1;
  double spread_multiplier = 1;
  double buy_probability = 0.5;
  double wash_pairs_per_trade = 0;  // wash pairs per normal trade
  double wash_size = 0;             // x median quantity
  bool silent = false;
};

VenueEffects effects_of(const Anomaly& a, Timestamp t0) {
  VenueEffects fx;
  const double tau = seconds_of(t0 - a.start);
  const double phase1 = seconds_of(a.phase1);
  const double phase2 = seconds_of(a.phase2);
  switch (a.kind) {
    case AnomalyKind::kVolumeBurst:
      fx.rate_multiplier = a.rate_multiplier;
      fx.size_multiplier = a.size_multiplier;
      break;
    case AnomalyKind::kFlashCrash: {
      const double depth = std::log1p(-a.magnitude);
      if (tau < phase1) {
        fx.log_offset = depth * tau / phase1;
        fx.buy_probability = 0.15;
      } else {
        const double remaining = 1.0 - std::min(1.0, (tau - phase1) / phase2);
        fx.log_offset = depth * remaining * remaining;
        fx.buy_probability = 0.6;
      }
      fx.rate_multiplier = a.rate_multiplier;
      fx.size_multiplier = a.size_multiplier;
      fx.spread_multiplier = 3.0;
      break;
    }
    case AnomalyKind::kPumpAndDump: {
      const double peak = std::log1p(a.magnitude);
      if (tau < phase1) {
        fx.log_offset = peak * std::pow(tau / phase1, 1.5);
        fx.buy_probability = 0.65;
      } else {
        const double remaining = 1.0 - std::min(1.0, (tau - phase1) / phase2);
        fx.log_offset = peak * remaining * remaining;
        fx.buy_probability = 0.35;
      }
      fx.rate_multiplier = a.rate_multiplier;
      fx.spread_multiplier = 1.5;
      break;
    }
    case AnomalyKind::kWashTrading:
      fx.wash_pairs_per_trade = a.rate_multiplier;
      fx.wash_size = a.size_multiplier;
      break;
    case AnomalyKind::kStaleFeed:
      fx.silent = true;
      break;
    case AnomalyKind::kVenueDivergence: {
      const double fraction = tau / seconds_of(a.end - a.start);
      const double shape = fraction < 0.25   ? smoothstep(fraction / 0.25)
                           : fraction < 0.75 ? 1.0
                                             : smoothstep((1.0 - fraction) / 0.25);
      fx.log_offset = std::log1p(a.magnitude) * shape;
      break;
    }
    case AnomalyKind::kCorrelationBreak:
      fx.log_offset = a.offset;
      break;
    case AnomalyKind::kMultiFeatureBurst:
      fx.log_offset = a.offset;
      fx.rate_multiplier = a.rate_multiplier;
      fx.size_multiplier = a.size_multiplier;
      fx.spread_multiplier = 3.0;
      break;
    case AnomalyKind::kPriceSpike:  // extra trades, added by the venue step
    case AnomalyKind::kPriceDip:
    case AnomalyKind::kWhaleTrade:
    case AnomalyKind::kLevelShift:  // applied to the fair price when it starts
    case AnomalyKind::kSmallLevelShift:
    case AnomalyKind::kVolatilityChange:  // applied to the fair-price returns
    case AnomalyKind::kTrendChange:
      break;
  }
  return fx;
}

// Quantities trade in whole lots, at least one.
double round_to_lot(double quantity, double lot) { return std::max(lot, std::round(quantity / lot) * lot); }

// Trade size as a multiple of the symbol's median size.
double draw_size_factor(Random& random) {
  if (random.bernoulli(kWhaleProbability))
    return std::min(random.pareto(kWhaleScale, kWhaleAlpha), kWhaleCap);
  return random.lognormal(0.0, 1.0);
}

struct PendingTrade {
  Duration offset{};  // from the step start
  std::uint32_t order = 0;
  Side side = Side::kUnknown;
  double price = 0;
  double quantity = 0;
};

}  // namespace

std::string_view anomaly_kind_name(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::kPriceSpike:
      return "price_spike";
    case AnomalyKind::kLevelShift:
      return "level_shift";
    case AnomalyKind::kVolumeBurst:
      return "volume_burst";
    case AnomalyKind::kFlashCrash:
      return "flash_crash";
    case AnomalyKind::kPumpAndDump:
      return "pump_and_dump";
    case AnomalyKind::kWashTrading:
      return "wash_trading";
    case AnomalyKind::kStaleFeed:
      return "stale_feed";
    case AnomalyKind::kVenueDivergence:
      return "venue_divergence";
    case AnomalyKind::kSmallLevelShift:
      return "small_level_shift";
    case AnomalyKind::kVolatilityChange:
      return "volatility_change";
    case AnomalyKind::kCorrelationBreak:
      return "correlation_break";
    case AnomalyKind::kTrendChange:
      return "trend_change";
    case AnomalyKind::kMultiFeatureBurst:
      return "multi_feature_burst";
    case AnomalyKind::kWhaleTrade:
      return "whale_trade";
    case AnomalyKind::kPriceDip:
      return "price_dip";
  }
  return "unknown";
}

std::optional<AnomalyKind> anomaly_kind_from_name(std::string_view name) {
  for (const auto& kinds :
       {std::span<const AnomalyKind>(kAllKinds), std::span<const AnomalyKind>(kOptInKinds)}) {
    for (const AnomalyKind kind : kinds) {
      if (anomaly_kind_name(kind) == name) return kind;
    }
  }
  return std::nullopt;
}

std::span<const AnomalyKind> all_anomaly_kinds() { return kAllKinds; }

std::span<const AnomalyKind> opt_in_anomaly_kinds() { return kOptInKinds; }

bool is_venue_specific(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::kPriceSpike:
    case AnomalyKind::kVolumeBurst:
    case AnomalyKind::kFlashCrash:
    case AnomalyKind::kWashTrading:
    case AnomalyKind::kStaleFeed:
    case AnomalyKind::kVenueDivergence:
    case AnomalyKind::kCorrelationBreak:
    case AnomalyKind::kMultiFeatureBurst:
    case AnomalyKind::kWhaleTrade:
    case AnomalyKind::kPriceDip:
      return true;
    case AnomalyKind::kLevelShift:
    case AnomalyKind::kPumpAndDump:
    case AnomalyKind::kSmallLevelShift:
    case AnomalyKind::kVolatilityChange:
    case AnomalyKind::kTrendChange:
      return false;
  }
  return false;
}

struct MarketSimulator::State {
  struct ScheduledAnomaly {
    AnomalyKind kind;
    std::size_t venue;  // kAllVenues: drawn at random for venue-specific kinds
    Timestamp start;
  };

  struct Symbol {
    std::string name;
    SymbolProfile profile;
    std::vector<std::size_t> venues;  // indices into State::venues
    double log_base = 0;
    double log_fair = 0;
    double long_run_variance = 0;  // per step
    double variance = 0;           // GARCH conditional variance of the next step's return
    Random price_random;
    Random anomaly_random;
    Random opt_in_random;  // everything about opt-in kinds, so they never shift the streams above
    Timestamp next_random_anomaly{};
    Timestamp last_anomaly_end{};
    std::optional<Anomaly> active;
    std::vector<ScheduledAnomaly> scheduled;  // sorted by start
  };

  // One instrument: a venue's market in a symbol.
  struct Venue {
    Instrument instrument;
    std::size_t symbol = 0;
    std::size_t index_in_symbol = 0;
    double spread = 0;  // full relative spread
    double tick = 0;
    double lot = 0;
    double median_quantity = 0;
    double basis = 0;  // log offset from the fair price
    std::uint64_t next_trade_id = 1;
    std::uint64_t book_sequence = 0;
    Random random;
  };

  State(MarketSimulatorOptions opts, std::vector<Instrument> instruments);
  void step(SimulationListener& listener);
  void step_symbol(Symbol& symbol, Timestamp t0, bool book_due, SimulationListener& listener);
  void maybe_start_anomaly(Symbol& symbol, Timestamp t0, SimulationListener& listener);
  void evolve_anomaly(Symbol& symbol, Timestamp t0) const;
  void start_anomaly(Symbol& symbol, AnomalyKind kind, std::size_t venue, Timestamp t0,
                     SimulationListener& listener);
  Anomaly draw_anomaly(AnomalyKind kind, std::size_t venue, Timestamp t0, Random& random) const;
  void step_venue(const Symbol& symbol, Venue& venue, Timestamp t0, bool book_due,
                  SimulationListener& listener);
  void add_wash_pairs(Venue& venue, const VenueEffects& fx, double mid, double normal_rate);
  void emit_book(Venue& venue, Timestamp t0, double bid, double ask, double bid_size, double ask_size,
                 double spread, SimulationListener& listener) const;
  Duration round_up_to_steps(double seconds) const;

  MarketSimulatorOptions options;
  double step_seconds = 0;
  double garch_alpha = 0;
  double garch_beta = 0;
  double garch_persistence = 0;
  double mean_reversion = 0;  // per step
  double basis_decay = 0;
  double basis_innovation = 0;
  std::vector<Symbol> symbols;
  std::vector<Venue> venues;
  Timestamp now{};
  Timestamp next_book{};
  std::vector<PendingTrade> trades;  // reused every venue step
};

MarketSimulator::State::State(MarketSimulatorOptions opts, std::vector<Instrument> instruments)
    : options(std::move(opts)) {
  if (options.step <= Duration::zero()) options.step = std::chrono::milliseconds(100);
  options.trades_per_second = std::max(0.0, options.trades_per_second);
  step_seconds = seconds_of(options.step);
  garch_persistence = std::exp(-step_seconds / kVolatilityTimeScaleSeconds);
  const double p = garch_persistence;
  // alpha below sqrt((1 - p^2) / 2) keeps the fourth moment of returns finite.
  garch_alpha = kGarchShockShare * std::sqrt((1.0 - p * p) / 2.0);
  garch_beta = p - garch_alpha;
  mean_reversion = 1.0 - std::exp(-step_seconds * std::numbers::ln2 / kMeanReversionHalfLifeSeconds);
  basis_decay = std::exp(-step_seconds / kBasisTimeScaleSeconds);
  basis_innovation = kBasisStdDev * std::sqrt(1.0 - basis_decay * basis_decay);
  now = options.start_time;
  next_book = options.start_time;

  const bool inject = options.anomaly_interval > Duration::zero();
  venues.reserve(instruments.size());
  for (auto& instrument : instruments) {
    auto it = std::find_if(symbols.begin(), symbols.end(),
                           [&](const Symbol& s) { return s.name == instrument.symbol; });
    if (it == symbols.end()) {
      Symbol& symbol = symbols.emplace_back();
      symbol.name = instrument.symbol;
      symbol.profile = profile_for(symbol.name);
      symbol.log_base = std::log(symbol.profile.base_price);
      symbol.log_fair = symbol.log_base;
      symbol.long_run_variance = symbol.profile.annual_volatility * symbol.profile.annual_volatility /
                                 kSecondsPerYear * step_seconds;
      symbol.variance = symbol.long_run_variance;
      symbol.price_random = make_stream(options.seed, symbol.name, 1);
      symbol.anomaly_random = make_stream(options.seed, symbol.name, 2);
      symbol.opt_in_random = make_stream(options.seed, symbol.name, 4);
      if (inject) {
        symbol.next_random_anomaly =
            options.start_time + options.quiet_period +
            duration_of(symbol.anomaly_random.exponential(seconds_of(options.anomaly_interval)));
      }
      it = symbols.end() - 1;
    }
    Symbol& symbol = *it;
    Venue& venue = venues.emplace_back();
    venue.symbol = static_cast<std::size_t>(it - symbols.begin());
    venue.index_in_symbol = symbol.venues.size();
    symbol.venues.push_back(venues.size() - 1);
    venue.spread = venue_spread(instrument.exchange) * symbol.profile.spread_factor;
    venue.tick = power_of_ten_below(symbol.profile.base_price) * 1e-5;
    venue.median_quantity = symbol.profile.median_notional / symbol.profile.base_price;
    venue.lot = power_of_ten_below(venue.median_quantity) * 1e-3;
    venue.random = make_stream(options.seed, instrument.exchange + '\x1f' + instrument.symbol, 3);
    venue.instrument = std::move(instrument);
  }
  trades.reserve(1024);
}

Duration MarketSimulator::State::round_up_to_steps(double seconds) const {
  const double steps = std::max(1.0, std::ceil(seconds / step_seconds - 1e-9));
  return options.step * static_cast<Duration::rep>(steps);
}

void MarketSimulator::State::step(SimulationListener& listener) {
  const Timestamp t0 = now;
  const bool book_due = t0 >= next_book;
  if (book_due) next_book += 1s * ((t0 - next_book) / 1s + 1);
  for (auto& symbol : symbols) step_symbol(symbol, t0, book_due, listener);
  now = t0 + options.step;
}

void MarketSimulator::State::step_symbol(Symbol& symbol, Timestamp t0, bool book_due,
                                         SimulationListener& listener) {
  if (symbol.active && t0 >= symbol.active->end) {
    symbol.last_anomaly_end = symbol.active->end;
    symbol.active.reset();
  }
  if (!symbol.active) maybe_start_anomaly(symbol, t0, listener);

  // GARCH(1,1) on the standardized shock; an injected volatility change scales the return only, so
  // the conditional variance is back to normal when it ends.
  const double volatility_multiplier =
      symbol.active && symbol.active->kind == AnomalyKind::kVolatilityChange ? symbol.active->magnitude : 1.0;
  const double shock = std::sqrt(symbol.variance) * symbol.price_random.normal();
  const double v = symbol.long_run_variance;
  symbol.variance =
      std::clamp(v * (1.0 - garch_persistence) + garch_alpha * shock * shock + garch_beta * symbol.variance,
                 0.05 * v, 20.0 * v);
  symbol.log_fair += volatility_multiplier * shock - mean_reversion * (symbol.log_fair - symbol.log_base);
  if (symbol.active) evolve_anomaly(symbol, t0);

  for (const std::size_t index : symbol.venues) step_venue(symbol, venues[index], t0, book_due, listener);
}

// Advances the per-step state of the stateful opt-in kinds, after the fair price of step t0 moved.
void MarketSimulator::State::evolve_anomaly(Symbol& symbol, Timestamp t0) const {
  Anomaly& a = *symbol.active;
  const double sigma = std::sqrt(symbol.long_run_variance);  // per step
  switch (a.kind) {
    case AnomalyKind::kTrendChange:
      symbol.log_fair += a.drift;
      break;
    case AnomalyKind::kCorrelationBreak: {
      a.walk += sigma * symbol.opt_in_random.normal();
      const double fraction = seconds_of(t0 - a.start) / seconds_of(a.end - a.start);
      const double converge = 1.0 - kCorrelationBreakConvergeShare;
      const double weight =
          fraction < converge ? 1.0 : smoothstep((1.0 - fraction) / kCorrelationBreakConvergeShare);
      a.offset = weight * (a.anchor + a.walk - symbol.log_fair);
      break;
    }
    case AnomalyKind::kMultiFeatureBurst: {
      const double decay = std::exp(-step_seconds / kBurstNoiseTimeScaleSeconds);
      a.walk = decay * a.walk + std::sqrt(kBurstExtraVariance) * sigma * symbol.opt_in_random.normal();
      a.offset = a.walk * smoothstep(seconds_of(a.end - t0) / kBurstFadeSeconds);
      break;
    }
    default:
      break;
  }
}

void MarketSimulator::State::maybe_start_anomaly(Symbol& symbol, Timestamp t0, SimulationListener& listener) {
  if (!symbol.scheduled.empty() && symbol.scheduled.front().start <= t0) {
    const ScheduledAnomaly next = symbol.scheduled.front();
    symbol.scheduled.erase(symbol.scheduled.begin());
    start_anomaly(symbol, next.kind, next.venue, t0, listener);
    return;
  }
  if (options.anomaly_interval > Duration::zero() && t0 >= symbol.next_random_anomaly &&
      t0 >= symbol.last_anomaly_end + options.anomaly_gap) {
    Random& random = symbol.anomaly_random;
    const std::span<const AnomalyKind> kinds = options.kinds.empty()
                                                   ? std::span<const AnomalyKind>(kAllKinds)
                                                   : std::span<const AnomalyKind>(options.kinds);
    const AnomalyKind kind = kinds[random.index(kinds.size())];
    start_anomaly(symbol, kind, kAllVenues, t0, listener);
    // Inter-arrival counts from this start; an arrival during the anomaly waits for its end.
    symbol.next_random_anomaly = t0 + duration_of(random.exponential(seconds_of(options.anomaly_interval)));
  }
}

void MarketSimulator::State::start_anomaly(Symbol& symbol, AnomalyKind kind, std::size_t venue, Timestamp t0,
                                           SimulationListener& listener) {
  Random& random = is_opt_in(kind) ? symbol.opt_in_random : symbol.anomaly_random;
  if (!is_venue_specific(kind)) {
    venue = kAllVenues;
  } else if (venue >= symbol.venues.size()) {
    venue = random.index(symbol.venues.size());
  }
  Anomaly& anomaly = symbol.active.emplace(draw_anomaly(kind, venue, t0, random));
  anomaly.anchor = symbol.log_fair;
  if (kind == AnomalyKind::kLevelShift || kind == AnomalyKind::kSmallLevelShift) {
    symbol.log_fair += std::log1p(anomaly.magnitude);
  }

  InjectedAnomaly label;
  label.symbol = symbol.name;
  label.kind = std::string(anomaly_kind_name(kind));
  label.start = anomaly.start;
  label.end = anomaly.end;
  for (std::size_t i = 0; i < symbol.venues.size(); ++i) {
    if (venue != kAllVenues && venue != i) continue;
    label.exchange = venues[symbol.venues[i]].instrument.exchange;
    listener.on_injected(label);
  }
}

Anomaly MarketSimulator::State::draw_anomaly(AnomalyKind kind, std::size_t venue, Timestamp t0,
                                             Random& random) const {
  Anomaly a;
  a.kind = kind;
  a.venue = venue;
  a.start = t0;
  Duration duration = options.step;
  switch (kind) {
    case AnomalyKind::kPriceSpike: {
      a.magnitude = random.sign() * random.uniform(0.015, 0.04);
      a.spike_count = 1 + static_cast<int>(random.index(3));
      double offset = random.uniform(0.0, 0.05);
      for (int i = 0; i < a.spike_count; ++i) {
        a.spike_offsets[i] = duration_of(offset);
        offset += random.uniform(0.02, 0.15);
      }
      duration = round_up_to_steps(seconds_of(a.spike_offsets[a.spike_count - 1]) + 0.001);
      break;
    }
    case AnomalyKind::kLevelShift:
      a.magnitude = random.sign() * random.uniform(0.02, 0.05);
      break;
    case AnomalyKind::kVolumeBurst:
      a.rate_multiplier = random.uniform(15.0, 30.0);
      a.size_multiplier = random.uniform(2.0, 4.0);
      duration = round_up_to_steps(random.uniform(20.0, 60.0));
      break;
    case AnomalyKind::kFlashCrash:
      a.magnitude = random.uniform(0.05, 0.12);
      a.phase1 = round_up_to_steps(random.uniform(2.0, 5.0));
      a.phase2 = round_up_to_steps(random.uniform(20.0, 60.0));
      a.rate_multiplier = random.uniform(5.0, 10.0);
      a.size_multiplier = 1.5;
      duration = a.phase1 + a.phase2;
      break;
    case AnomalyKind::kPumpAndDump:
      a.magnitude = random.uniform(0.08, 0.20);
      a.phase1 = round_up_to_steps(random.uniform(60.0, 180.0));
      a.phase2 = round_up_to_steps(random.uniform(30.0, 60.0));
      a.rate_multiplier = 5.0;
      duration = a.phase1 + a.phase2;
      break;
    case AnomalyKind::kWashTrading:
      a.rate_multiplier = 1.0;                    // pairs per normal trade
      a.size_multiplier = 2.0 * kMeanSizeFactor;  // each leg ~2 mean trades: volume ~x5
      duration = round_up_to_steps(random.uniform(30.0, 90.0));
      break;
    case AnomalyKind::kStaleFeed:
      duration = round_up_to_steps(random.uniform(30.0, 90.0));
      break;
    case AnomalyKind::kVenueDivergence:
      a.magnitude = random.sign() * random.uniform(0.01, 0.03);
      duration = round_up_to_steps(random.uniform(60.0, 180.0));
      break;
    case AnomalyKind::kSmallLevelShift:
      a.magnitude = random.sign() * random.uniform(0.0015, 0.004);
      break;
    case AnomalyKind::kVolatilityChange:
      a.magnitude = random.uniform(2.5, 4.0);
      duration = round_up_to_steps(random.uniform(120.0, 300.0));
      break;
    case AnomalyKind::kCorrelationBreak:
      duration = round_up_to_steps(random.uniform(120.0, 300.0));
      break;
    case AnomalyKind::kTrendChange: {
      const double percent_per_minute = random.uniform(0.3, 1.0);
      a.magnitude = random.sign() * percent_per_minute / 100.0;  // relative move per minute
      a.drift = std::log1p(a.magnitude) * step_seconds / 60.0;
      duration = round_up_to_steps(random.uniform(180.0, 600.0));
      break;
    }
    case AnomalyKind::kMultiFeatureBurst:
      a.rate_multiplier = random.uniform(3.0, 5.0);
      a.size_multiplier = 10.0 / a.rate_multiplier;
      duration = round_up_to_steps(random.uniform(30.0, 60.0));
      break;
    case AnomalyKind::kWhaleTrade:
      a.magnitude = random.sign();  // side: +1 buy at the ask, -1 sell at the bid
      a.size_multiplier = random.uniform(1000.0, 5000.0);
      a.spike_count = 1;
      a.spike_offsets[0] = duration_of(random.uniform(0.0, step_seconds));
      break;
    case AnomalyKind::kPriceDip: {
      a.magnitude = -random.uniform(0.015, 0.04);
      a.spike_count = 1 + static_cast<int>(random.index(3));
      double offset = random.uniform(0.0, 0.05);
      for (int i = 0; i < a.spike_count; ++i) {
        a.spike_offsets[i] = duration_of(offset);
        offset += random.uniform(0.02, 0.15);
      }
      duration = round_up_to_steps(seconds_of(a.spike_offsets[a.spike_count - 1]) + 0.001);
      break;
    }
  }
  a.end = t0 + duration;
  return a;
}

void MarketSimulator::State::step_venue(const Symbol& symbol, Venue& venue, Timestamp t0, bool book_due,
                                        SimulationListener& listener) {
  Random& random = venue.random;
  venue.basis = basis_decay * venue.basis + basis_innovation * random.normal();
  const Anomaly* anomaly = nullptr;
  if (symbol.active &&
      (symbol.active->venue == kAllVenues || symbol.active->venue == venue.index_in_symbol)) {
    anomaly = &*symbol.active;
  }
  const VenueEffects fx = anomaly != nullptr ? effects_of(*anomaly, t0) : VenueEffects{};
  if (fx.silent) return;

  const double mid = std::exp(symbol.log_fair + venue.basis + fx.log_offset);
  const double spread =
      venue.spread * fx.spread_multiplier * std::clamp(std::exp(0.25 * random.normal()), 0.6, 2.5);
  const double bid = std::max(venue.tick, std::floor(mid * (1.0 - spread / 2) / venue.tick) * venue.tick);
  const double ask =
      std::max(bid + venue.tick, std::ceil(mid * (1.0 + spread / 2) / venue.tick) * venue.tick);
  const double bid_size = round_to_lot(3.0 * venue.median_quantity * random.lognormal(0.0, 0.6), venue.lot);
  const double ask_size = round_to_lot(3.0 * venue.median_quantity * random.lognormal(0.0, 0.6), venue.lot);

  if (book_due) emit_book(venue, t0, bid, ask, bid_size, ask_size, spread, listener);
  Ticker ticker;
  ticker.instrument = venue.instrument.id;
  ticker.exchange_time = ticker.receive_time = t0;
  ticker.bid_price = bid;
  ticker.bid_size = bid_size;
  ticker.ask_price = ask;
  ticker.ask_size = ask_size;
  listener.on_event(MarketEvent(ticker));

  // Poisson arrivals: restarting the exponential clock at each step is exact (memorylessness).
  trades.clear();
  const double normal_rate = options.trades_per_second * intraday_seasonality(t0);
  const double rate = normal_rate * fx.rate_multiplier;
  std::uint32_t order = 0;
  if (rate > 0) {
    for (double t = random.exponential(1.0 / rate); t < step_seconds; t += random.exponential(1.0 / rate)) {
      const bool buy = random.bernoulli(fx.buy_probability);
      const double quantity =
          round_to_lot(venue.median_quantity * draw_size_factor(random) * fx.size_multiplier, venue.lot);
      trades.push_back({duration_of(t), order++, buy ? Side::kBuy : Side::kSell, buy ? ask : bid, quantity});
    }
  }
  if (anomaly != nullptr && anomaly->kind == AnomalyKind::kWhaleTrade) {
    const Duration offset = anomaly->start + anomaly->spike_offsets[0] - t0;
    if (offset >= Duration::zero() && offset < options.step) {
      const bool buy = anomaly->magnitude > 0;
      const double quantity = round_to_lot(venue.median_quantity * anomaly->size_multiplier, venue.lot);
      trades.push_back({offset, order++, buy ? Side::kBuy : Side::kSell, buy ? ask : bid, quantity});
    }
  }
  if (anomaly != nullptr &&
      (anomaly->kind == AnomalyKind::kPriceSpike || anomaly->kind == AnomalyKind::kPriceDip)) {
    for (int i = 0; i < anomaly->spike_count; ++i) {
      const Duration offset = anomaly->start + anomaly->spike_offsets[i] - t0;
      if (offset < Duration::zero() || offset >= options.step) continue;
      const bool up = anomaly->magnitude > 0;
      const double price = up ? std::ceil(ask * (1.0 + anomaly->magnitude) / venue.tick) * venue.tick
                              : std::floor(bid * (1.0 + anomaly->magnitude) / venue.tick) * venue.tick;
      const double quantity = round_to_lot(venue.median_quantity * draw_size_factor(random), venue.lot);
      trades.push_back({offset, order++, up ? Side::kBuy : Side::kSell, price, quantity});
    }
  }
  if (fx.wash_pairs_per_trade > 0) add_wash_pairs(venue, fx, mid, normal_rate);
  if (trades.size() > 1) {
    std::sort(trades.begin(), trades.end(), [](const PendingTrade& a, const PendingTrade& b) {
      return a.offset != b.offset ? a.offset < b.offset : a.order < b.order;
    });
  }
  for (const PendingTrade& pending : trades) {
    Trade trade;
    trade.instrument = venue.instrument.id;
    trade.exchange_time = trade.receive_time = t0 + pending.offset;
    trade.price = pending.price;
    trade.quantity = pending.quantity;
    trade.side = pending.side;
    trade.trade_id = venue.next_trade_id++;
    listener.on_event(MarketEvent(trade));
  }
}

void MarketSimulator::State::add_wash_pairs(Venue& venue, const VenueEffects& fx, double mid,
                                            double normal_rate) {
  Random& random = venue.random;
  const double pair_rate = normal_rate * fx.wash_pairs_per_trade;
  const double window = step_seconds - 0.005;  // room for the second leg inside the step
  if (pair_rate <= 0 || window <= 0) return;
  const double price = std::round(mid / venue.tick) * venue.tick;
  auto order = static_cast<std::uint32_t>(trades.size());
  for (double t = random.exponential(1.0 / pair_rate); t < window; t += random.exponential(1.0 / pair_rate)) {
    const double quantity =
        round_to_lot(venue.median_quantity * fx.wash_size * random.lognormal(0.0, 0.2), venue.lot);
    const bool buy_first = random.bernoulli(0.5);
    const double gap = random.uniform(0.001, 0.005);
    trades.push_back({duration_of(t), order++, buy_first ? Side::kBuy : Side::kSell, price, quantity});
    trades.push_back({duration_of(t + gap), order++, buy_first ? Side::kSell : Side::kBuy, price, quantity});
  }
}

void MarketSimulator::State::emit_book(Venue& venue, Timestamp t0, double bid, double ask, double bid_size,
                                       double ask_size, double spread, SimulationListener& listener) const {
  Random& random = venue.random;
  BookSnapshot book;
  book.instrument = venue.instrument.id;
  book.exchange_time = book.receive_time = t0;
  book.sequence = ++venue.book_sequence;
  book.bids[0] = {bid, bid_size};
  book.asks[0] = {ask, ask_size};
  // Deeper levels sit about one spread apart, with more size further from the touch.
  const double gap_ticks = std::max(1.0, spread * bid / venue.tick);
  int bid_count = 1;
  for (int level = 1; level < kBookDepth; ++level) {
    const double bid_gap = venue.tick * std::max(1.0, std::round(gap_ticks * random.uniform(0.3, 1.2)));
    const double ask_gap = venue.tick * std::max(1.0, std::round(gap_ticks * random.uniform(0.3, 1.2)));
    const double depth_size = 3.0 * venue.median_quantity * (1.0 + level);
    const double bid_price = book.bids[level - 1].price - bid_gap;
    if (bid_price > 0) {
      book.bids[level] = {bid_price, round_to_lot(depth_size * random.lognormal(0.0, 0.5), venue.lot)};
      bid_count = level + 1;
    }
    book.asks[level] = {book.asks[level - 1].price + ask_gap,
                        round_to_lot(depth_size * random.lognormal(0.0, 0.5), venue.lot)};
  }
  book.bid_count = static_cast<std::uint8_t>(bid_count);
  book.ask_count = static_cast<std::uint8_t>(kBookDepth);
  listener.on_event(MarketEvent(book));
}

MarketSimulator::MarketSimulator(MarketSimulatorOptions options, std::vector<Instrument> instruments)
    : state_(std::make_unique<State>(std::move(options), std::move(instruments))) {}

MarketSimulator::~MarketSimulator() = default;
MarketSimulator::MarketSimulator(MarketSimulator&&) noexcept = default;
MarketSimulator& MarketSimulator::operator=(MarketSimulator&&) noexcept = default;

void MarketSimulator::advance_to(Timestamp until, SimulationListener& listener) {
  while (state_->now < until) state_->step(listener);
}

Timestamp MarketSimulator::now() const { return state_->now; }

void MarketSimulator::schedule_anomaly(AnomalyKind kind, std::string_view symbol, std::string_view venue,
                                       Timestamp start) {
  auto it = std::find_if(state_->symbols.begin(), state_->symbols.end(),
                         [&](const State::Symbol& s) { return s.name == symbol; });
  if (it == state_->symbols.end()) return;
  std::size_t venue_index = kAllVenues;
  for (std::size_t i = 0; i < it->venues.size(); ++i) {
    if (state_->venues[it->venues[i]].instrument.exchange == venue) venue_index = i;
  }
  auto& scheduled = it->scheduled;
  const auto position =
      std::upper_bound(scheduled.begin(), scheduled.end(), start,
                       [](Timestamp t, const State::ScheduledAnomaly& s) { return t < s.start; });
  scheduled.insert(position, State::ScheduledAnomaly{kind, venue_index, start});
}

}  // namespace tickguard::simulator
