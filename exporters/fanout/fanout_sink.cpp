#include "exporters/fanout/fanout_sink.h"

#include <utility>

namespace tickguard::exporters {
namespace {

class FanoutInstrumentSink final : public InstrumentSink {
 public:
  explicit FanoutInstrumentSink(std::vector<std::unique_ptr<InstrumentSink>> sinks)
      : sinks_(std::move(sinks)) {}
  void on_trade(const Trade& trade) override {
    for (auto& sink : sinks_) sink->on_trade(trade);
  }
  void on_ticker(const Ticker& ticker) override {
    for (auto& sink : sinks_) sink->on_ticker(ticker);
  }
  void on_score(std::size_t detector, double score) override {
    for (auto& sink : sinks_) sink->on_score(detector, score);
  }
  void on_ensemble(double score) override {
    for (auto& sink : sinks_) sink->on_ensemble(score);
  }
  void on_active(std::size_t detector, bool active) override {
    for (auto& sink : sinks_) sink->on_active(detector, active);
  }
  void on_anomaly(std::size_t detector, const AnomalyEvent& event) override {
    for (auto& sink : sinks_) sink->on_anomaly(detector, event);
  }

 private:
  std::vector<std::unique_ptr<InstrumentSink>> sinks_;
};

class FanoutFeedStatusSink final : public FeedStatusSink {
 public:
  explicit FanoutFeedStatusSink(std::vector<std::unique_ptr<FeedStatusSink>> sinks)
      : sinks_(std::move(sinks)) {}
  void on_message(Timestamp receive_time) override {
    for (auto& sink : sinks_) sink->on_message(receive_time);
  }
  void on_dropped() override {
    for (auto& sink : sinks_) sink->on_dropped();
  }
  void on_sequence_gap() override {
    for (auto& sink : sinks_) sink->on_sequence_gap();
  }
  void on_checksum_failure() override {
    for (auto& sink : sinks_) sink->on_checksum_failure();
  }
  void on_latency(double seconds) override {
    for (auto& sink : sinks_) sink->on_latency(seconds);
  }

 private:
  std::vector<std::unique_ptr<FeedStatusSink>> sinks_;
};

}  // namespace

FanoutSink::FanoutSink(std::vector<Sink*> sinks) : sinks_(std::move(sinks)) {}

std::unique_ptr<InstrumentSink> FanoutSink::subscribe_instrument(const Instrument& instrument,
                                                                 std::span<const std::string> detectors) {
  std::vector<std::unique_ptr<InstrumentSink>> subscribed;
  subscribed.reserve(sinks_.size());
  for (Sink* sink : sinks_) subscribed.push_back(sink->subscribe_instrument(instrument, detectors));
  return std::make_unique<FanoutInstrumentSink>(std::move(subscribed));
}

std::unique_ptr<FeedStatusSink> FanoutSink::subscribe_feed_status(const Instrument& instrument) {
  std::vector<std::unique_ptr<FeedStatusSink>> subscribed;
  subscribed.reserve(sinks_.size());
  for (Sink* sink : sinks_) subscribed.push_back(sink->subscribe_feed_status(instrument));
  return std::make_unique<FanoutFeedStatusSink>(std::move(subscribed));
}

void FanoutSink::on_connection_state(std::string_view exchange, bool up) {
  for (Sink* sink : sinks_) sink->on_connection_state(exchange, up);
}
void FanoutSink::on_feed_reconnect(std::string_view exchange) {
  for (Sink* sink : sinks_) sink->on_feed_reconnect(exchange);
}
void FanoutSink::on_feed_error(std::string_view exchange, std::string_view kind) {
  for (Sink* sink : sinks_) sink->on_feed_error(exchange, kind);
}
void FanoutSink::on_feed_dropped_message(std::string_view exchange) {
  for (Sink* sink : sinks_) sink->on_feed_dropped_message(exchange);
}
void FanoutSink::on_rest_request(std::string_view exchange, std::string_view endpoint,
                                 std::string_view code) {
  for (Sink* sink : sinks_) sink->on_rest_request(exchange, endpoint, code);
}
void FanoutSink::on_rate_limit_usage(std::string_view exchange, double ratio) {
  for (Sink* sink : sinks_) sink->on_rate_limit_usage(exchange, ratio);
}
void FanoutSink::on_feed_anomaly(const AnomalyEvent& event) {
  for (Sink* sink : sinks_) sink->on_feed_anomaly(event);
}
void FanoutSink::on_injected_anomaly(const InjectedAnomaly& anomaly) {
  for (Sink* sink : sinks_) sink->on_injected_anomaly(anomaly);
}

}  // namespace tickguard::exporters
