// The state directory (the anomaly journal's home) when [storage] path is not set.
#pragma once

#include <filesystem>
#include <string_view>

namespace tickguard::config {

// In order: systemd's $STATE_DIRECTORY (its first entry; set by StateDirectory=), then
// /var/lib/tickguard for an installed binary (one under /usr), else `working_directory`/data, so a
// binary run from a build tree keeps its state next to the sources rather than in the system.
std::filesystem::path default_state_directory(std::string_view state_directory_env,
                                              const std::filesystem::path& executable,
                                              const std::filesystem::path& working_directory);

}  // namespace tickguard::config
