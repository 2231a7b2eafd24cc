// The HOST:PORT syntax of [server] listen_address.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tickguard::config {

struct HostPort {
  std::string host;  // empty means all interfaces; an IPv6 address without its brackets
  int port = 0;
};

// Accepts "HOST:PORT", ":PORT" and "[IPV6]:PORT" with PORT a decimal number in 0..65535 (0 lets
// the kernel pick). HOST is a name or IPv4 address of [A-Za-z0-9._-]; an IPv6 address must be
// bracketed. Returns nullopt for anything else, e.g. a missing port or an unbracketed "::1:80".
std::optional<HostPort> parse_listen_address(std::string_view text);

}  // namespace tickguard::config
