// Exchange timestamps to Timestamp, without allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/rfc3339.h"
#include "tickguard/clock.h"

namespace tickguard::feeds {

// RFC 3339 / ISO 8601 times as venues send them: "2021-04-19T16:12:20.394617Z" (core/rfc3339.h).
using ::tickguard::parse_rfc3339;

// Unix epoch integers.
inline Timestamp from_unix_millis(std::int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }
inline Timestamp from_unix_micros(std::int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

}  // namespace tickguard::feeds
