#include "exporters/prometheus/process_metrics.h"

#include <gtest/gtest.h>

namespace tickguard::exporters {
namespace {

// A real /proc/self/stat line, with a command name containing a space and a parenthesis.
constexpr std::string_view kStat =
    "4242 (tick guard) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 5 0 1000 104857600 2560 "
    "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetrics, ParsesCpuMemoryAndStartTimeFromProcStat) {
  const auto stats = parse_proc_self_stat(kStat, 100, 4096, 1700000000);
  ASSERT_TRUE(stats);
  EXPECT_DOUBLE_EQ(stats->cpu_seconds, 3.0);                  // (250 + 50) / 100
  EXPECT_DOUBLE_EQ(stats->start_time_seconds, 1700000010.0);  // btime + 1000 / 100
  EXPECT_DOUBLE_EQ(stats->virtual_memory_bytes, 104857600.0);
  EXPECT_DOUBLE_EQ(stats->resident_memory_bytes, 2560.0 * 4096);
}

TEST(ProcessMetrics, RejectsTruncatedOrMalformedStat) {
  EXPECT_FALSE(parse_proc_self_stat("4242 (x) S 1 2 3", 100, 4096, 0));
  EXPECT_FALSE(parse_proc_self_stat("no parenthesis here", 100, 4096, 0));
  EXPECT_FALSE(parse_proc_self_stat(kStat, 0, 4096, 0));
}

TEST(ProcessMetrics, ParsesBootTimeAndOpenFileLimit) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1699999999\nprocesses 10\n"), 1699999999.0);
  EXPECT_FALSE(parse_boot_time("cpu 1\n"));
  EXPECT_EQ(
      parse_max_open_files("Limit                     Soft Limit           Hard Limit           Units\n"
                           "Max open files            1024                 524288               files\n"),
      1024.0);
  EXPECT_FALSE(parse_max_open_files("Max processes 10 10 processes\n"));
}

TEST(ProcessMetrics, CollectsFromThisProcess) {
  std::vector<std::string> names;
  for (const auto& family : collect_process_metrics()) {
    names.push_back(family.name);
    ASSERT_EQ(family.metric.size(), 1u);
  }
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_start_time_seconds", "process_open_fds", "process_max_fds"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

}  // namespace
}  // namespace tickguard::exporters
