// Reads the recorded Binance payloads copied under tests/fixtures/binance/.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tickguard::feeds::binance::testing {

inline std::string fixture_path(const std::string& name) {
  return std::string(TICKGUARD_SOURCE_DIR) + "/tests/fixtures/binance/" + name;
}

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(fixture_path(name));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One frame per non-empty line.
inline std::vector<std::string> read_frames(const std::string& name) {
  std::ifstream in(fixture_path(name));
  std::vector<std::string> frames;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) frames.push_back(line);
  }
  return frames;
}

}  // namespace tickguard::feeds::binance::testing
