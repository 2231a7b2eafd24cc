// Reading one detector parameter from validated ParamValues, keeping the default when it is missing.
// The config loader checks declared ranges; these only keep an out-of-range value from being UB.
#pragma once

#include <cstddef>
#include <string_view>

#include "tickguard/clock.h"
#include "tickguard/detector.h"

namespace tickguard {

// An integer count, at least 1.
std::size_t count_param(const ParamValues& params, std::string_view name, std::size_t fallback);
// A duration given in seconds, rounded to nanoseconds.
Duration duration_param(const ParamValues& params, std::string_view name, Duration fallback);
// A plain number.
double number_param(const ParamValues& params, std::string_view name, double fallback);

}  // namespace tickguard
