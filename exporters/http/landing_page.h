// The landing page on /: live state for a person. Plain HTML and JavaScript, no external assets:
// the symbols' latest prices and scores (polled from /api/v1/symbols) and the recent anomalies
// (from /api/v1/anomalies, then live from the /api/v1/stream event stream).
#pragma once

#include <string>

namespace tickguard::exporters {

std::string landing_page(const std::string& version);

}  // namespace tickguard::exporters
