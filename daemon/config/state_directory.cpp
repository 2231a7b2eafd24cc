#include "config/state_directory.h"

namespace tickguard::config {

std::filesystem::path default_state_directory(std::string_view state_directory_env,
                                              const std::filesystem::path& executable,
                                              const std::filesystem::path& working_directory) {
  if (!state_directory_env.empty()) {
    // systemd separates several StateDirectory= entries with ':'.
    return std::filesystem::path(state_directory_env.substr(0, state_directory_env.find(':')));
  }
  const std::string exe = executable.lexically_normal().string();
  if (exe.starts_with("/usr/")) return "/var/lib/tickguard";
  return working_directory / "data";
}

}  // namespace tickguard::config
