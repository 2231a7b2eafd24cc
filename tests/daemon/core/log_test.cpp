#include "core/log.h"

#include <gtest/gtest.h>

namespace tickguard::log {
namespace {

TEST(Log, LogfmtQuotesOnlyWhenNeeded) {
  const std::string line = format_line(Format::kLogfmt, "2026-01-01T00:00:00.000Z", Level::kInfo, "feed up",
                                       {{"exchange", "simex"}, {"count", 3}, {"err", "a \"b\"=c"}});
  EXPECT_EQ(line,
            "ts=2026-01-01T00:00:00.000Z level=info msg=\"feed up\" exchange=simex count=3 err=\"a "
            "\\\"b\\\"=c\"\n");
}

TEST(Log, JsonEscapesAndKeepsNumbersBare) {
  const std::string line = format_line(Format::kJson, "T", Level::kError, "bad\nthing",
                                       {{"ratio", 0.25}, {"ok", false}, {"path", "C:\\x"}});
  EXPECT_EQ(line,
            "{\"ts\":\"T\",\"level\":\"error\",\"msg\":\"bad\\nthing\",\"ratio\":0.25,\"ok\":false,"
            "\"path\":\"C:\\\\x\"}\n");
}

TEST(Log, NonFiniteNumbersAreQuotedInJson) {
  const std::string line =
      format_line(Format::kJson, "T", Level::kWarn, "m", {{"v", std::numeric_limits<double>::quiet_NaN()}});
  EXPECT_NE(line.find("\"v\":\"NaN\""), std::string::npos) << line;
}

TEST(Log, FiltersBelowConfiguredLevel) {
  std::string captured;
  set_output_for_testing(&captured);
  configure(Level::kWarn, Format::kLogfmt);
  info("hidden");
  warn("shown", {{"k", "v"}});
  set_output_for_testing(nullptr);
  configure(Level::kInfo, Format::kLogfmt);
  EXPECT_EQ(captured.find("hidden"), std::string::npos);
  EXPECT_NE(captured.find("level=warn msg=shown k=v"), std::string::npos) << captured;
}

}  // namespace
}  // namespace tickguard::log
