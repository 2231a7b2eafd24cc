// Fixture loading for the Kraken tests (files under tests/fixtures/kraken/).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tickguard::feeds::kraken::testing {

inline std::string fixture_path(const std::string& name) {
  return std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/kraken/" + name;
}

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> read_fixture_lines(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace tickguard::feeds::kraken::testing
