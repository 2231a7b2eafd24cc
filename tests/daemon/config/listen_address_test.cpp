#include "config/listen_address.h"

#include <gtest/gtest.h>

#include <string>

namespace tickguard::config {
namespace {

struct ValidAddress {
  std::string text;
  std::string host;
  int port;
};

TEST(ParseListenAddress, AcceptsHostPortForms) {
  const ValidAddress cases[] = {
      {":9787", "", 9787},
      {"0.0.0.0:9787", "0.0.0.0", 9787},
      {"127.0.0.1:80", "127.0.0.1", 80},
      {"localhost:8080", "localhost", 8080},
      {"metrics-1.example.com:9787", "metrics-1.example.com", 9787},
      {"[::1]:9787", "::1", 9787},
      {"[::]:9787", "::", 9787},
      {"[fe80::1%eth0]:9787", "fe80::1%eth0", 9787},
      {"[::ffff:192.0.2.1]:443", "::ffff:192.0.2.1", 443},
      {":0", "", 0},  // the kernel picks a port
      {":65535", "", 65535},
      {":09787", "", 9787},
  };
  for (const ValidAddress& c : cases) {
    SCOPED_TRACE(c.text);
    const auto parsed = parse_listen_address(c.text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->host, c.host);
    EXPECT_EQ(parsed->port, c.port);
  }
}

TEST(ParseListenAddress, RejectsMalformedAddresses) {
  const std::string cases[] = {
      "",
      "9787",       // no colon
      "localhost",  // no port
      ":",          // empty port
      "localhost:",
      ":65536",  // port out of range
      ":99999999999",
      ":-1",
      ":+80",
      ":80a",
      ": 80",
      " :80",
      "host name:80",
      "::1:9787",  // IPv6 without brackets
      "[::1]",     // no port
      "[::1]9787",
      "[::1:9787",       // unclosed bracket
      "[]:9787",         // empty brackets
      "[127.0.0.1]:80",  // brackets are for IPv6 only
      "[::1]:",
      "host:80:90",
  };
  for (const std::string& text : cases) {
    EXPECT_FALSE(parse_listen_address(text).has_value()) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace tickguard::config
