// A mock OKX on 127.0.0.1 that keeps streaming, for the stack tests: the REST instrument list
// (failing once with 503 first, so that the error and REST series exist), then per WebSocket
// connection the recorded BTC-USDT books (one update with a corrupted checksum: a checksum failure
// and a resync) followed by synthetic trades and tickers stamped with the current time, until the
// connection or the mock ends. Real venues need a real network; this gives the dashboards' REST,
// rate-limit, error, checksum and latency series real values.
#pragma once

#include <string>

#include "mock_venue.h"

namespace tickguard::testing {

class StreamingOkx {
 public:
  StreamingOkx();
  StreamingOkx(const StreamingOkx&) = delete;
  StreamingOkx& operator=(const StreamingOkx&) = delete;

  std::string rest_url() const { return rest_.url(); }
  std::string ws_url() const { return ws_.url("/ws/v5/public"); }
  // A [[feed]] table for this venue watching BTC/USDT.
  std::string feed_config() const;

 private:
  void session(MockConnection& connection);

  MockRest rest_;
  MockWebSocket ws_;
  std::atomic<int> instrument_requests_{0};
};

}  // namespace tickguard::testing
