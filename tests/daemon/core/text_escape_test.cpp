// JSON string and HTML escaping shared by the logs, event files, the API and the HTML pages.
#include "core/text_escape.h"

#include <gtest/gtest.h>

namespace tickguard {
namespace {

TEST(AppendJsonString, EscapesQuotesBackslashesAndControlCharactersOnly) {
  std::string out = "x=";
  append_json_string(out, "a\"b\\c\nd\re\tf\x01g\x1f h\xc3\xa9");
  EXPECT_EQ(out, "x=\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001f h\xc3\xa9\"");
  out.clear();
  append_json_string(out, "");
  EXPECT_EQ(out, "\"\"");
}

TEST(EscapeHtml, ReplacesTheFourSpecialCharacters) {
  EXPECT_EQ(escape_html("<b class=\"x\">Tom & Jerry</b>"),
            "&lt;b class=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/b&gt;");
  EXPECT_EQ(escape_html("plain 'text'"), "plain 'text'");
}

}  // namespace
}  // namespace tickguard
