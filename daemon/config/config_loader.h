// Loads the TOML config into plain Options structs (options.h), validating it against the
// registered detectors and exchanges. Errors are values that name the file, line, column and key,
// and every error in a file is reported at once so that one edit fixes them all.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/options.h"
#include "tickguard/detector.h"

namespace tickguard::config {

// One problem in a config file.
struct ConfigError {
  std::string file;  // the source name or path the text came from
  int line = 0;      // 1-based; 0 when unknown (e.g. the file could not be read)
  int column = 0;
  std::string key;  // dotted path such as "feed[1].symbols[0]" or "detectors.zscore.window"; empty for
                    // syntax errors and unreadable files
  std::string message;

  // "FILE:LINE:COL: KEY: MESSAGE", without "KEY: " when key is empty and without ":LINE:COL" when
  // the position is unknown.
  std::string to_string() const;
};

// What the config is validated against: the things compiled into this binary.
struct ConfigSchema {
  std::span<const DetectorDescriptor> detectors;  // valid [detectors.<name>] tables and their params
  std::vector<std::string> exchanges;             // valid values of [[feed]] exchange
};

struct LoadResult {
  std::optional<Config> config;     // set iff errors is empty
  std::vector<ConfigError> errors;  // every error found, in file order
};

// Parses and validates `toml_text`; `source_name` is used in errors and as Config::source.
// Never throws for bad input.
LoadResult load_config_string(std::string_view toml_text, std::string source_name,
                              const ConfigSchema& schema);

// Reads `path` and loads it as load_config_string does. A file that cannot be read yields a single
// error whose file is `path` and whose message says why.
LoadResult load_config_file(const std::string& path, const ConfigSchema& schema);

}  // namespace tickguard::config
