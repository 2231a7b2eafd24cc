// Prometheus-style durations ("250ms", "10s", "1h30m", "2w") for config values and for display.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tickguard::config {

// Parses one or more <integer><unit> groups, units w d h m s ms, each at most once and largest
// first ("1h30m", not "30m1h"). Returns nullopt for empty text, signs, fractions, whitespace,
// unknown or repeated units, and totals that do not fit in std::chrono::nanoseconds.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// The shortest text parse_duration reads back as `d`: 90s -> "1m30s", 250ms -> "250ms", 0 -> "0s".
// Negative durations get a leading '-'. Sub-millisecond remainders, which no config value can
// hold, are shown as "us"/"ns" groups for display only; parse_duration rejects those.
std::string format_duration(std::chrono::nanoseconds d);

// Prometheus-style byte sizes ("512MB", "1GB", "0"): a whole number and one unit B, KB, MB, GB, TB
// (powers of 1024); a bare "0" is zero. nullopt for anything else or on overflow.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace tickguard::config
