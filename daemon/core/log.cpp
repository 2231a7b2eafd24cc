#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "core/text_escape.h"

namespace tickguard::log {
namespace {

struct State {
  std::mutex mutex;  // serializes output only; filtered lines never take it
  std::atomic<Level> min_level{Level::kInfo};
  std::atomic<Format> format{Format::kLogfmt};
  std::string* capture = nullptr;
};

State& state() {
  static State s;
  return s;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

bool needs_logfmt_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) >= 0x7f) return true;
  }
  return false;
}

void append_logfmt(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += '=';
  if (needs_logfmt_quotes(value)) {
    append_json_string(out, value);
  } else {
    out += value;
  }
}

void append_json(std::string& out, std::string_view key, std::string_view value, bool quoted) {
  out += out.size() > 1 ? "," : "";
  append_json_string(out, key);
  out += ':';
  if (quoted) {
    append_json_string(out, value);
  } else {
    out += value;
  }
}

std::string now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k), quoted(false) {
  if (std::isfinite(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    // Shortest form that round-trips is nicer to read; try fewer digits first.
    for (int precision = 6; precision < 17; ++precision) {
      char shorter[32];
      std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
      if (std::strtod(shorter, nullptr) == v) {
        value = shorter;
        return;
      }
    }
    value = buf;
  } else {
    value = std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
    quoted = true;  // JSON has no literal for these
  }
}

void configure(Level min_level, Format format) {
  state().min_level.store(min_level);
  state().format.store(format);
}

void set_output_for_testing(std::string* buffer) {
  std::lock_guard lock(state().mutex);
  state().capture = buffer;
}

std::string format_line(Format format, std::string_view timestamp, Level level, std::string_view message,
                        std::initializer_list<Field> fields) {
  std::string out;
  out.reserve(128);
  if (format == Format::kJson) {
    out += '{';
    append_json(out, "ts", timestamp, true);
    append_json(out, "level", level_name(level), true);
    append_json(out, "msg", message, true);
    for (const auto& f : fields) append_json(out, f.key, f.value, f.quoted);
    out += '}';
  } else {
    append_logfmt(out, "ts", timestamp);
    append_logfmt(out, "level", level_name(level));
    append_logfmt(out, "msg", message);
    for (const auto& f : fields) append_logfmt(out, f.key, f.value);
  }
  out += '\n';
  return out;
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  auto& s = state();
  if (level < s.min_level.load(std::memory_order_relaxed)) return;
  const std::string line = format_line(s.format.load(), now_rfc3339(), level, message, fields);
  std::lock_guard lock(s.mutex);
  if (s.capture != nullptr) {
    *s.capture += line;
  } else {
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace tickguard::log
