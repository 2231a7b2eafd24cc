// RFC 3339 times ("2021-04-19T16:12:20.394617Z") to Timestamp, without allocation: the form venues
// send and the anomaly API accepts.
#pragma once

#include <optional>
#include <string_view>

#include "tickguard/clock.h"

namespace tickguard {

// "YYYY-MM-DDTHH:MM:SS", then 0–9 fractional digits (more are read and ignored), then "Z" or a
// numeric offset ("+02:30"). 't', 'z' and a space for 'T' are accepted too. Other forms, and
// impossible dates, yield nullopt.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

}  // namespace tickguard
