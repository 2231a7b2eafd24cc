#include "exporters/prometheus/process_metrics.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tickguard::exporters {
namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::optional<double> to_number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return prometheus::MetricFamily{name, help, type, {metric}};
}

}  // namespace

std::optional<ProcessStats> parse_proc_self_stat(std::string_view stat, double ticks_per_second,
                                                 double page_size, double boot_time_seconds) {
  // The command name (field 2) is in parentheses and may contain spaces: fields resume after ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::size_t pos = close + 1;
  while (pos < stat.size()) {
    while (pos < stat.size() && stat[pos] == ' ') ++pos;
    const std::size_t end = stat.find_first_of(" \n", pos);
    if (pos < stat.size()) fields.push_back(stat.substr(pos, end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  // Field numbers (1-based, proc(5)): utime 14, stime 15, starttime 22, vsize 23, rss 24.
  auto field = [&](std::size_t number) -> std::optional<double> {
    if (number < 3 || number - 3 >= fields.size()) return std::nullopt;
    return to_number(fields[number - 3]);
  };
  const auto utime = field(14), stime = field(15), start = field(22), vsize = field(23), rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  ProcessStats stats;
  stats.cpu_seconds = (*utime + *stime) / ticks_per_second;
  stats.start_time_seconds = boot_time_seconds + *start / ticks_per_second;
  stats.virtual_memory_bytes = *vsize;
  stats.resident_memory_bytes = *rss * page_size;
  return stats;
}

std::optional<double> parse_boot_time(std::string_view proc_stat) {
  const std::size_t at = proc_stat.find("\nbtime ");
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t begin = at + 7;
  return to_number(proc_stat.substr(begin, proc_stat.find('\n', begin) - begin));
}

std::optional<double> parse_max_open_files(std::string_view limits) {
  const std::size_t at = limits.find("Max open files");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t pos = at + std::string_view("Max open files").size();
  while (pos < limits.size() && limits[pos] == ' ') ++pos;
  const std::size_t end = limits.find(' ', pos);
  return to_number(limits.substr(pos, end - pos));
}

std::vector<prometheus::MetricFamily> collect_process_metrics() {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const auto boot = parse_boot_time(read_file("/proc/stat"));
  const auto stats =
      parse_proc_self_stat(read_file("/proc/self/stat"), static_cast<double>(sysconf(_SC_CLK_TCK)),
                           static_cast<double>(sysconf(_SC_PAGESIZE)), boot.value_or(0));
  if (stats) {
    out.push_back(family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                         MetricType::Counter, stats->cpu_seconds));
    out.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
                         stats->resident_memory_bytes));
    out.push_back(family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
                         stats->virtual_memory_bytes));
    if (boot) {
      out.push_back(family("process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
                           stats->start_time_seconds));
    }
  }
  std::error_code ec;
  double open_fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++open_fds;
  }
  if (!ec)
    out.push_back(
        family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, open_fds));
  if (const auto max_fds = parse_max_open_files(read_file("/proc/self/limits"))) {
    out.push_back(
        family("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge, *max_fds));
  }
  return out;
}

}  // namespace tickguard::exporters
