// FanoutSink: one Sink that forwards every report to several sinks, in order (the Prometheus
// metrics, the anomaly journal). The per-event cost is one virtual call per sink.
#pragma once

#include <memory>
#include <vector>

#include "tickguard/sink.h"

namespace tickguard::exporters {

class FanoutSink final : public Sink {
 public:
  // The sinks must outlive this one and every instrument or feed status sink it hands out.
  explicit FanoutSink(std::vector<Sink*> sinks);

  std::unique_ptr<InstrumentSink> subscribe_instrument(const Instrument& instrument,
                                                       std::span<const std::string> detectors) override;
  std::unique_ptr<FeedStatusSink> subscribe_feed_status(const Instrument& instrument) override;
  void on_connection_state(std::string_view exchange, bool up) override;
  void on_feed_reconnect(std::string_view exchange) override;
  void on_feed_error(std::string_view exchange, std::string_view kind) override;
  void on_feed_dropped_message(std::string_view exchange) override;
  void on_rest_request(std::string_view exchange, std::string_view endpoint, std::string_view code) override;
  void on_rate_limit_usage(std::string_view exchange, double ratio) override;
  void on_feed_anomaly(const AnomalyEvent& event) override;
  void on_injected_anomaly(const InjectedAnomaly& anomaly) override;

 private:
  std::vector<Sink*> sinks_;
};

}  // namespace tickguard::exporters
