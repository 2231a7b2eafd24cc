#include "config/config_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <system_error>
#include <utility>

#include "config/duration.h"
#include "config/listen_address.h"

namespace tickguard::config {
namespace {

constexpr std::string_view kSimulator = "simulator";

const std::vector<std::string_view> kTopLevelKeys = {"server",  "log",  "storage",
                                                     "cluster", "feed", "detectors"};
const std::vector<std::string_view> kClusterKeys = {"shard", "shards"};
const std::vector<std::string_view> kStorageKeys = {"path", "retention_time", "retention_size"};
const std::vector<std::string_view> kServerKeys = {"listen_address"};
const std::vector<std::string_view> kLogKeys = {"level", "format"};
const std::vector<std::string_view> kFeedKeys = {"exchange",
                                                 "symbols",
                                                 "venues",
                                                 "seed",
                                                 "speed",
                                                 "anomaly_interval",
                                                 "trades_per_second",
                                                 "warmup",
                                                 "outage_after",
                                                 "outage_duration",
                                                 "rest_url",
                                                 "ws_url",
                                                 "silence_timeout",
                                                 "book_depth",
                                                 "rest_poll_interval"};
const std::vector<std::string_view> kSimulatorOnlyKeys = {
    "venues", "seed",         "speed",          "anomaly_interval", "trades_per_second",
    "warmup", "outage_after", "outage_duration"};
const std::vector<std::string_view> kRealExchangeOnlyKeys = {"rest_url", "ws_url", "silence_timeout",
                                                             "book_depth", "rest_poll_interval"};
const std::vector<std::string_view> kAlertKeys = {"critical_ratio", "clear_ratio", "clear_after", "trusted"};

constexpr std::size_t kMaxSymbolPartLength = 20;
constexpr std::size_t kMaxVenueLength = 32;

// ---- Text helpers for messages ----

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (const std::string_view item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// Integral values print without a fraction ("6", not "6.0"); others in their shortest exact form.
std::string format_number(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

std::string format_seconds(double seconds) {
  const double nanoseconds = seconds * 1e9;
  if (!std::isfinite(nanoseconds) || std::fabs(nanoseconds) >= 9e18) return format_number(seconds) + "s";
  return format_duration(std::chrono::nanoseconds(std::llround(nanoseconds)));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

// "; did you mean "x"?" when one candidate is a likely typo of `name`, else empty.
std::string suggestion(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = 3;  // more edits than this is a different word, not a typo
  for (const std::string_view candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance && distance < candidate.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best.empty() ? std::string() : "; did you mean " + quoted(best) + "?";
}

std::string_view type_phrase(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string child(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

std::string element(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

bool contains(const std::vector<std::string_view>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// ---- Value rules ----

// An interval of allowed values, open or closed at each end, and how it reads in a message.
struct Range {
  std::optional<double> low;
  bool low_inclusive = true;
  std::optional<double> high;
  bool high_inclusive = true;

  bool admits(double value) const {
    if (low && !(low_inclusive ? value >= *low : value > *low)) return false;
    if (high && !(high_inclusive ? value <= *high : value < *high)) return false;
    return true;
  }

  std::string describe(std::string (*format)(double)) const {
    if (low && high && low_inclusive && high_inclusive) {
      return "between " + format(*low) + " and " + format(*high) + " (inclusive)";
    }
    std::string out;
    if (low) out += std::string(low_inclusive ? ">= " : "> ") + format(*low);
    if (low && high) out += " and ";
    if (high) out += std::string(high_inclusive ? "<= " : "< ") + format(*high);
    return out;
  }
};

Range at_least(double low) {
  Range range;
  range.low = low;
  return range;
}

Range above_and_at_most(double low, double high) {
  Range range;
  range.low = low;
  range.low_inclusive = false;
  range.high = high;
  return range;
}

Range closed(double low, double high) {
  Range range;
  range.low = low;
  range.high = high;
  return range;
}

bool is_symbol_part(std::string_view part) {
  return !part.empty() && part.size() <= kMaxSymbolPartLength &&
         std::all_of(part.begin(), part.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool is_unified_symbol(std::string_view symbol) {
  const std::size_t slash = symbol.find('/');
  return slash != std::string_view::npos && is_symbol_part(symbol.substr(0, slash)) &&
         is_symbol_part(symbol.substr(slash + 1));
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool is_venue_name(std::string_view venue) {
  return !venue.empty() && venue.size() <= kMaxVenueLength &&
         std::all_of(venue.begin(), venue.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
}

bool has_scheme(std::string_view url, const std::vector<std::string_view>& schemes) {
  return std::any_of(schemes.begin(), schemes.end(), [&](std::string_view scheme) {
    return url.size() > scheme.size() && url.starts_with(scheme);
  });
}

// A string array element that passed validation, with where it came from.
struct AcceptedString {
  std::string text;
  const toml::node* node = nullptr;
  std::string path;  // e.g. "feed[0].symbols[2]"
};

// The instruments one feed subscribes, kept for the check across feeds.
struct FeedSubscriptions {
  std::vector<std::string> exchange_labels;  // the venues of a simulator feed, else the exchange name
  std::vector<AcceptedString> symbols;
};

// One validation pass over a parsed document. Each method checks one part of the language, records
// every problem it finds and fills in what it could read; the document must outlive the validator.
class Validator {
 public:
  Validator(std::string file, const ConfigSchema& schema) : file_(std::move(file)), schema_(schema) {}

  Config validate(const toml::table& root);
  std::vector<ConfigError> take_errors();

 private:
  void report(const toml::source_region& where, std::string key, std::string message);
  void report_unknown_keys(const toml::table& table, std::string_view path,
                           const std::vector<std::string_view>& valid, std::string_view context);
  void report_type(const toml::node& node, std::string_view path, std::string_view expected);
  bool check_range(const toml::node& node, std::string_view path, double value, const Range& range,
                   std::string (*format)(double) = format_number);

  const toml::table* as_table(const toml::node& node, std::string_view path);
  const toml::array* as_array(const toml::node& node, std::string_view path);
  std::optional<std::string> as_string(const toml::node& node, std::string_view path);
  std::optional<bool> as_bool(const toml::node& node, std::string_view path);
  std::optional<std::int64_t> as_integer(const toml::node& node, std::string_view path);
  std::optional<double> as_number(const toml::node& node, std::string_view path);
  std::optional<std::chrono::nanoseconds> as_duration(const toml::node& node, std::string_view path);
  // A non-empty array of unique strings, each accepted by `check_item`; returns the accepted ones.
  std::vector<AcceptedString> unique_strings(
      const toml::node& node, std::string_view path, std::string_view what,
      bool (Validator::*check_item)(const toml::node&, std::string_view, std::string_view));

  void server(const toml::table& table, ServerOptions& out);
  void log(const toml::table& table, LogOptions& out);
  void storage(const toml::table& table, StorageOptions& out);
  void cluster(const toml::table& table, ClusterOptions& out);
  void feeds(const toml::table& root, std::vector<FeedOptions>& out);
  FeedSubscriptions feed(const toml::table& table, std::string_view path, FeedOptions& out);
  // Reads a feed's `exchange`; true when it names a supported exchange.
  bool exchange(const toml::table& table, std::string_view path, FeedOptions& out);
  void simulator_key(std::string_view key, const toml::node& node, std::string_view path, FeedOptions& out);
  void real_exchange_key(std::string_view key, const toml::node& node, std::string_view path,
                         FeedOptions& out);
  bool check_symbol(const toml::node& node, std::string_view path, std::string_view symbol);
  bool check_venue(const toml::node& node, std::string_view path, std::string_view venue);
  void check_unique_instruments(const std::vector<FeedSubscriptions>& subscriptions);
  void detectors(const toml::node* node, std::vector<DetectorOptions>& out);
  void detector(const DetectorDescriptor& descriptor, const toml::table& table, std::string_view path,
                DetectorOptions& out);
  std::optional<double> param(const ParamSpec& spec, const toml::node& node, std::string_view path);
  void alert_key(std::string_view key, const toml::node& node, std::string_view path, AlertOptions& out);

  std::string file_;
  const ConfigSchema& schema_;
  std::vector<ConfigError> errors_;
};

std::vector<ConfigError> Validator::take_errors() {
  // Tables are visited in key order, not file order; a stable sort keeps errors at one node in
  // the order they were found.
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return std::move(errors_);
}

void Validator::report(const toml::source_region& where, std::string key, std::string message) {
  errors_.push_back(ConfigError{.file = file_,
                                .line = static_cast<int>(where.begin.line),
                                .column = static_cast<int>(where.begin.column),
                                .key = std::move(key),
                                .message = std::move(message)});
}

void Validator::report_unknown_keys(const toml::table& table, std::string_view path,
                                    const std::vector<std::string_view>& valid, std::string_view context) {
  for (auto&& [key, value] : table) {
    if (contains(valid, key.str())) continue;
    std::string message = "unknown key " + quoted(key.str());
    if (!context.empty()) message += " in " + std::string(context);
    message += "; valid keys are: " + join(valid) + suggestion(key.str(), valid);
    report(key.source(), child(path, key.str()), std::move(message));
  }
}

void Validator::report_type(const toml::node& node, std::string_view path, std::string_view expected) {
  report(node.source(), std::string(path),
         "expected " + std::string(expected) + ", got " + std::string(type_phrase(node)));
}

bool Validator::check_range(const toml::node& node, std::string_view path, double value, const Range& range,
                            std::string (*format)(double)) {
  if (range.admits(value)) return true;
  report(node.source(), std::string(path), "must be " + range.describe(format) + ", got " + format(value));
  return false;
}

const toml::table* Validator::as_table(const toml::node& node, std::string_view path) {
  if (const toml::table* table = node.as_table()) return table;
  report_type(node, path, "a table");
  return nullptr;
}

const toml::array* Validator::as_array(const toml::node& node, std::string_view path) {
  if (const toml::array* array = node.as_array()) return array;
  report_type(node, path, "an array");
  return nullptr;
}

std::optional<std::string> Validator::as_string(const toml::node& node, std::string_view path) {
  if (const auto* value = node.as_string()) return value->get();
  report_type(node, path, "a string");
  return std::nullopt;
}

std::optional<bool> Validator::as_bool(const toml::node& node, std::string_view path) {
  if (const auto* value = node.as_boolean()) return value->get();
  report_type(node, path, "a boolean");
  return std::nullopt;
}

std::optional<std::int64_t> Validator::as_integer(const toml::node& node, std::string_view path) {
  if (const auto* value = node.as_integer()) return value->get();
  report_type(node, path, "an integer");
  return std::nullopt;
}

std::optional<double> Validator::as_number(const toml::node& node, std::string_view path) {
  double number = 0;
  if (const auto* integer = node.as_integer()) {
    number = static_cast<double>(integer->get());
  } else if (const auto* floating = node.as_floating_point()) {
    number = floating->get();
  } else {
    report_type(node, path, "a number");
    return std::nullopt;
  }
  if (!std::isfinite(number)) {
    report(node.source(), std::string(path), "must be a finite number, got " + format_number(number));
    return std::nullopt;
  }
  return number;
}

std::optional<std::chrono::nanoseconds> Validator::as_duration(const toml::node& node,
                                                               std::string_view path) {
  const auto* text = node.as_string();
  if (!text) {
    report_type(node, path, "a duration string such as \"10s\"");
    return std::nullopt;
  }
  const std::optional<std::chrono::nanoseconds> duration = parse_duration(text->get());
  if (!duration) {
    report(node.source(), std::string(path),
           "invalid duration " + quoted(text->get()) +
               ": expected whole numbers with units w, d, h, m, s, ms, largest first, e.g. \"250ms\", "
               "\"10s\", \"1h30m\"");
  }
  return duration;
}

std::vector<AcceptedString> Validator::unique_strings(
    const toml::node& node, std::string_view path, std::string_view what,
    bool (Validator::*check_item)(const toml::node&, std::string_view, std::string_view)) {
  std::vector<AcceptedString> accepted;
  const toml::array* array = as_array(node, path);
  if (!array) return accepted;
  if (array->empty()) {
    report(node.source(), std::string(path), "must list at least one " + std::string(what));
    return accepted;
  }
  std::map<std::string, int, std::less<>> first_line;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    const std::string item_path = element(path, i);
    const std::optional<std::string> text = as_string(item, item_path);
    if (!text || !(this->*check_item)(item, item_path, *text)) continue;
    const auto [it, inserted] = first_line.emplace(*text, static_cast<int>(item.source().begin.line));
    if (!inserted) {
      report(item.source(), item_path,
             "duplicate " + std::string(what) + " " + quoted(*text) + " (already listed on line " +
                 std::to_string(it->second) + ")");
      continue;
    }
    accepted.push_back(AcceptedString{.text = *text, .node = &item, .path = item_path});
  }
  return accepted;
}

Config Validator::validate(const toml::table& root) {
  Config config;
  report_unknown_keys(root, "", kTopLevelKeys, "");
  if (const toml::node* node = root.get("server")) {
    if (const toml::table* table = as_table(*node, "server")) server(*table, config.server);
  }
  if (const toml::node* node = root.get("log")) {
    if (const toml::table* table = as_table(*node, "log")) log(*table, config.log);
  }
  if (const toml::node* node = root.get("storage")) {
    if (const toml::table* table = as_table(*node, "storage")) storage(*table, config.storage);
  }
  if (const toml::node* node = root.get("cluster")) {
    if (const toml::table* table = as_table(*node, "cluster")) cluster(*table, config.cluster);
  }
  feeds(root, config.feeds);
  detectors(root.get("detectors"), config.detectors);
  return config;
}

void Validator::server(const toml::table& table, ServerOptions& out) {
  report_unknown_keys(table, "server", kServerKeys, "[server]");
  if (const toml::node* node = table.get("listen_address")) {
    const std::optional<std::string> text = as_string(*node, "server.listen_address");
    if (!text) return;
    if (!parse_listen_address(*text)) {
      report(node->source(), "server.listen_address",
             "invalid listen address " + quoted(*text) +
                 ": expected HOST:PORT, :PORT or [IPv6]:PORT with a port from 0 to 65535");
      return;
    }
    out.listen_address = *text;
  }
}

void Validator::cluster(const toml::table& table, ClusterOptions& out) {
  report_unknown_keys(table, "cluster", kClusterKeys, "[cluster]");
  const toml::node* shards_node = table.get("shards");
  if (shards_node != nullptr) {
    const std::optional<std::int64_t> shards = as_integer(*shards_node, "cluster.shards");
    if (shards &&
        check_range(*shards_node, "cluster.shards", static_cast<double>(*shards), closed(1, kMaxShards))) {
      out.shards = static_cast<int>(*shards);
    }
  }
  if (const toml::node* node = table.get("shard")) {
    const std::optional<std::int64_t> shard = as_integer(*node, "cluster.shard");
    if (!shard) return;
    if (*shard < 0 || *shard >= out.shards) {
      report(node->source(), "cluster.shard",
             "must be between 0 and shards - 1 (" + std::to_string(out.shards - 1) + "), got " +
                 std::to_string(*shard));
      return;
    }
    out.shard = static_cast<int>(*shard);
  }
}

void Validator::storage(const toml::table& table, StorageOptions& out) {
  report_unknown_keys(table, "storage", kStorageKeys, "[storage]");
  if (const toml::node* node = table.get("path")) {
    if (const std::optional<std::string> text = as_string(*node, "storage.path")) {
      if (text->empty()) {
        report(node->source(), "storage.path",
               "must not be empty; omit the key for the automatic state directory");
      } else {
        out.path = *text;
      }
    }
  }
  if (const toml::node* node = table.get("retention_time")) {
    const std::optional<std::chrono::nanoseconds> value = as_duration(*node, "storage.retention_time");
    // "0s" keeps records forever; otherwise at least an hour, so a typo cannot wipe the journal.
    if (value && (value->count() == 0 ||
                  check_range(*node, "storage.retention_time", std::chrono::duration<double>(*value).count(),
                              at_least(3600), format_seconds))) {
      out.retention_time = *value;
    }
  }
  if (const toml::node* node = table.get("retention_size")) {
    if (const std::optional<std::string> text = as_string(*node, "storage.retention_size")) {
      const std::optional<std::uint64_t> bytes = parse_byte_size(*text);
      if (!bytes) {
        report(node->source(), "storage.retention_size",
               "invalid size " + quoted(*text) +
                   ": expected a whole number with a unit B, KB, MB, GB or TB (powers of 1024), e.g. "
                   "\"512MB\", or \"0\" for no limit");
      } else if (*bytes != 0 && *bytes < (1ull << 20)) {
        report(node->source(), "storage.retention_size",
               "must be \"0\" (no limit) or at least 1MB, got " + quoted(*text));
      } else {
        out.retention_size = *bytes;
      }
    }
  }
}

void Validator::log(const toml::table& table, LogOptions& out) {
  report_unknown_keys(table, "log", kLogKeys, "[log]");
  if (const toml::node* node = table.get("level")) {
    static const std::vector<std::pair<std::string_view, LogLevel>> kLevels = {{"debug", LogLevel::kDebug},
                                                                               {"info", LogLevel::kInfo},
                                                                               {"warn", LogLevel::kWarn},
                                                                               {"error", LogLevel::kError}};
    if (const std::optional<std::string> text = as_string(*node, "log.level")) {
      const auto it =
          std::find_if(kLevels.begin(), kLevels.end(), [&](const auto& l) { return l.first == *text; });
      if (it != kLevels.end()) {
        out.level = it->second;
      } else {
        report(node->source(), "log.level",
               "unknown log level " + quoted(*text) + "; expected one of: debug, info, warn, error");
      }
    }
  }
  if (const toml::node* node = table.get("format")) {
    if (const std::optional<std::string> text = as_string(*node, "log.format")) {
      if (*text == "logfmt") {
        out.format = LogFormat::kLogfmt;
      } else if (*text == "json") {
        out.format = LogFormat::kJson;
      } else {
        report(node->source(), "log.format",
               "unknown log format " + quoted(*text) + "; expected one of: logfmt, json");
      }
    }
  }
}

void Validator::feeds(const toml::table& root, std::vector<FeedOptions>& out) {
  const toml::node* node = root.get("feed");
  if (!node) {
    report(root.source(), "feed", "at least one [[feed]] table is required");
    return;
  }
  const toml::array* array = node->as_array();
  if (!array) {
    report_type(*node, "feed", "an array of tables ([[feed]])");
    return;
  }
  if (array->empty()) {
    report(node->source(), "feed", "at least one [[feed]] table is required");
    return;
  }
  std::vector<FeedSubscriptions> subscriptions;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string path = element("feed", i);
    const toml::table* table = as_table(*array->get(i), path);
    if (!table) {
      subscriptions.emplace_back();  // keeps subscriptions[i] the subscriptions of feed[i]
      continue;
    }
    FeedOptions options;
    subscriptions.push_back(feed(*table, path, options));
    out.push_back(std::move(options));
  }
  check_unique_instruments(subscriptions);
}

bool Validator::exchange(const toml::table& table, std::string_view path, FeedOptions& out) {
  const toml::node* node = table.get("exchange");
  if (!node) {
    report(table.source(), child(path, "exchange"), "missing required key \"exchange\"");
    return false;
  }
  const std::optional<std::string> exchange = as_string(*node, child(path, "exchange"));
  if (!exchange) return false;
  const std::vector<std::string_view> supported(schema_.exchanges.begin(), schema_.exchanges.end());
  if (!contains(supported, *exchange)) {
    report(node->source(), child(path, "exchange"),
           "unsupported exchange " + quoted(*exchange) + "; supported exchanges are: " + join(supported) +
               suggestion(*exchange, supported));
    return false;
  }
  out.exchange = *exchange;
  return true;
}

FeedSubscriptions Validator::feed(const toml::table& table, std::string_view path, FeedOptions& out) {
  report_unknown_keys(table, path, kFeedKeys, "[[feed]]");
  const bool exchange_known = exchange(table, path, out);
  const bool is_simulator = exchange_known && out.exchange == kSimulator;

  FeedSubscriptions subscriptions;
  if (const toml::node* node = table.get("symbols")) {
    subscriptions.symbols = unique_strings(*node, child(path, "symbols"), "symbol", &Validator::check_symbol);
    for (const AcceptedString& symbol : subscriptions.symbols) out.symbols.push_back(symbol.text);
  } else {
    report(table.source(), child(path, "symbols"), "missing required key \"symbols\"");
  }

  for (auto&& [key, node] : table) {
    const std::string_view name = key.str();
    const bool simulator_only = contains(kSimulatorOnlyKeys, name);
    const bool real_exchange_only = contains(kRealExchangeOnlyKeys, name);
    if (exchange_known && simulator_only && !is_simulator) {
      report(
          key.source(), child(path, name),
          "key " + quoted(name) + " is only valid for exchange \"simulator\", not " + quoted(out.exchange));
    } else if (exchange_known && real_exchange_only && is_simulator) {
      report(key.source(), child(path, name),
             "key " + quoted(name) +
                 " is not valid for exchange \"simulator\"; it only applies to real exchanges");
    } else if (simulator_only) {
      simulator_key(name, node, child(path, name), out);
    } else if (real_exchange_only) {
      real_exchange_key(name, node, child(path, name), out);
    }
  }

  if (is_simulator) {
    subscriptions.exchange_labels = out.simulator.venues;
  } else if (exchange_known) {
    subscriptions.exchange_labels = {out.exchange};
  }
  return subscriptions;
}

void Validator::simulator_key(std::string_view key, const toml::node& node, std::string_view path,
                              FeedOptions& out) {
  SimulatorOptions& simulator = out.simulator;
  if (key == "venues") {
    simulator.venues.clear();
    for (AcceptedString& venue : unique_strings(node, path, "venue", &Validator::check_venue)) {
      simulator.venues.push_back(std::move(venue.text));
    }
  } else if (key == "seed") {
    const std::optional<std::int64_t> seed = as_integer(node, path);
    if (seed && check_range(node, path, static_cast<double>(*seed), at_least(0))) {
      simulator.seed = static_cast<std::uint64_t>(*seed);
    }
  } else if (key == "speed") {
    const std::optional<double> speed = as_number(node, path);
    if (speed && check_range(node, path, *speed, above_and_at_most(0, 100000))) simulator.speed = *speed;
  } else if (key == "anomaly_interval") {
    const std::optional<std::chrono::nanoseconds> interval = as_duration(node, path);
    // "0s" turns injection off (a control run); otherwise at least one second.
    if (interval &&
        (interval->count() == 0 || check_range(node, path, std::chrono::duration<double>(*interval).count(),
                                               at_least(1), format_seconds))) {
      simulator.anomaly_interval = *interval;
    }
  } else if (key == "trades_per_second") {
    const std::optional<double> rate = as_number(node, path);
    if (rate && check_range(node, path, *rate, above_and_at_most(0, 10000)))
      simulator.trades_per_second = *rate;
  } else if (key == "warmup") {
    const std::optional<std::chrono::nanoseconds> warmup = as_duration(node, path);
    if (warmup && check_range(node, path, std::chrono::duration<double>(*warmup).count(), closed(0, 86400),
                              format_seconds)) {
      simulator.warmup = *warmup;
    }
  } else if (key == "outage_after" || key == "outage_duration") {
    const std::optional<std::chrono::nanoseconds> value = as_duration(node, path);
    if (value && check_range(node, path, std::chrono::duration<double>(*value).count(), closed(0, 86400),
                             format_seconds)) {
      (key == "outage_after" ? simulator.outage_after : simulator.outage_duration) = *value;
    }
  }
}

void Validator::real_exchange_key(std::string_view key, const toml::node& node, std::string_view path,
                                  FeedOptions& out) {
  if (key == "silence_timeout") {
    const std::optional<std::chrono::nanoseconds> timeout = as_duration(node, path);
    if (timeout && check_range(node, path, std::chrono::duration<double>(*timeout).count(), closed(0.1, 3600),
                               format_seconds)) {
      out.silence_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    }
    return;
  }
  if (key == "rest_poll_interval") {
    const std::optional<std::chrono::nanoseconds> interval = as_duration(node, path);
    // "0s" turns polling off; otherwise at least one second.
    if (interval &&
        (interval->count() == 0 || check_range(node, path, std::chrono::duration<double>(*interval).count(),
                                               closed(1, 3600), format_seconds))) {
      out.rest_poll_interval = std::chrono::duration_cast<std::chrono::milliseconds>(*interval);
    }
    return;
  }
  if (key == "book_depth") {
    const std::optional<std::int64_t> depth = as_integer(node, path);
    if (depth && check_range(node, path, static_cast<double>(*depth), closed(1, 10))) {
      out.book_depth = static_cast<int>(*depth);
    }
    return;
  }
  const bool is_rest = key == "rest_url";
  const std::vector<std::string_view> schemes = is_rest ? std::vector<std::string_view>{"http://", "https://"}
                                                        : std::vector<std::string_view>{"ws://", "wss://"};
  const std::optional<std::string> url = as_string(node, path);
  if (!url) return;
  if (!has_scheme(*url, schemes)) {
    report(node.source(), std::string(path),
           "invalid URL " + quoted(*url) + ": must start with " + std::string(schemes[0]) + " or " +
               std::string(schemes[1]));
    return;
  }
  (is_rest ? out.rest_url : out.ws_url) = *url;
}

bool Validator::check_symbol(const toml::node& node, std::string_view path, std::string_view symbol) {
  if (is_unified_symbol(symbol)) return true;
  const std::string upper = to_upper(symbol);
  if (upper != symbol && is_unified_symbol(upper)) {
    report(node.source(), std::string(path),
           "symbol " + quoted(symbol) + " must be upper case; did you mean " + quoted(upper) + "?");
  } else {
    report(node.source(), std::string(path),
           "malformed symbol " + quoted(symbol) +
               ": expected BASE/QUOTE such as \"BTC/USDT\", each part 1 to " +
               std::to_string(kMaxSymbolPartLength) + " characters of A-Z and 0-9");
  }
  return false;
}

bool Validator::check_venue(const toml::node& node, std::string_view path, std::string_view venue) {
  if (is_venue_name(venue)) return true;
  report(node.source(), std::string(path),
         "invalid venue name " + quoted(venue) + ": expected 1 to " + std::to_string(kMaxVenueLength) +
             " characters of a-z, 0-9, '_' and '-'");
  return false;
}

void Validator::check_unique_instruments(const std::vector<FeedSubscriptions>& subscriptions) {
  // (exchange label, symbol) -> index of the feed that subscribed it first.
  std::map<std::pair<std::string, std::string>, std::size_t> owner;
  for (std::size_t feed_index = 0; feed_index < subscriptions.size(); ++feed_index) {
    const FeedSubscriptions& feed = subscriptions[feed_index];
    for (const AcceptedString& symbol : feed.symbols) {
      for (const std::string& label : feed.exchange_labels) {
        const auto [it, inserted] = owner.emplace(std::pair(label, symbol.text), feed_index);
        if (inserted || it->second == feed_index) continue;
        report(symbol.node->source(), symbol.path,
               "instrument " + quoted(symbol.text) + " on exchange " + quoted(label) +
                   " is already subscribed by " + element("feed", it->second));
        break;  // one error per symbol is enough
      }
    }
  }
}

void Validator::detectors(const toml::node* node, std::vector<DetectorOptions>& out) {
  const toml::table* table = node ? as_table(*node, "detectors") : nullptr;
  std::vector<std::string_view> names;
  for (const DetectorDescriptor& descriptor : schema_.detectors) names.push_back(descriptor.name);
  if (table) {
    for (auto&& [key, value] : *table) {
      if (contains(names, key.str())) continue;
      report(key.source(), child("detectors", key.str()),
             "unknown detector " + quoted(key.str()) + "; registered detectors are: " + join(names) +
                 suggestion(key.str(), names));
    }
  }
  for (const DetectorDescriptor& descriptor : schema_.detectors) {
    DetectorOptions options;
    options.name = descriptor.name;
    options.alert.trusted = descriptor.trusted;
    for (const ParamSpec& spec : descriptor.params) options.params.set(spec.name, spec.default_value);
    const toml::node* detector_node = table ? table->get(descriptor.name) : nullptr;
    const std::string path = child("detectors", descriptor.name);
    if (detector_node) {
      if (const toml::table* detector_table = as_table(*detector_node, path)) {
        detector(descriptor, *detector_table, path, options);
      }
    }
    out.push_back(std::move(options));
  }
}

void Validator::detector(const DetectorDescriptor& descriptor, const toml::table& table,
                         std::string_view path, DetectorOptions& out) {
  std::vector<std::string_view> valid = {"enabled"};
  for (const ParamSpec& spec : descriptor.params) valid.push_back(spec.name);
  valid.insert(valid.end(), kAlertKeys.begin(), kAlertKeys.end());
  report_unknown_keys(table, path, valid, "[" + std::string(path) + "]");

  if (const toml::node* node = table.get("enabled")) {
    if (const std::optional<bool> enabled = as_bool(*node, child(path, "enabled"))) out.enabled = *enabled;
  }
  for (const ParamSpec& spec : descriptor.params) {
    if (const toml::node* node = table.get(spec.name)) {
      if (const std::optional<double> value = param(spec, *node, child(path, spec.name))) {
        out.params.set(spec.name, *value);
      }
    }
  }
  for (const std::string_view key : kAlertKeys) {
    if (const toml::node* node = table.get(key)) alert_key(key, *node, child(path, key), out.alert);
  }
}

std::optional<double> Validator::param(const ParamSpec& spec, const toml::node& node, std::string_view path) {
  std::optional<double> value;
  std::string (*format)(double) = format_number;
  switch (spec.kind) {
    case ParamKind::kNumber:
      value = as_number(node, path);
      break;
    case ParamKind::kInteger:
      if (const std::optional<std::int64_t> integer = as_integer(node, path))
        value = static_cast<double>(*integer);
      break;
    case ParamKind::kDuration:
      if (const auto duration = as_duration(node, path))
        value = std::chrono::duration<double>(*duration).count();
      format = format_seconds;
      break;
  }
  if (value && !check_range(node, path, *value, closed(spec.min, spec.max), format)) return std::nullopt;
  return value;
}

void Validator::alert_key(std::string_view key, const toml::node& node, std::string_view path,
                          AlertOptions& out) {
  if (key == "critical_ratio") {
    const std::optional<double> ratio = as_number(node, path);
    if (ratio && check_range(node, path, *ratio, at_least(1))) out.critical_ratio = *ratio;
  } else if (key == "clear_ratio") {
    const std::optional<double> ratio = as_number(node, path);
    if (ratio && check_range(node, path, *ratio, above_and_at_most(0, 1))) out.clear_ratio = *ratio;
  } else if (key == "clear_after") {
    const std::optional<std::chrono::nanoseconds> after = as_duration(node, path);
    if (!after) return;
    const double seconds = std::chrono::duration<double>(*after).count();
    if (check_range(node, path, seconds, at_least(0.001), format_seconds)) out.clear_after_seconds = seconds;
  } else if (key == "trusted") {
    if (const std::optional<bool> trusted = as_bool(node, path)) out.trusted = *trusted;
  }
}

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

LoadResult load_config_string(std::string_view toml_text, std::string source_name,
                              const ConfigSchema& schema) {
  LoadResult result;
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(source_name));
  } catch (const toml::parse_error& error) {
    result.errors.push_back(ConfigError{.file = source_name,
                                        .line = static_cast<int>(error.source().begin.line),
                                        .column = static_cast<int>(error.source().begin.column),
                                        .key = "",
                                        .message = std::string(error.description())});
    return result;
  }
  Validator validator(source_name, schema);
  Config config = validator.validate(root);
  result.errors = validator.take_errors();
  if (result.errors.empty()) {
    config.source = std::move(source_name);
    result.config = std::move(config);
  }
  return result;
}

LoadResult load_config_file(const std::string& path, const ConfigSchema& schema) {
  std::string text;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  int read_errno = file ? 0 : errno;
  if (file) {
    char buffer[8192];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
    if (std::ferror(file)) read_errno = errno != 0 ? errno : EIO;
    std::fclose(file);
  }
  if (read_errno != 0) {
    ConfigError error;
    error.file = path;
    error.message = "cannot read config file: " + std::generic_category().message(read_errno);
    LoadResult result;
    result.errors.push_back(std::move(error));
    return result;
  }
  return load_config_string(text, path, schema);
}

}  // namespace tickguard::config
