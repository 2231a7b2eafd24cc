// The config `tickguard run` uses without --config: the simulator with every detector on. The
// README shows it as the annotated starting point for a config of one's own.
#pragma once

#include <string_view>

namespace tickguard::config {

// Source name for errors and Config::source when loading default_config_toml().
inline constexpr std::string_view kEmbeddedConfigName = "<embedded>";

// The embedded default config as TOML text. Static storage; valid for the process lifetime.
std::string_view default_config_toml();

}  // namespace tickguard::config
