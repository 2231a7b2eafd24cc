// Reads the recorded OKX excerpts under tests/fixtures/okx/, one WebSocket frame or REST body per line.
#pragma once

#include <fstream>
#include <string>
#include <vector>

namespace tickguard::feeds::okx::testing {

inline std::vector<std::string> fixture_lines(const std::string& name) {
  std::ifstream in(std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/okx/" + name);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace tickguard::feeds::okx::testing
