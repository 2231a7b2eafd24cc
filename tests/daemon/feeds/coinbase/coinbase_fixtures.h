// Loads the recorded Coinbase excerpts under tests/fixtures/coinbase/.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tickguard::feeds::coinbase::testing {

inline std::string fixture_path(const std::string& name) {
  return std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/coinbase/" + name;
}

// One frame per non-empty line.
inline std::vector<std::string> read_lines(const std::string& name) {
  std::ifstream in(fixture_path(name));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

inline std::string read_all(const std::string& name) {
  std::ifstream in(fixture_path(name));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace tickguard::feeds::coinbase::testing
