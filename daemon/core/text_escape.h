// Escaping text for the formats tickguard writes by hand: JSON strings (logs, event files, the API)
// and HTML (the landing page, the replay report).
#pragma once

#include <string>
#include <string_view>

namespace tickguard {

// Appends `text` as a double-quoted JSON string (RFC 8259): quote, backslash, \n, \r, \t and the
// other control characters (\u00XX) escaped; other bytes, UTF-8 included, copied as they are. Also
// valid as a logfmt quoted value.
void append_json_string(std::string& out, std::string_view text);

// `text` with &, <, > and " replaced by entities: safe in HTML text and double-quoted attributes.
std::string escape_html(std::string_view text);

}  // namespace tickguard
