// The README shows the embedded default config in full; this keeps the copy honest.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/default_config.h"

namespace tickguard::config {
namespace {

TEST(Readme, QuotesTheEmbeddedDefaultConfigVerbatim) {
  std::ifstream in(std::string(TICKGUARD_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string readme = buffer.str();
  const std::string opening = "```toml\n# tickguard configuration.\n";
  const std::size_t start = readme.find(opening);
  ASSERT_NE(start, std::string::npos) << "README.md must quote the default config in a ```toml block";
  const std::size_t body = start + std::string("```toml\n").size();
  const std::size_t end = readme.find("```\n", body);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(readme.substr(body, end - body), std::string(default_config_toml()))
      << "update README.md from daemon/config/default_config.cpp";
}

}  // namespace
}  // namespace tickguard::config
