// tickguard: command line, signals, sd_notify and wiring. The only code not linked into tests.
#include <signal.h>
#include <systemd/sd-daemon.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/application.h"
#include "config/config_loader.h"
#include "config/default_config.h"
#include "config/duration.h"
#include "config/listen_address.h"
#include "config/state_directory.h"
#include "core/log.h"
#include "detectors/registry.h"
#include "exporters/fanout/fanout_sink.h"
#include "exporters/http/anomaly_api.h"
#include "exporters/http/http_server.h"
#include "exporters/journal/journal.h"
#include "exporters/prometheus/prometheus_sink.h"
#include "feeds/registry.h"
#include "replay/replay.h"
#include "replay/simulate.h"

namespace {

using namespace tickguard;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;  // usage and configuration errors
// A detector thread that has not looped for this long is wedged: /-/healthy fails and the systemd
// watchdog is no longer fed, so the service manager restarts the daemon.
constexpr std::chrono::seconds kMaxStall(10);

struct ReplayFlags {
  std::string input;
  std::string input_format;  // empty: from the input's extension
  std::string output;
  std::string config_file;
  std::string report;
};

struct SimulateFlags {
  std::string config_file;
  std::string duration;
  std::string output;
};

struct RunFlags {
  std::string config_file;
  std::string listen_address;
  std::string log_level;
  std::string log_format;
  std::string storage_path;
  int cluster_shard = -1;  // -1: not given
  int cluster_shards = -1;
};

config::ConfigSchema schema() {
  return config::ConfigSchema{detector_registry(), feeds::supported_exchanges()};
}

config::LoadResult load(const std::string& file) {
  if (file.empty()) return config::load_config_string(config::default_config_toml(), "<embedded>", schema());
  return config::load_config_file(file, schema());
}

void print_errors(const std::vector<config::ConfigError>& errors) {
  for (const auto& e : errors) std::cerr << e.to_string() << '\n';
}

log::Level to_log_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kDebug:
      return log::Level::kDebug;
    case config::LogLevel::kWarn:
      return log::Level::kWarn;
    case config::LogLevel::kError:
      return log::Level::kError;
    case config::LogLevel::kInfo:
      break;
  }
  return log::Level::kInfo;
}

// Command-line flags win over the config file.
void apply_flags(const RunFlags& flags, config::Config& config) {
  if (!flags.listen_address.empty()) config.server.listen_address = flags.listen_address;
  if (flags.log_level == "debug") config.log.level = config::LogLevel::kDebug;
  if (flags.log_level == "info") config.log.level = config::LogLevel::kInfo;
  if (flags.log_level == "warn") config.log.level = config::LogLevel::kWarn;
  if (flags.log_level == "error") config.log.level = config::LogLevel::kError;
  if (flags.log_format == "logfmt") config.log.format = config::LogFormat::kLogfmt;
  if (flags.log_format == "json") config.log.format = config::LogFormat::kJson;
  if (!flags.storage_path.empty()) config.storage.path = flags.storage_path;
  if (flags.cluster_shards >= 0) config.cluster.shards = flags.cluster_shards;
  if (flags.cluster_shard >= 0) config.cluster.shard = flags.cluster_shard;
}

// The shard settings after flags (the config file alone was validated by the loader): empty when
// valid, else the reason.
std::string cluster_error(const config::Config& config) {
  if (config.cluster.shards < 1 || config.cluster.shards > config::kMaxShards) {
    return "invalid shards " + std::to_string(config.cluster.shards) + ": must be between 1 and " +
           std::to_string(config::kMaxShards);
  }
  if (config.cluster.shard < 0 || config.cluster.shard >= config.cluster.shards) {
    return "invalid shard " + std::to_string(config.cluster.shard) + ": must be between 0 and shards - 1 (" +
           std::to_string(config.cluster.shards - 1) + ")";
  }
  return {};
}

// [storage] path, or the automatic state directory.
std::filesystem::path state_directory(const config::Config& config) {
  if (!config.storage.path.empty()) return config.storage.path;
  const char* env = std::getenv("STATE_DIRECTORY");
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return config::default_state_directory(env ? env : "", exe, std::filesystem::current_path(ec));
}

// Runs `action` when it goes out of scope.
template <typename F>
class AtExit {
 public:
  explicit AtExit(F action) : action_(std::move(action)) {}
  ~AtExit() { action_(); }
  AtExit(const AtExit&) = delete;
  AtExit& operator=(const AtExit&) = delete;

 private:
  F action_;
};

void configure_logging(const config::Config& config) {
  log::configure(to_log_level(config.log.level),
                 config.log.format == config::LogFormat::kJson ? log::Format::kJson : log::Format::kLogfmt);
}

void notify(const std::string& state) { sd_notify(0, state.c_str()); }

std::string status_line(const app::Application& app) {
  return "STATUS=watching " + std::to_string(app.instrument_count()) + " instruments";
}

// Re-reads the config on SIGHUP. A bad config keeps the running one and is reported.
void reload(const RunFlags& flags, const Clock& clock, exporters::PrometheusSink& sink, app::Application& app,
            const config::Config& current) {
  timespec monotonic{};
  clock_gettime(CLOCK_MONOTONIC, &monotonic);
  // MONOTONIC_USEC lets systemd (>= 253, Type=notify-reload) match this reload to its request.
  notify("RELOADING=1\nMONOTONIC_USEC=" +
         std::to_string(static_cast<std::uint64_t>(monotonic.tv_sec) * 1000000 + monotonic.tv_nsec / 1000));
  log::info("reloading configuration",
            {{"file", flags.config_file.empty() ? "<embedded>" : flags.config_file}});
  config::LoadResult loaded = load(flags.config_file);
  if (!loaded.config) {
    for (const auto& e : loaded.errors)
      log::error("invalid configuration, keeping the running one", {{"err", e.to_string()}});
    sink.set_config_reload_result(false, clock.now());
    notify("READY=1\nSTATUS=reload failed: invalid configuration, running the previous one");
    return;
  }
  config::Config next = std::move(*loaded.config);
  apply_flags(flags, next);
  if (const std::string error = cluster_error(next); !error.empty()) {
    log::error("invalid configuration, keeping the running one", {{"err", "[cluster]: " + error}});
    sink.set_config_reload_result(false, clock.now());
    notify("READY=1\nSTATUS=reload failed: invalid configuration, running the previous one");
    return;
  }
  sink.set_shard(next.cluster.shard, next.cluster.shards);
  if (next.server.listen_address != current.server.listen_address) {
    log::warn("listen address changes take effect after a restart",
              {{"running", current.server.listen_address}, {"configured", next.server.listen_address}});
  }
  if (next.storage.path != current.storage.path ||
      next.storage.retention_time != current.storage.retention_time ||
      next.storage.retention_size != current.storage.retention_size) {
    log::warn("[storage] changes take effect after a restart");
  }
  configure_logging(next);
  Status s = app.reload(next);
  sink.set_config_reload_result(s.ok(), clock.now());
  if (s.ok())
    log::info("configuration reloaded",
              {{"instruments", static_cast<std::uint64_t>(app.instrument_count())}});
  notify("READY=1\n" + status_line(app));
}

int run(const RunFlags& flags) {
  config::LoadResult loaded = load(flags.config_file);
  if (!loaded.config) {
    print_errors(loaded.errors);
    return kExitUsage;
  }
  config::Config config = std::move(*loaded.config);
  apply_flags(flags, config);
  if (const std::string error = cluster_error(config); !error.empty()) {
    std::cerr << "--cluster.shard/--cluster.shards: " << error << '\n';
    return kExitUsage;
  }
  const auto address = config::parse_listen_address(config.server.listen_address);
  if (!address) {
    std::cerr << "invalid --web.listen-address '" << config.server.listen_address
              << "': expected HOST:PORT\n";
    return kExitUsage;
  }
  configure_logging(config);

  // Signals are taken synchronously by this thread; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SystemClock clock;
  exporters::PrometheusSink sink;
  sink.set_config_reload_result(true, clock.now());
  sink.set_shard(config.cluster.shard, config.cluster.shards);
  {
    // Feed anomalies (a book lost sync, "feed_integrity") take feedback too.
    std::vector<std::string> detectors{"feed_integrity"};
    for (const auto& descriptor : detector_registry()) detectors.push_back(descriptor.name);
    const std::vector<std::string_view> verdicts = {journal::verdict_name(journal::Verdict::kTruePositive),
                                                    journal::verdict_name(journal::Verdict::kFalsePositive)};
    sink.declare_feedback(detectors, verdicts);
  }

  // The anomaly journal, and the API over it.
  journal::JournalOptions journal_options;
  journal_options.path = state_directory(config) / "journal.db";
  journal_options.retention_time = config.storage.retention_time;
  journal_options.retention_size = config.storage.retention_size;
  std::unique_ptr<journal::Journal> journal;
  if (Status s = journal::Journal::open(journal_options, journal); !s.ok()) {
    log::error(
        "cannot open the anomaly journal; set [storage] path or --storage.path to a writable directory",
        {{"path", journal_options.path.string()}, {"err", s.message()}});
    return kExitFailure;
  }
  journal::JournalSink journal_sink(*journal);
  exporters::FanoutSink sinks({&sink, &journal_sink});
  exporters::AnomalyApi api(*journal,
                            {[&sink] { return sink.symbols(); },
                             [&sink](std::string_view detector, std::string_view verdict) {
                               sink.count_feedback(detector, verdict);
                             }},
                            clock);
  journal->on_commit([&api](std::span<const journal::Record> records) { api.publish(records); });
  // Leaving run(): after the pipeline has stopped (app is destroyed first), commit what is queued
  // while the API that streams it still exists.
  const AtExit close_journal([&journal] { journal.reset(); });

  app::Application app(clock, sinks);
  auto scrape = [&sink, &journal] {
    sink.set_journal_totals({.written = journal->committed(),
                             .dropped = journal->dropped(),
                             .write_errors = journal->write_errors(),
                             .deleted = journal->deleted_by_retention(),
                             .size_bytes = journal->size_bytes()});
    return sink.scrape();
  };
  exporters::HttpServer http({address->host, address->port, TICKGUARD_VERSION},
                             {.metrics = scrape,
                              .ready = [&app] { return app.ready(); },
                              .healthy = [&app] { return app.healthy(kMaxStall); },
                              .routes = [&api](httplib::Server& server) { api.register_routes(server); },
                              .before_stop = [&api] { api.close(); }});
  if (Status s = http.start(); !s.ok()) {
    log::error("cannot start the HTTP server", {{"err", s.message()}});
    return kExitFailure;
  }
  // The systemd watchdog is fed from the detector loop itself, only while every detector thread
  // keeps looping: a wedged pipeline stops the pings and systemd restarts the daemon.
  std::uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0;
  const auto stall_limit =
      std::min<std::chrono::nanoseconds>(kMaxStall, std::chrono::microseconds(watchdog_usec));
  if (watchdog) {
    app.set_alive({.on_alive = [] { sd_notify(0, "WATCHDOG=1"); },
                   .interval = std::chrono::microseconds(watchdog_usec / 2),
                   .max_stall = stall_limit});
  }
  if (Status s = app.start(config); !s.ok()) {
    log::error("cannot start", {{"err", s.message()}});
    http.stop();
    return kExitFailure;
  }
  log::info("tickguard started", {{"version", TICKGUARD_VERSION},
                                  {"config", config.source},
                                  {"listen_address", config.server.listen_address},
                                  {"port", http.port()},
                                  {"journal", journal_options.path.string()},
                                  {"instruments", static_cast<std::uint64_t>(app.instrument_count())}});
  notify("READY=1\n" + status_line(app));

  constexpr long wait_ms = 1000;
  for (;;) {
    timespec timeout{wait_ms / 1000, (wait_ms % 1000) * 1000000};
    const int sig = sigtimedwait(&signals, nullptr, &timeout);
    if (sig == SIGHUP) {
      reload(flags, clock, sink, app, config);
    } else if (sig == SIGINT || sig == SIGTERM) {
      log::info("shutting down", {{"signal", strsignal(sig)}});
      break;
    }
    if (watchdog && !app.healthy(stall_limit)) {
      log::error("a detector thread has stalled; the watchdog is no longer fed");
    }
  }
  notify("STOPPING=1");
  app.stop();
  http.stop();
  log::info("stopped");
  return kExitOk;
}

int check_config(const std::string& file) {
  config::LoadResult loaded = config::load_config_file(file, schema());
  if (!loaded.config) {
    print_errors(loaded.errors);
    return kExitUsage;
  }
  std::cout << "OK\n";
  return kExitOk;
}

// The unified symbols the config's feeds of `exchange` subscribe: a replay of that venue's
// recorded messages maps native symbols with them first.
std::vector<std::string> configured_symbols(const config::Config& config, std::string_view exchange) {
  std::vector<std::string> symbols;
  for (const auto& feed : config.feeds) {
    if (feed.exchange == exchange) symbols.insert(symbols.end(), feed.symbols.begin(), feed.symbols.end());
  }
  return symbols;
}

int replay(const ReplayFlags& flags) {
  std::optional<replay::InputFormat> format = flags.input_format.empty()
                                                  ? replay::input_format_for_path(flags.input)
                                                  : replay::parse_input_format(flags.input_format);
  if (!format) {
    std::cerr << "tickguard replay: "
              << (flags.input_format.empty()
                      ? "cannot tell the format of " + flags.input +
                            " from its extension (.csv, .jsonl, .json); give --input-format"
                      : "unknown --input-format \"" + flags.input_format + "\"")
              << "; expected csv, events, binance, coinbase, kraken, okx or bybit\n";
    return kExitUsage;
  }
  config::LoadResult loaded = load(flags.config_file);
  if (!loaded.config) {
    print_errors(loaded.errors);
    return kExitUsage;
  }
  std::ifstream input(flags.input);
  if (!input) {
    std::cerr << "tickguard replay: cannot read " << flags.input << '\n';
    return kExitUsage;
  }
  std::ofstream output(flags.output, std::ios::trunc);
  if (!output) {
    std::cerr << "tickguard replay: cannot write " << flags.output << '\n';
    return kExitFailure;
  }
  log::configure(log::Level::kWarn, log::Format::kLogfmt);  // one line per raised anomaly is noise here
  replay::ReplayStats stats;
  replay::ReportData report;
  replay::ReportData* report_data = flags.report.empty() ? nullptr : &report;
  const auto detectors = app::detector_specs(*loaded.config);
  Status status;
  switch (*format) {
    case replay::InputFormat::kCsv:
      status = replay::replay_csv(input, flags.input, detectors, output, stats, report_data);
      break;
    case replay::InputFormat::kEvents:
      status = replay::replay_events(input, flags.input, detectors, output, stats, report_data);
      break;
    default:
      status = replay::replay_venue(input, flags.input, flags.input_format,
                                    configured_symbols(*loaded.config, flags.input_format), detectors, output,
                                    stats, report_data);
  }
  if (!status.ok()) {
    std::cerr << status.message() << '\n';
    return kExitUsage;
  }
  output.flush();
  if (!output) {
    std::cerr << "tickguard replay: error writing " << flags.output << '\n';
    return kExitFailure;
  }
  if (!flags.report.empty()) {
    std::ofstream html(flags.report, std::ios::trunc);
    replay::write_html_report(html, flags.input, report);
    html.flush();
    if (!html) {
      std::cerr << "tickguard replay: cannot write " << flags.report << '\n';
      return kExitFailure;
    }
  }
  std::cerr << "replayed " << stats.rows << " rows, " << stats.anomalies << " anomalies raised";
  if (*format != replay::InputFormat::kCsv) {
    std::cerr << " (" << stats.instruments << " instruments; " << stats.trades << " trades, " << stats.tickers
              << " tickers, " << stats.books << " books";
    if (*format != replay::InputFormat::kEvents) std::cerr << "; " << stats.skipped << " lines skipped";
    std::cerr << ")";
  }
  std::cerr << '\n';
  return kExitOk;
}

int simulate(const SimulateFlags& flags) {
  const auto duration = config::parse_duration(flags.duration);
  if (!duration || *duration <= std::chrono::nanoseconds::zero()) {
    std::cerr << "tickguard simulate: invalid --duration \"" << flags.duration
              << "\": expected a positive duration such as 90s, 1h or 1h30m\n";
    return kExitUsage;
  }
  config::LoadResult loaded = load(flags.config_file);
  if (!loaded.config) {
    print_errors(loaded.errors);
    return kExitUsage;
  }
  std::ofstream output(flags.output, std::ios::trunc);
  if (!output) {
    std::cerr << "tickguard simulate: cannot write " << flags.output << '\n';
    return kExitFailure;
  }
  replay::SimulateStats stats;
  const Status status =
      replay::simulate_events(*loaded.config, *duration, replay::kDefaultSimulationStart, output, stats);
  if (!status.ok()) {
    std::cerr << "tickguard simulate: " << status.message() << '\n';
    return kExitUsage;
  }
  output.flush();
  if (!output) {
    std::cerr << "tickguard simulate: error writing " << flags.output << '\n';
    return kExitFailure;
  }
  std::cerr << "simulated " << config::format_duration(*duration) << ": " << stats.events << " events, "
            << stats.injected << " anomalies injected, " << stats.labelled << " events labelled\n";
  return kExitOk;
}

// `tickguard` alone, or with run's flags only, means `tickguard run ...`.
std::vector<std::string> with_default_subcommand(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool has_subcommand = !args.empty() && !args[0].empty() && args[0][0] != '-';
  const bool asks_top_level =
      !args.empty() && (args[0] == "-h" || args[0] == "--help" || args[0] == "--version");
  if (!has_subcommand && !asks_top_level) args.insert(args.begin(), "run");
  std::reverse(args.begin(), args.end());  // CLI11 consumes a reversed vector
  return args;
}

int run_cli(int argc, char** argv) {
  CLI::App cli{"tickguard: crypto market anomaly detector and Prometheus exporter"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", std::string("tickguard ") + TICKGUARD_VERSION);

  RunFlags flags;
  auto* run_cmd = cli.add_subcommand("run", "Run the daemon (the default subcommand)");
  run_cmd
      ->add_option("--config", flags.config_file, "TOML config file (default: the embedded simulator config)")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("--web.listen-address", flags.listen_address,
                      "HOST:PORT to serve /metrics on (default :9787)");
  run_cmd->add_option("--log.level", flags.log_level, "debug|info|warn|error (default info)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  run_cmd->add_option("--log.format", flags.log_format, "logfmt|json (default logfmt)")
      ->check(CLI::IsMember({"logfmt", "json"}));
  run_cmd->add_option("--cluster.shard", flags.cluster_shard,
                      "This instance's shard, 0 to shards - 1 (default: [cluster] shard, else 0)");
  run_cmd->add_option("--cluster.shards", flags.cluster_shards,
                      "Number of instances sharing the instruments (default: [cluster] shards, else 1)");
  run_cmd->add_option("--storage.path", flags.storage_path,
                      "State directory for the anomaly journal (default: [storage] path, else automatic)");

  std::string check_file;
  auto* check_cmd = cli.add_subcommand("check-config", "Validate a config file; prints OK or the errors");
  check_cmd->add_option("FILE", check_file, "TOML config file")->required();

  ReplayFlags replay_flags;
  auto* replay_cmd = cli.add_subcommand("replay", "Replay recorded market data through the detectors");
  replay_cmd->add_option("--input", replay_flags.input, "File to replay: CSV, event JSONL or venue messages")
      ->required()
      ->check(CLI::ExistingFile);
  replay_cmd
      ->add_option(
          "--input-format", replay_flags.input_format,
          "csv|events|binance|coinbase|kraken|okx|bybit (default: from the extension, .csv or .jsonl)")
      ->check(CLI::IsMember({"csv", "events", "binance", "coinbase", "kraken", "okx", "bybit"}));
  replay_cmd->add_option("--output", replay_flags.output, "CSV file to write the scores to")->required();
  replay_cmd
      ->add_option("--config", replay_flags.config_file,
                   "TOML config whose [detectors.*] tables apply (default: the embedded config)")
      ->check(CLI::ExistingFile);
  replay_cmd->add_option("--report", replay_flags.report, "HTML file to write a report to (self-contained)");

  SimulateFlags simulate_flags;
  auto* simulate_cmd =
      cli.add_subcommand("simulate", "Record simulated market events (JSONL) in simulated time, for replay");
  simulate_cmd
      ->add_option("--config", simulate_flags.config_file,
                   "TOML config whose simulator [[feed]] tables apply (default: the embedded config)")
      ->check(CLI::ExistingFile);
  simulate_cmd->add_option("--duration", simulate_flags.duration, "Simulated time to record, e.g. 1h")
      ->required();
  simulate_cmd->add_option("--output", simulate_flags.output, "JSONL file to write the events to")
      ->required();
  cli.add_subcommand("version", "Print the version");

  try {
    cli.parse(with_default_subcommand(argc, argv));
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "tickguard: " << e.what() << "\nRun 'tickguard --help' for usage.\n";
    return kExitUsage;
  }

  if (run_cmd->parsed()) return run(flags);
  if (check_cmd->parsed()) return check_config(check_file);
  if (replay_cmd->parsed()) return replay(replay_flags);
  if (simulate_cmd->parsed()) return simulate(simulate_flags);
  std::cout << "tickguard " << TICKGUARD_VERSION << " (revision " << TICKGUARD_REVISION << ")\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // Errors are values inside tickguard; an exception reaching here is a bug or resource exhaustion
  // in a dependency. Report it as a structured log line and a failure exit, never a silent abort.
  try {
    return run_cli(argc, argv);
  } catch (const std::exception& e) {
    tickguard::log::error("fatal error", {{"err", e.what()}});
  } catch (...) {
    tickguard::log::error("fatal error", {{"err", "unknown exception"}});
  }
  return 1;
}
