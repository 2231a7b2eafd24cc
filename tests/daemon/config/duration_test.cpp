#include "config/duration.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

namespace tickguard::config {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

struct ValidDuration {
  std::string text;
  nanoseconds expected;
};

TEST(ParseDuration, AcceptsUnitGroupsLargestFirst) {
  const ValidDuration cases[] = {
      {"0s", nanoseconds(0)},
      {"0ms", nanoseconds(0)},
      {"250ms", milliseconds(250)},
      {"10s", seconds(10)},
      {"90s", seconds(90)},
      {"5m", minutes(5)},
      {"1h", hours(1)},
      {"1h30m", hours(1) + minutes(30)},
      {"2d", days(2)},
      {"1w", days(7)},
      {"1w2d3h4m5s6ms", days(9) + hours(3) + minutes(4) + seconds(5) + milliseconds(6)},
      {"1m500ms", minutes(1) + milliseconds(500)},
      {"007s", seconds(7)},
      {"1000ms", seconds(1)},
      {"106751d", days(106751)},  // the largest whole number of days that fits in int64 nanoseconds
  };
  for (const ValidDuration& c : cases) {
    SCOPED_TRACE(c.text);
    const auto parsed = parse_duration(c.text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, c.expected);
  }
}

TEST(ParseDuration, RejectsMalformedText) {
  const std::string cases[] = {
      "",
      "10",    // no unit
      "s",     // no number
      "-5s",   // negative
      "+5s",   // sign
      "1.5s",  // fractional
      ".5s",
      "5 m",  // whitespace
      " 5m",     "5m ",
      "10x",  // unknown unit
      "5M",   // units are lower case
      "1y",   // years are not supported
      "1us",  // below milliseconds
      "1ns",     "5mss",
      "1m1h",  // out of order
      "1ms1s",
      "1s1s",  // repeated
      "1h1h30m",
      "1h30",  // trailing number
      "h1",
  };
  for (const std::string& text : cases) {
    EXPECT_FALSE(parse_duration(text).has_value()) << '"' << text << '"';
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_FALSE(parse_duration("106752d").has_value());                // one group too large
  EXPECT_FALSE(parse_duration("106751d24h").has_value());             // the sum too large
  EXPECT_FALSE(parse_duration("9223372036854775808ms").has_value());  // the number itself too large
  EXPECT_FALSE(parse_duration("99999999999999999999999s").has_value());
  EXPECT_TRUE(parse_duration("106751d23h").has_value());
}

TEST(FormatDuration, WritesLargestUnitsFirst) {
  const std::pair<nanoseconds, std::string> cases[] = {
      {nanoseconds(0), "0s"},
      {milliseconds(250), "250ms"},
      {seconds(10), "10s"},
      {seconds(90), "1m30s"},
      {hours(1) + minutes(30), "1h30m"},
      {days(2), "2d"},
      {days(14), "2w"},
      {days(8) + milliseconds(1), "1w1d1ms"},
      {seconds(-90), "-1m30s"},
      {microseconds(1500), "1ms500us"},
      {nanoseconds(1), "1ns"},
  };
  for (const auto& [duration, expected] : cases) {
    EXPECT_EQ(format_duration(duration), expected);
  }
}

TEST(FormatDuration, HandlesTheExtremes) {
  EXPECT_EQ(format_duration(nanoseconds(std::numeric_limits<nanoseconds::rep>::max())),
            "15250w1d23h47m16s854ms775us807ns");
  EXPECT_EQ(format_duration(nanoseconds(std::numeric_limits<nanoseconds::rep>::min())),
            "-15250w1d23h47m16s854ms775us808ns");
}

TEST(FormatDuration, IsTheInverseOfParseDuration) {
  for (const char* text : {"0s", "250ms", "10s", "1m30s", "1h30m", "2d", "3w", "1w2d3h4m5s6ms", "15250w1d"}) {
    const auto parsed = parse_duration(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(format_duration(*parsed), text);
    EXPECT_EQ(parse_duration(format_duration(*parsed)), parsed);
  }
}

}  // namespace
}  // namespace tickguard::config
