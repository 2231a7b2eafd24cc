// Structured logging to stderr (journald collects it): logfmt by default, JSON on request.
// Not for hot paths: each line takes a mutex and formats strings.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace tickguard::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kLogfmt, kJson };

// Sets the minimum level and the output format for all later lines. Thread-safe.
void configure(Level min_level, Format format);
// Redirects output (tests); nullptr restores stderr. The stream must outlive its use.
void set_output_for_testing(std::string* buffer);

// One key=value pair. Values are rendered as given; numbers are formatted without loss.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
  Field(std::string_view k, double v);
  Field(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  std::string_view key;
  std::string value;
  bool quoted;  // a string (JSON quotes it); numbers and booleans are bare
};

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});
inline void debug(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::kDebug, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::kInfo, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::kWarn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::kError, m, f); }

// Renders one line without writing it (exposed for tests). `timestamp` is RFC 3339 UTC.
std::string format_line(Format format, std::string_view timestamp, Level level, std::string_view message,
                        std::initializer_list<Field> fields);

}  // namespace tickguard::log
