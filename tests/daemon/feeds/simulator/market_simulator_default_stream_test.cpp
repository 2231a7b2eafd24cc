// The default random stream is frozen: the default config, the README examples and other tests rely
// on it. New anomaly kinds are opt-in and draw from their own generator, so the stream of a
// simulator without MarketSimulatorOptions::kinds must stay bit for bit what it was before they were
// added. If a deliberate change to the microstructure breaks this, update the fingerprints and say
// so in the change log.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "feeds/simulator/market_simulator.h"

namespace tickguard::simulator {
namespace {

using namespace std::chrono_literals;

const Timestamp kStart = std::chrono::sys_days{std::chrono::year{2024} / 3 / 1};

// FNV-1a over every field of every event and label, bit-exact for doubles.
class FingerprintListener final : public SimulationListener {
 public:
  void on_event(const MarketEvent& event) override {
    std::visit(
        [&](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          mix(e.instrument);
          if constexpr (!std::is_same_v<T, Candle>) mix(e.exchange_time.time_since_epoch().count());
          if constexpr (std::is_same_v<T, Trade>) {
            mix(e.price), mix(e.quantity), mix(static_cast<int>(e.side)), mix(e.trade_id);
          } else if constexpr (std::is_same_v<T, Ticker>) {
            mix(e.bid_price), mix(e.bid_size), mix(e.ask_price), mix(e.ask_size);
          } else if constexpr (std::is_same_v<T, BookSnapshot>) {
            mix(e.sequence);
            for (int i = 0; i < e.bid_count; ++i) mix(e.bids[i].price), mix(e.bids[i].size);
            for (int i = 0; i < e.ask_count; ++i) mix(e.asks[i].price), mix(e.asks[i].size);
          }
        },
        event);
    ++events;
  }
  void on_injected(const InjectedAnomaly& a) override {
    for (const std::string* text : {&a.exchange, &a.symbol, &a.kind}) {
      for (const char c : *text) mix(c);
    }
    mix(a.start.time_since_epoch().count());
    mix(a.end.time_since_epoch().count());
    ++injections;
  }

  std::uint64_t hash = 0xCBF29CE484222325ULL;
  std::uint64_t events = 0;
  int injections = 0;

 private:
  template <typename T>
  void mix(const T& value) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    for (const unsigned char b : bytes) {
      hash ^= b;
      hash *= 0x100000001B3ULL;
    }
  }
};

FingerprintListener run(std::uint64_t seed, Duration interval, Duration length) {
  MarketSimulatorOptions options;
  options.seed = seed;
  options.anomaly_interval = interval;
  options.start_time = kStart;
  std::vector<Instrument> instruments;
  for (const char* venue : {"simex", "mockex"}) {
    for (const char* symbol : {"BTC/USDT", "ETH/USDT", "SOL/USDT"}) {
      instruments.push_back({static_cast<InstrumentId>(instruments.size()), venue, symbol});
    }
  }
  MarketSimulator simulator(options, instruments);
  FingerprintListener listener;
  simulator.advance_to(kStart + length, listener);
  return listener;
}

TEST(MarketSimulatorDefaultStream, IsUnchangedByTheOptInKinds) {
  // Fingerprints recorded before the opt-in kinds existed (GCC 12, x86-64, Debian 12).
  const FingerprintListener frequent = run(7, 20s, 30min);
  EXPECT_EQ(frequent.injections, 97);
  EXPECT_EQ(frequent.events, 176991u);
  EXPECT_EQ(frequent.hash, 4375454927038033481u);
  const FingerprintListener default_rate = run(1, 60s, 1h);
  EXPECT_EQ(default_rate.injections, 150);
  EXPECT_EQ(default_rate.events, 342273u);
  EXPECT_EQ(default_rate.hash, 18429955192984036361u);
}

}  // namespace
}  // namespace tickguard::simulator
