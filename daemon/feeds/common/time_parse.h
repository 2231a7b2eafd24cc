// Exchange timestamps to Timestamp, without allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "tickguard/clock.h"

namespace tickguard::feeds {

// RFC 3339 / ISO 8601 UTC times as venues send them: "2021-04-19T16:12:20.394617Z", with 0–9
// fractional digits, "Z" or a numeric offset ("+00:00"). Other forms yield nullopt.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// Unix epoch integers.
inline Timestamp from_unix_millis(std::int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }
inline Timestamp from_unix_micros(std::int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

}  // namespace tickguard::feeds
