#include "config/default_config.h"

namespace tickguard::config {
namespace {

// The README quotes this text, so keep the two in step. A test loads it against the real detector
// registry and checks that every detector value shown is that detector's default.
constexpr std::string_view kDefaultConfig = R"toml(# tickguard configuration.
#
# This is the built-in default that `tickguard run` uses without --config: a simulated market, so
# that the metrics and detectors can be tried without an exchange connection. Copy it and edit
# it to make your own; `tickguard run --config FILE` then reports every mistake with its file, line,
# column and key.
#
# Durations are written as in Prometheus: "250ms", "10s", "5m", "1h30m", "2d".

[server]
# Where /metrics, /-/healthy and /-/ready are served. HOST:PORT; an empty host (":9787") listens
# on all IPv4 interfaces, "127.0.0.1:9787" on loopback only, "[::]:9787" on IPv6.
listen_address = ":9787"

[log]
level = "info"      # debug | info | warn | error
format = "logfmt"   # logfmt | json

[storage]
# The anomaly journal (journal.db, SQLite) lives in this directory. Omitted: systemd's
# StateDirectory, else /var/lib/tickguard for an installed binary, else ./data.
# path = "/var/lib/tickguard"
retention_time = "30d"   # records older than this are deleted ("0s": keep them forever)
retention_size = "1GB"   # beyond this size the oldest records are deleted ("0": no limit)

# One [[feed]] table per exchange connection; repeat the table to watch several exchanges. A
# (exchange, symbol) pair may be subscribed only once across all feeds.
[[feed]]
# The simulator generates synthetic trades and injects known anomalies (price jumps, volume
# bursts) so that you can see the detectors fire.
exchange = "simulator"

# Unified symbols: BASE/QUOTE in upper case, the same spelling on every exchange.
symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT"]

# The simulator's own keys (an error on a real exchange):
venues = ["simex", "mockex"]   # simulated exchanges; each becomes an `exchange` label value
seed = 42                      # random seed: the same seed and start time replay the same market
speed = 1.0                    # simulated seconds per wall-clock second (up to 100000)
anomaly_interval = "2m"        # mean time between injected anomalies, per symbol
trades_per_second = 4.0        # mean trade rate per symbol and venue
warmup = "20m"                 # clean history (no injections) replayed at start: detectors score at once

# A real exchange (binance, coinbase, kraken, okx, bybit) takes exchange and symbols, plus:
#   rest_url = "https://..."   # endpoint overrides (mirrors, testnets): http:// or https://
#   ws_url = "wss://..."       # ws:// or wss://
#   silence_timeout = "30s"    # reconnect after this long without market data
#   book_depth = 10            # order book levels per side kept and reported, 1 to 10
#   rest_poll_interval = "5s"  # while the stream is down, poll prices over REST ("0s": never)

# Detectors. Every registered detector runs, with the defaults shown, unless its table says
# `enabled = false`. Each detector reports a ratio: its statistic divided by its threshold. An
# anomaly starts when the ratio reaches 1, is `critical` if the ratio that starts it reaches critical_ratio
# (else `warning`), and ends once the ratio has stayed below clear_ratio for clear_after.
# Every value is checked against the detector's allowed range; an error message states the range.
# The defaults are calibrated on the simulator's quiet market: each detector raises at most 0.2
# false episodes per instrument-day there (README, "How detection works").
# The symbol's ensemble score needs two detectors to agree, except for trusted ones, whose alarm
# counts alone: cusum, ewma_control, pump_dump, wash_trading, whale_trade, flash_crash,
# cross_exchange_divergence and stale_feed (`trusted = true|false` in a table changes it).

[detectors.zscore]
# Price jumps: the z-score of each trade's log return against the recent returns.
enabled = true
window = 300          # recent log returns in the baseline
min_samples = 100     # returns needed before scoring starts
threshold = 6.0       # |z-score| at which a return is anomalous
halflife = "0s"       # above 0: an exponentially weighted baseline with this half-life instead
# Every table also takes these three alert keys; shown here with their defaults.
critical_ratio = 2.0  # >= 1
clear_ratio = 0.5     # greater than 0, at most 1
clear_after = "30s"   # at least 1ms

[detectors.volume_spike]
# Volume bursts: traded volume per interval against a robust (median/MAD) baseline.
interval = "30s"      # length of one volume bucket
window = 60           # closed buckets in the baseline
min_samples = 20      # closed buckets needed before scoring starts
threshold = 10.0      # robust z-score at which a bucket is a spike

[detectors.mad]
# Price jumps: robust z-score of each log return against the median and MAD of recent returns.
window = 300          # recent log returns in the baseline
min_samples = 100     # returns needed before scoring starts
threshold = 6.0       # |robust z-score| at which a return is anomalous

[detectors.iqr]
# Price jumps: log returns beyond Tukey fences around the recent quartiles.
window = 300          # recent log returns in the baseline
min_samples = 100     # returns needed before scoring starts
k = 5.0               # fence distance beyond the quartiles, in interquartile ranges

[detectors.grubbs]
# Price jumps: Grubbs outlier test of each log return within the last window returns.
window = 300          # returns in one test sample, the newest included
alpha = 1e-9          # significance level of one test

[detectors.dixon_q]
# Off-market prints: Dixon's Q test of each trade price against the last few prices.
window = 10           # prices in one test sample, 3 to 25
confidence = 99       # confidence of the critical Q: 90, 95 or 99 (percent)
min_gap = 0.005       # the print must also stand this far (fraction of price) from the rest

[detectors.cusum]
# Trends and shifts in the mean return: two-sided CUSUM of standardized log returns.
window = 1000         # recent log returns that standardize a return
min_samples = 200     # returns needed before scoring starts
drift = 0.5           # allowance per return, in standard deviations
threshold = 15.0      # cumulative sum, in standard deviations, that raises an alarm
interval = "10s"      # returns between interval closes ("0s": every trade's return)

[detectors.page_hinkley]
# Gradual changes in the mean return: Page-Hinkley test with forgetting.
window = 1000             # recent log returns that standardize a return
min_samples = 200         # returns needed before scoring starts
delta = 0.1               # deviation tolerated per return, in standard deviations
threshold = 60.0          # test statistic (lambda) that raises an alarm
forgetting_factor = 0.999 # share of the evidence kept per trade (1: the classic test)

[detectors.ewma_control]
# Volatility rises: EWMA control chart of absolute log returns.
window = 2000         # absolute log returns in the baseline
min_samples = 500     # absolute log returns needed before scoring starts
smoothing = 0.02      # weight of the newest value in the EWMA (lambda)
threshold = 6.0       # upper control limit, in standard deviations of the EWMA (L)

[detectors.ma_break]
# Breakouts: the price's deviation from its moving average against the usual deviation.
window = 200          # trade prices in the moving average
band_window = 2000    # recent deviations that size the band
min_samples = 1000    # deviations needed before scoring starts
threshold = 6.0       # band half-width, in standard deviations of the deviation

[detectors.bollinger]
# Band breaches: each trade price against the Bollinger band of recent interval closes.
interval = "1m"       # length of one period; its last trade price is its close
period = 20           # closed periods in the band; also the warm-up
threshold = 7.0       # band half-width in standard deviations (k)

[detectors.rsi]
# Overbought and oversold runs: Wilder's RSI of interval closes.
interval = "1m"       # length of one period
period = 30           # Wilder's smoothing length; the warm-up is twice as many periods
overbought = 85.0     # RSI at or above which the market is overbought
oversold = 15.0       # RSI at or below which the market is oversold

[detectors.adaptive_threshold]
# Volume unusual for the time of day: volume per interval against a learned quantile per UTC hour.
interval = "10s"      # length of one volume bucket
quantile = 0.999      # quantile of bucket volume learned per hour
threshold = 5.0       # multiple of the learned quantile at which a bucket is anomalous
min_samples = 360     # traded buckets before scoring starts

[detectors.isolation_forest]
# Buckets unlike recent ones: Half-Space Trees over return, volume, trades, spread, book imbalance.
interval = "1s"              # length of one feature bucket
trees = 25                   # random half-space trees
depth = 8                    # levels below the root of each tree
window = 300                 # traded buckets per mass window; also the warm-up
shingle = 1                  # consecutive buckets in one point
seed = 1                     # seed of the random trees
calibration_quantile = 0.05  # mass quantile of the previous window the threshold refers to
threshold = 300.0            # how many times lighter than that quantile a bucket is anomalous
book_levels = 5              # book levels per side in the imbalance

[detectors.pump_dump]
# Pumps and dumps: a price rise with a volume surge over a short lookback, then the dump.
bucket = "1s"             # aggregation step
lookback = "1m"           # span of the rise and the volume surge
baseline = "30m"          # span of the volume baseline
min_baseline = "5m"       # baseline needed before scoring starts
min_rise_percent = 2.0    # rise over the lookback, in percent
volume_multiple = 2.0     # multiple of the baseline volume over the lookback
min_rush_orders = 0       # buy rush orders the lookback also needs (0: not required)
dump_fraction = 0.5       # share of the rise given back that starts the dump phase
dump_window = "15m"       # how long a pump and its dump are tracked

[detectors.wash_trading]
# Manufactured volume: trade-size forensics over a rolling window of trades.
window = 2000             # trades in the window; also the warm-up
match_window = "1s"       # time within which a same-size opposite print is a match
max_benford_mad = 0.015   # first-digit deviation from Benford's law at ratio 1
max_round_share = 0.6     # share of round sizes at ratio 1
max_matched_share = 0.1   # share of matched buy/sell prints at ratio 1
min_tail_alpha = 0.7      # lowest plausible tail exponent of sizes
max_tail_alpha = 4.0      # highest plausible tail exponent of sizes
tail_fraction = 0.05      # share of the largest sizes in the tail estimate

[detectors.whale_trade]
# Single very large trades: notional against a high quantile of recent notionals.
window = 10000        # trades per baseline generation; also the warm-up
quantile = 0.999      # quantile of trade notional in the baseline
threshold = 25.0      # multiple of that quantile at which a trade is a whale
min_notional = 100000.0  # notional, in quote units, a whale must also reach

[detectors.flash_crash]
# Flash crashes and rallies: the price move from the window's max or min.
threshold_percent = 5.0   # move, in percent, at which a trade is a flash move
window = "1m"             # time within which the move must happen
recovery_window = "5m"    # how long the reversal is tracked

[detectors.spread_shock]
# Spread widening: the log relative spread against a robust sampled baseline.
sample_interval = "1s"    # one baseline sample per interval
window = 300              # samples in the baseline
min_samples = 60          # samples needed before scoring starts
threshold = 6.0           # robust z-score at which a spread is a shock

[detectors.liquidity_drop]
# Liquidity collapse: book depth near the mid against its sampled median.
depth_band = 0.005        # half-width of the band around the mid, fraction of the mid
sample_interval = "1s"    # one baseline sample per interval
window = 300              # samples in the baseline
min_samples = 60          # samples needed before scoring starts
drop_factor = 5.0         # median depth / current depth at which liquidity has dropped

[detectors.book_imbalance]
# One-sided books: top-of-book depth imbalance against its sampled distribution.
levels = 5                # top levels per side in the depth sums
sample_interval = "1s"    # one baseline sample per interval
window = 300              # samples in the baseline
min_samples = 100         # samples needed before scoring starts
threshold = 6.0           # |z-score| of atanh(imbalance) at which a book is imbalanced
min_imbalance = 0.5       # |imbalance| a book must also reach

[detectors.cross_exchange_divergence]
# A venue off the market of the other venues of the asset (USD, USDT and USDC quotes compared).
threshold_percent = 0.5   # divergence from the consensus of the venues, in % of the price
tracking_threshold = 8.0  # or, in standard deviations of the divergence's usual noise (0: off)
min_duration = "5s"       # how long beyond a band before it counts
basis_halflife = "30m"    # memory of the venue's learned usual offset (quote basis, premium)
warmup = "2m"             # time compared with another venue before scoring starts
max_age = "30s"           # a venue's price older than this is left out of the consensus

[detectors.stale_feed]
# A venue that stops updating an asset, or whose price freezes, while the other venues update it.
timeout = "15s"             # silence that is always stale ...
gap_multiple = 20.0         # ... or this many of the venue's mean gaps between updates, if longer
frozen_move_percent = 1.0   # the other venues' move, in %, while this venue's price is unchanged
check_interval = "1s"       # how often the silence of the other venues is checked
)toml";

}  // namespace

std::string_view default_config_toml() { return kDefaultConfig; }

}  // namespace tickguard::config
