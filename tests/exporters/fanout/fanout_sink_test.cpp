// The fan-out sink forwards every report to each sink, in order.
#include "exporters/fanout/fanout_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tickguard::exporters {
namespace {

// Logs every call it receives as "<name>:<call>".
class LoggingSink final : public Sink {
 public:
  LoggingSink(std::string name, std::vector<std::string>& log) : name_(std::move(name)), log_(log) {}

  class Instrument final : public InstrumentSink {
   public:
    Instrument(LoggingSink& owner) : owner_(owner) {}
    ~Instrument() override { owner_.add("~instrument"); }
    void on_trade(const Trade& trade) override { owner_.add("trade " + std::to_string(trade.price)); }
    void on_ticker(const Ticker&) override { owner_.add("ticker"); }
    void on_score(std::size_t d, double s) override {
      owner_.add("score " + std::to_string(d) + std::to_string(s));
    }
    void on_ensemble(double) override { owner_.add("ensemble"); }
    void on_active(std::size_t, bool active) override { owner_.add(active ? "active" : "inactive"); }
    void on_anomaly(std::size_t, const AnomalyEvent& event) override {
      owner_.add("anomaly " + event.detector);
    }

   private:
    LoggingSink& owner_;
  };
  class Status final : public FeedStatusSink {
   public:
    Status(LoggingSink& owner) : owner_(owner) {}
    void on_message(Timestamp) override { owner_.add("message"); }
    void on_dropped() override { owner_.add("dropped"); }
    void on_sequence_gap() override { owner_.add("gap"); }
    void on_checksum_failure() override { owner_.add("checksum"); }
    void on_latency(double) override { owner_.add("latency"); }

   private:
    LoggingSink& owner_;
  };

  std::unique_ptr<InstrumentSink> subscribe_instrument(const tickguard::Instrument& instrument,
                                                       std::span<const std::string> detectors) override {
    add("subscribe " + instrument.symbol + " " + std::to_string(detectors.size()));
    return std::make_unique<Instrument>(*this);
  }
  std::unique_ptr<FeedStatusSink> subscribe_feed_status(const tickguard::Instrument&) override {
    return std::make_unique<Status>(*this);
  }
  void on_connection_state(std::string_view e, bool up) override {
    add("state " + std::string(e) + (up ? "+" : "-"));
  }
  void on_feed_reconnect(std::string_view) override { add("reconnect"); }
  void on_feed_error(std::string_view, std::string_view kind) override { add("error " + std::string(kind)); }
  void on_feed_dropped_message(std::string_view) override { add("dropped_message"); }
  void on_rest_request(std::string_view, std::string_view, std::string_view code) override {
    add("rest " + std::string(code));
  }
  void on_rate_limit_usage(std::string_view, double) override { add("rate_limit"); }
  void on_feed_anomaly(const AnomalyEvent&) override { add("feed_anomaly"); }
  void on_injected_anomaly(const InjectedAnomaly& a) override { add("injected " + a.kind); }

  void add(const std::string& call) { log_.push_back(name_ + ":" + call); }

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

TEST(FanoutSink, ForwardsEveryReportToEachSinkInOrder) {
  std::vector<std::string> log;
  LoggingSink a("a", log), b("b", log);
  FanoutSink fanout({&a, &b});
  const tickguard::Instrument btc{0, "simex", "BTC/USDT"};
  const std::vector<std::string> detectors = {"zscore", "cusum"};
  {
    auto instrument = fanout.subscribe_instrument(btc, detectors);
    auto status = fanout.subscribe_feed_status(btc);
    Trade trade;
    trade.price = 2;
    instrument->on_trade(trade);
    instrument->on_ticker(Ticker{});
    instrument->on_score(1, 0.5);
    instrument->on_ensemble(0.1);
    instrument->on_active(0, true);
    AnomalyEvent event;
    event.detector = "zscore";
    instrument->on_anomaly(0, event);
    status->on_message(Timestamp{});
    status->on_dropped();
    status->on_sequence_gap();
    status->on_checksum_failure();
    status->on_latency(0.1);
    fanout.on_connection_state("simex", false);
    fanout.on_feed_reconnect("simex");
    fanout.on_feed_error("simex", "parse");
    fanout.on_feed_dropped_message("simex");
    fanout.on_rest_request("simex", "depth", "200");
    fanout.on_rate_limit_usage("simex", 0.5);
    fanout.on_feed_anomaly(event);
    InjectedAnomaly injected;
    injected.kind = "price_spike";
    fanout.on_injected_anomaly(injected);
  }
  std::vector<std::string> expected;
  for (const char* call : {"subscribe BTC/USDT 2"}) {
    expected.push_back(std::string("a:") + call);
    expected.push_back(std::string("b:") + call);
  }
  for (const std::string call :
       {"trade 2.000000", "ticker", "score 10.500000", "ensemble", "active", "anomaly zscore", "message",
        "dropped", "gap", "checksum", "latency", "state simex-", "reconnect", "error parse",
        "dropped_message", "rest 200", "rate_limit", "feed_anomaly", "injected price_spike"}) {
    expected.push_back("a:" + call);
    expected.push_back("b:" + call);
  }
  expected.push_back("a:~instrument");  // the fan-out instrument sink owns both
  expected.push_back("b:~instrument");
  EXPECT_EQ(log, expected);
}

}  // namespace
}  // namespace tickguard::exporters
