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

[detectors.zscore]
# Price jumps: the z-score of each trade's log return against the recent returns.
enabled = true
window = 300          # recent log returns in the baseline
min_samples = 100     # returns needed before scoring starts
threshold = 6.0       # |z-score| at which a return is anomalous
critical_ratio = 2.0  # >= 1
clear_ratio = 0.5     # greater than 0, at most 1
clear_after = "30s"   # at least 1ms

[detectors.volume_spike]
# Volume bursts: traded volume per interval against a robust (median/MAD) baseline.
enabled = true
interval = "10s"      # length of one volume bucket
window = 60           # closed buckets in the baseline
min_samples = 20      # closed buckets needed before scoring starts
threshold = 5.0       # robust z-score at which a bucket is a spike
critical_ratio = 2.0
clear_ratio = 0.5
clear_after = "30s"
)toml";

}  // namespace

std::string_view default_config_toml() { return kDefaultConfig; }

}  // namespace tickguard::config
