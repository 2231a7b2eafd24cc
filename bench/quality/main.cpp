// tickguard_quality: detection quality of the daemon's detectors and ensemble on labelled simulator
// data. For each scenario (a family of anomaly kinds) and seed, it simulates a market with only those
// kinds injected, runs every event through the same InstrumentState as the daemon, and prints per
// detector precision, recall, F1, F2 and detection delay (event-window matching, see
// event_matching.h) as Markdown. Deterministic: the same arguments print the same tables.
//
//   tickguard_quality --seeds 101-110               # held-out seeds: the README table
//   tickguard_quality --seeds 1-10 --type pattern   # tuning seeds, one scenario
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app/application.h"
#include "config/config_loader.h"
#include "config/default_config.h"
#include "core/log.h"
#include "detectors/registry.h"
#include "feeds/registry.h"
#include "quality_run.h"

namespace tickguard::quality {
namespace {

// "1-10", "3", "1-3,7": the listed seeds in order. False on a malformed list.
bool parse_seeds(const std::string& text, std::vector<std::uint64_t>& seeds) {
  std::stringstream list(text);
  std::string item;
  while (std::getline(list, item, ',')) {
    unsigned long long first = 0;
    unsigned long long last = 0;
    char dash = 0;
    std::istringstream in(item);
    if (!(in >> first)) return false;
    last = first;
    if (in >> dash) {
      if (dash != '-' || !(in >> last) || last < first) return false;
    }
    for (unsigned long long seed = first; seed <= last; ++seed) seeds.push_back(seed);
  }
  return !seeds.empty();
}

std::string fixed(double value, int decimals) {
  if (std::isnan(value)) return "–";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string kinds_text(const Scenario& scenario) {
  std::string text;
  for (const auto kind : scenario.kinds) {
    if (!text.empty()) text += ", ";
    text += std::string(simulator::anomaly_kind_name(kind)) + " (grace " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(grace_period(kind)).count()) +
            " s)";
  }
  return text;
}

void print_row(const std::string& name, const Tally& t) {
  std::cout << "| " << name << " | " << fixed(t.precision(), 3) << " | " << fixed(t.recall(), 3) << " | "
            << fixed(t.f_beta(1), 3) << " | " << fixed(t.f_beta(2), 3) << " | "
            << fixed(t.median_delay_seconds(), 1) << " | "
            << fixed(t.anomalies == 0 ? NAN : static_cast<double>(t.found_within_30s) / t.anomalies, 3)
            << " | " << t.anomalies << " | " << t.episodes << " | " << t.false_positives << " | "
            << fixed(100 * t.flagged_share(), 2) << " |\n";
}

void print_scenario(const Scenario& scenario, const std::vector<DetectorSpec>& detectors,
                    const std::vector<Tally>& tallies, bool by_kind) {
  const Tally& ensemble = tallies.back();
  std::cout << "### " << scenario.name << "\n\n"
            << "Kinds: " << kinds_text(scenario) << ". " << ensemble.anomalies << " anomalies.\n\n"
            << "| detector | precision | recall | F1 | F2 | median delay (s) | found ≤ 30 s | anomalies | "
               "episodes | false episodes | flagged time (%) |\n"
            << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  print_row("**ensemble**", ensemble);
  for (std::size_t i = 0; i < detectors.size(); ++i) print_row(detectors[i].name, tallies[i]);
  std::cout << "\nEnsemble recall by kind:";
  for (const auto& counts : ensemble.by_kind) {
    std::cout << " " << counts.kind << " " << counts.found << "/" << counts.anomalies << ";";
  }
  std::cout << "\n\n";
  if (!by_kind || scenario.kinds.size() < 2) return;
  std::cout << "| detector |";
  for (const auto kind : scenario.kinds) std::cout << " " << simulator::anomaly_kind_name(kind) << " |";
  std::cout << "\n|---|";
  for (std::size_t k = 0; k < scenario.kinds.size(); ++k) std::cout << "---|";
  std::cout << "\n";
  for (std::size_t i = 0; i <= detectors.size(); ++i) {
    std::cout << "| " << (i == detectors.size() ? "**ensemble**" : detectors[i].name) << " |";
    for (const auto kind : scenario.kinds) {
      const auto* counts = tallies[i].kind(std::string(simulator::anomaly_kind_name(kind)));
      std::cout << " "
                << (counts == nullptr || counts->anomalies == 0
                        ? std::string("–")
                        : fixed(static_cast<double>(counts->found) / counts->anomalies, 2))
                << " |";
    }
    std::cout << "\n";
  }
  std::cout << "\n";
}

struct Summary {
  const Scenario* scenario;
  Tally ensemble;
  std::string best_name;
  double best_f1 = 0;
};

void print_summary(const std::vector<Summary>& summaries) {
  std::cout << "### Summary (ensemble)\n\n"
            << "| scenario | precision | recall | F1 | median delay (s) | found ≤ 30 s | target F1 | met | "
               "replaced system F1 | best single detector (F1) |\n"
            << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& s : summaries) {
    const Tally& t = s.ensemble;
    const bool has_target = s.scenario->target_f1 > 0;
    const bool early = s.scenario->target_within_30s;
    const double target_value = early ? t.f1_within_30s() : t.f_beta(1);
    std::cout << "| " << s.scenario->name << " | " << fixed(t.precision(), 3) << " | " << fixed(t.recall(), 3)
              << " | " << fixed(t.f_beta(1), 3) << " | " << fixed(t.median_delay_seconds(), 1) << " | "
              << fixed(t.anomalies == 0 ? NAN : static_cast<double>(t.found_within_30s) / t.anomalies, 3)
              << " | "
              << (has_target ? "≥ " + fixed(s.scenario->target_f1, 2) + (early ? " within 30 s" : "") : "–")
              << " | "
              << (has_target
                      ? (target_value >= s.scenario->target_f1 ? "yes"
                                                               : "**no** (" + fixed(target_value, 3) + ")")
                      : "–")
              << " | " << (s.scenario->legacy_f1 >= 0 ? fixed(s.scenario->legacy_f1, 2) : "–") << " | "
              << s.best_name << " (" << fixed(s.best_f1, 3) << ") |\n";
  }
  std::cout << "\n";
}

int run(int argc, char** argv) {
  CLI::App app{"Detection quality of tickguard's detectors on labelled simulator data"};
  std::string seeds_text = "101-110";
  double hours = 1.0;
  double warmup_minutes = 45.0;
  std::string config_file;
  std::vector<std::string> types;
  bool by_kind = false;
  app.add_option("--seeds", seeds_text, "seeds to run, e.g. 1-10 (tuning) or 101-110 (held out)")
      ->capture_default_str();
  app.add_option("--hours", hours, "simulated hours scored per seed and scenario, after the warm-up")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 100.0));
  app.add_option("--warmup-minutes", warmup_minutes, "clean simulated history before scoring")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1440.0));
  app.add_option("--config", config_file,
                 "tickguard config whose [detectors.*] tables to use (default: embedded)");
  app.add_option("--type", types, "scenarios to run (default: all)")->delimiter(',');
  app.add_flag("--by-kind", by_kind, "also print recall per anomaly kind for every detector");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::uint64_t> seeds;
  if (!parse_seeds(seeds_text, seeds)) {
    std::cerr << "invalid --seeds \"" << seeds_text << "\": expected e.g. 1-10 or 1,4,7\n";
    return 2;
  }
  std::vector<const Scenario*> selected;
  for (const auto& scenario : scenarios()) {
    if (types.empty() || std::find(types.begin(), types.end(), scenario.name) != types.end())
      selected.push_back(&scenario);
  }
  for (const auto& type : types) {
    if (std::none_of(scenarios().begin(), scenarios().end(),
                     [&](const Scenario& s) { return s.name == type; })) {
      std::cerr << "unknown --type \"" << type << "\"; valid:";
      for (const auto& s : scenarios()) std::cerr << " " << s.name;
      std::cerr << "\n";
      return 2;
    }
  }

  log::configure(log::Level::kError, log::Format::kLogfmt);  // no line per raised anomaly
  const config::ConfigSchema schema{detector_registry(), feeds::supported_exchanges()};
  const config::LoadResult loaded =
      config_file.empty() ? config::load_config_string(config::default_config_toml(),
                                                       std::string(config::kEmbeddedConfigName), schema)
                          : config::load_config_file(config_file, schema);
  if (!loaded.config) {
    for (const auto& error : loaded.errors) std::cerr << error.to_string() << "\n";
    return 2;
  }
  const std::vector<DetectorSpec> detectors = app::detector_specs(*loaded.config);

  RunOptions options;
  options.warmup =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::ratio<60>>(warmup_minutes));
  options.evaluated =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::ratio<3600>>(hours));

  std::cout << "Seeds " << seeds_text << "; per seed and scenario " << fixed(hours, 2)
            << " simulated hours scored after a " << fixed(warmup_minutes, 0)
            << " min clean warm-up; 3 symbols (BTC, ETH, SOL /USDT) × 3 venues; " << detectors.size()
            << " detectors from " << (config_file.empty() ? "the embedded default config" : config_file)
            << ".\n\n";

  const auto started = std::chrono::steady_clock::now();
  std::size_t events = 0;
  std::vector<Summary> summaries;
  for (const Scenario* scenario : selected) {
    std::vector<Tally> tallies(detectors.size() + 1);
    for (const std::uint64_t seed : seeds) {
      options.seed = seed;
      const RunResult result = run_scenario(*scenario, detectors, options);
      events += result.events;
      for (std::size_t i = 0; i < tallies.size(); ++i)
        tally_run(result.anomalies, result.episodes[i], result.instrument_seconds, tallies[i]);
    }
    print_scenario(*scenario, detectors, tallies, by_kind);
    Summary summary{scenario, tallies.back(), "–", 0};
    for (std::size_t i = 0; i < detectors.size(); ++i) {
      if (tallies[i].f_beta(1) > summary.best_f1) {
        summary.best_f1 = tallies[i].f_beta(1);
        summary.best_name = detectors[i].name;
      }
    }
    summaries.push_back(std::move(summary));
    std::cout.flush();
  }
  print_summary(summaries);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "tickguard_quality: " << selected.size() * seeds.size() << " runs, " << events << " events in "
            << fixed(seconds, 1) << " s\n";
  return 0;
}

}  // namespace
}  // namespace tickguard::quality

int main(int argc, char** argv) {
  try {
    return tickguard::quality::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "tickguard_quality: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "tickguard_quality: unknown exception\n";
  }
  return 1;
}
