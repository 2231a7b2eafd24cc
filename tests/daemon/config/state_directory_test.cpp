// Where the journal goes when [storage] path is not set.
#include "config/state_directory.h"

#include <gtest/gtest.h>

namespace tickguard::config {
namespace {

TEST(DefaultStateDirectory, SystemdStateDirectoryWinsAndOnlyItsFirstEntryIsUsed) {
  EXPECT_EQ(default_state_directory("/var/lib/tickguard", "/usr/bin/tickguard", "/"), "/var/lib/tickguard");
  EXPECT_EQ(default_state_directory("/var/lib/a:/var/lib/b", "/home/u/build/tickguard", "/home/u"),
            "/var/lib/a");
}

TEST(DefaultStateDirectory, InstalledBinaryUsesVarLib) {
  EXPECT_EQ(default_state_directory("", "/usr/bin/tickguard", "/root"), "/var/lib/tickguard");
  EXPECT_EQ(default_state_directory("", "/usr/local/bin/tickguard", "/root"), "/var/lib/tickguard");
}

TEST(DefaultStateDirectory, BinaryFromABuildTreeUsesDataInTheWorkingDirectory) {
  EXPECT_EQ(default_state_directory("", "/src/tickguard/build/release/tickguard", "/src/tickguard"),
            "/src/tickguard/data");
  // A path that only looks like /usr after normalization is still judged by where it points.
  EXPECT_EQ(default_state_directory("", "/usr/../src/tickguard", "/w"), "/w/data");
}

}  // namespace
}  // namespace tickguard::config
