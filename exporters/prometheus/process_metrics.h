// Standard process_* metrics (the names every Prometheus client library exports), read from /proc
// at scrape time. Parsing is separate from reading so it is tested on fixture text.
#pragma once

#include <prometheus/metric_family.h>

#include <optional>
#include <string_view>
#include <vector>

namespace tickguard::exporters {

struct ProcessStats {
  double cpu_seconds = 0;         // user + system
  double start_time_seconds = 0;  // Unix time
  double virtual_memory_bytes = 0;
  double resident_memory_bytes = 0;
};

// Parses /proc/self/stat. `boot_time_seconds` is the btime line of /proc/stat.
std::optional<ProcessStats> parse_proc_self_stat(std::string_view stat, double ticks_per_second,
                                                 double page_size, double boot_time_seconds);
// The btime value of /proc/stat.
std::optional<double> parse_boot_time(std::string_view proc_stat);
// The soft "Max open files" limit from /proc/self/limits.
std::optional<double> parse_max_open_files(std::string_view limits);

// Reads /proc and returns the process_* families; families that cannot be read are left out.
std::vector<prometheus::MetricFamily> collect_process_metrics();

}  // namespace tickguard::exporters
