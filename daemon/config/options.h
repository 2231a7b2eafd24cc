// Plain Options structs produced by the config loader. Every field has a default; the embedded
// default config (the simulator) is what `tickguard run` uses without --config.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tickguard/detector.h"

namespace tickguard::config {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kLogfmt, kJson };

struct ServerOptions {
  std::string listen_address = ":9787";  // HOST:PORT; empty host means all interfaces
};

// Where tickguard keeps its state: the anomaly journal (journal.db).
struct StorageOptions {
  // The state directory. Empty: automatic (see default_state_directory in main.cpp: systemd's
  // $STATE_DIRECTORY, /var/lib/tickguard for an installed binary, else ./data).
  std::string path;
  std::chrono::nanoseconds retention_time = std::chrono::hours(24 * 30);  // 0: keep forever
  std::uint64_t retention_size = 1ull << 30;                              // bytes; 0: no limit
};

// Several instances sharing the work: instance `shard` of `shards` watches the instruments whose
// asset group hashes to it (core/shard.h). One instance: shard 0 of 1, everything.
struct ClusterOptions {
  int shard = 0;   // 0 <= shard < shards
  int shards = 1;  // 1 to kMaxShards
};
inline constexpr int kMaxShards = 1024;

struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kLogfmt;
};

// Keys only valid in a feed with exchange = "simulator".
struct SimulatorOptions {
  std::vector<std::string> venues = {"simex", "mockex"};  // each is an `exchange` label value
  std::uint64_t seed = 1;
  double speed = 1.0;  // simulated seconds per wall-clock second, > 0
  std::chrono::nanoseconds anomaly_interval = std::chrono::seconds(60);  // mean time between
                                                                         // injected anomalies, per symbol
  double trades_per_second = 4.0;      // mean trade rate per symbol per venue (before seasonality)
  std::chrono::nanoseconds warmup{0};  // simulated history generated at start (as fast as the
                                       // pipeline takes it) so detectors are warmed up at once
  // A simulated outage: once the feed has run for `outage_after` (wall clock), every venue of the
  // feed disconnects for `outage_duration` (no data; the market moves on unseen), then reconnects.
  // outage_duration 0: never.
  std::chrono::nanoseconds outage_after{0};
  std::chrono::nanoseconds outage_duration{0};
};

struct FeedOptions {
  std::string exchange;              // "simulator" (later: binance, coinbase, kraken, okx, bybit)
  std::vector<std::string> symbols;  // unified BASE/QUOTE
  std::string rest_url;              // real exchanges only: endpoint overrides
  std::string ws_url;
  // Real exchanges only: reconnect when no market data arrived for this long (venue heartbeats do
  // not count), and how many book levels per side are kept and reported (1..10).
  std::chrono::milliseconds silence_timeout{30000};
  int book_depth = 10;
  // While the stream is down, poll tickers and recent trades over REST this often (0: never).
  std::chrono::milliseconds rest_poll_interval{5000};
  SimulatorOptions simulator;  // meaningful only when exchange == "simulator"
};

struct DetectorOptions {
  std::string name;  // registry name, e.g. "zscore"
  bool enabled = true;
  ParamValues params;  // every ParamSpec of the detector, defaults filled in
  AlertOptions alert;
};

struct Config {
  std::string source;  // file path, or "<embedded>" for the built-in default
  ServerOptions server;
  LogOptions log;
  StorageOptions storage;
  ClusterOptions cluster;
  std::vector<FeedOptions> feeds;
  std::vector<DetectorOptions> detectors;  // one per registered detector, in registry order
};

}  // namespace tickguard::config
