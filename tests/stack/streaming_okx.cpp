#include "streaming_okx.h"

#include <chrono>
#include <cmath>
#include <random>
#include <regex>
#include <thread>

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kCorruptedUpdate = 3;  // 0-based BTC-USDT books update whose checksum is spoiled

std::string now_ms() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

std::string price_text(double price) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", price);
  return buffer;
}

// A recorded frame restamped with the current time, so that latency is measured against now.
std::string restamped(const std::string& frame) {
  static const std::regex ts(R"("ts":"\d+")");
  return std::regex_replace(frame, ts, "\"ts\":\"" + now_ms() + "\"");
}

}  // namespace

StreamingOkx::StreamingOkx() : ws_([this](MockConnection& c) { session(c); }) {
  const std::string instruments = fixture_lines("okx", "rest_instruments.jsonl").at(0);
  rest_.server().Get(
      "/api/v5/public/instruments", [this, instruments](const httplib::Request&, httplib::Response& res) {
        if (instrument_requests_++ == 0) {  // the venue is briefly unavailable
          res.status = 503;
          res.set_content(R"({"code":"50001","msg":"Service temporarily unavailable"})", "application/json");
          return;
        }
        res.set_content(instruments, "application/json");
      });
  rest_.start();
}

std::string StreamingOkx::feed_config() const {
  return "[[feed]]\nexchange = \"okx\"\nsymbols = [\"BTC/USDT\"]\nrest_url = \"" + rest_url() +
         "\"\nws_url = \"" + ws_url() + "\"\n";
}

void StreamingOkx::session(MockConnection& c) {
  std::string message;
  if (!c.read(message)) return;  // the subscribe request
  std::string snapshot;
  int updates = 0;
  bool corrupted = false;
  for (std::string line : fixture_lines("okx", "ws_books.jsonl")) {
    if (line.find(R"("instId":"BTC-USDT")") == std::string::npos) continue;
    if (line.find(R"("action":"snapshot")") != std::string::npos) snapshot = line;
    if (line.find(R"("action":"update")") != std::string::npos && updates++ == kCorruptedUpdate &&
        c.index() == 0) {
      line = std::regex_replace(line, std::regex(R"("checksum":-?\d+)"), R"("checksum":12345)");
      corrupted = true;
    }
    if (!c.write(restamped(line))) return;
  }
  // The spoiled book is resubscribed: answer with a fresh snapshot, as the venue does.
  while (corrupted && c.read(message)) {
    if (message == "ping") c.write("pong");
    if (message.find(R"("op":"subscribe")") != std::string::npos &&
        message.find(R"("channel":"books")") != std::string::npos) {
      c.write(restamped(snapshot));
      break;
    }
  }
  // Then a live market: a trade every 100 ms and a ticker every 500 ms, on a gentle random walk.
  std::mt19937 random(7);
  std::normal_distribution<double> step(0, 0.0002);
  std::uniform_real_distribution<double> size(0.001, 0.05);
  double price = 30236;
  for (long trade_id = 338480000; !c.stopping(); ++trade_id) {
    price *= std::exp(step(random));
    const std::string ts = now_ms();
    const std::string trade =
        R"({"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT",)"
        R"("tradeId":")" +
        std::to_string(trade_id) + R"(","px":")" + price_text(price) + R"(","sz":")" +
        std::to_string(size(random)) + R"(","side":")" + (trade_id % 2 ? "buy" : "sell") + R"(","ts":")" +
        ts + R"("}]})";
    if (!c.write(trade)) return;
    if (trade_id % 5 == 0) {
      const std::string ticker =
          R"({"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instType":"SPOT","instId":"BTC-USDT",)"
          R"("last":")" +
          price_text(price) + R"(","lastSz":"0.01","askPx":")" + price_text(price + 0.5) +
          R"(","askSz":"1.2","bidPx":")" + price_text(price - 0.5) + R"(","bidSz":"0.8","ts":")" + ts +
          R"("}]})";
      if (!c.write(ticker)) return;
    }
    std::this_thread::sleep_for(100ms);
  }
}

}  // namespace tickguard::testing
