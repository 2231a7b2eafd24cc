#include "config/listen_address.h"

#include <algorithm>
#include <charconv>

namespace tickguard::config {
namespace {

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_host_name_char(char c) { return is_alnum(c) || c == '.' || c == '-' || c == '_'; }

// Hex groups, ':' separators, an embedded IPv4 tail and a "%zone" suffix.
bool is_ipv6_char(char c) { return is_alnum(c) || c == ':' || c == '.' || c == '%' || c == '-' || c == '_'; }

std::optional<int> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (port < 0 || port > 65535) return std::nullopt;
  return port;
}

}  // namespace

std::optional<HostPort> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.starts_with(':')) return std::nullopt;
    port = rest.substr(1);
    if (host.find(':') == std::string_view::npos) return std::nullopt;
    if (!std::all_of(host.begin(), host.end(), is_ipv6_char)) return std::nullopt;
  } else {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (!std::all_of(host.begin(), host.end(), is_host_name_char)) return std::nullopt;
  }
  const std::optional<int> port_number = parse_port(port);
  if (!port_number) return std::nullopt;
  return HostPort{std::string(host), *port_number};
}

}  // namespace tickguard::config
