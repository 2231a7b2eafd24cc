#include "core/pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/asset_group.h"

namespace tickguard {
namespace {

// Records everything the pipeline reports. Thread-safe: the shard thread writes, the test reads.
class RecordingSink final : public Sink {
 public:
  struct Record {
    std::mutex mutex;
    std::vector<double> trade_prices;
    std::vector<std::pair<std::size_t, double>> scores;
    std::vector<std::pair<std::size_t, bool>> active;
    std::vector<AnomalyEvent> anomalies;
    int messages = 0;
    int dropped = 0;
    int gaps = 0;
    int checksum_failures = 0;
    std::vector<double> latencies;
    std::vector<double> ensembles;
  };

  std::unique_ptr<InstrumentSink> subscribe_instrument(const Instrument& instrument,
                                                       std::span<const std::string> detectors) override {
    subscribed_detectors.assign(detectors.begin(), detectors.end());
    return std::make_unique<Instr>(record(instrument.id));
  }
  std::unique_ptr<FeedStatusSink> subscribe_feed_status(const Instrument& instrument) override {
    return std::make_unique<Status>(record(instrument.id));
  }
  void on_connection_state(std::string_view exchange, bool up) override {
    std::lock_guard lock(mutex);
    connections.emplace_back(std::string(exchange), up);
  }
  void on_injected_anomaly(const InjectedAnomaly&) override {}
  void on_feed_reconnect(std::string_view exchange) override {
    std::lock_guard lock(mutex);
    reconnects.emplace_back(exchange);
  }
  void on_feed_error(std::string_view exchange, std::string_view kind) override {
    std::lock_guard lock(mutex);
    errors.emplace_back(std::string(exchange) + ":" + std::string(kind));
  }
  void on_feed_dropped_message(std::string_view exchange) override {
    std::lock_guard lock(mutex);
    dropped_messages.emplace_back(exchange);
  }
  void on_rest_request(std::string_view exchange, std::string_view endpoint, std::string_view code) override {
    std::lock_guard lock(mutex);
    rest_requests.push_back(std::string(exchange) + ":" + std::string(endpoint) + ":" + std::string(code));
  }
  void on_rate_limit_usage(std::string_view exchange, double ratio) override {
    std::lock_guard lock(mutex);
    rate_limit_usage.emplace_back(std::string(exchange), ratio);
  }
  void on_feed_anomaly(const AnomalyEvent& event) override {
    std::lock_guard lock(mutex);
    feed_anomalies.push_back(event);
  }
  std::vector<std::string> reconnects;
  std::vector<std::string> errors;
  std::vector<std::string> dropped_messages;
  std::vector<std::string> rest_requests;
  std::vector<std::pair<std::string, double>> rate_limit_usage;
  std::vector<AnomalyEvent> feed_anomalies;

  Record& record(InstrumentId id) {
    std::lock_guard lock(mutex);
    auto& r = records[id];
    if (!r) r = std::make_unique<Record>();
    return *r;
  }

  std::mutex mutex;
  std::map<InstrumentId, std::unique_ptr<Record>> records;
  std::vector<std::pair<std::string, bool>> connections;
  std::vector<std::string> subscribed_detectors;

 private:
  struct Instr final : InstrumentSink {
    explicit Instr(Record& r) : r(r) {}
    void on_trade(const Trade& t) override {
      std::lock_guard lock(r.mutex);
      r.trade_prices.push_back(t.price);
    }
    void on_ticker(const Ticker&) override {}
    void on_ensemble(double score) override {
      std::lock_guard lock(r.mutex);
      r.ensembles.push_back(score);
    }
    void on_score(std::size_t d, double s) override {
      std::lock_guard lock(r.mutex);
      r.scores.emplace_back(d, s);
    }
    void on_active(std::size_t d, bool a) override {
      std::lock_guard lock(r.mutex);
      r.active.emplace_back(d, a);
    }
    void on_anomaly(std::size_t, const AnomalyEvent& e) override {
      std::lock_guard lock(r.mutex);
      r.anomalies.push_back(e);
    }
    Record& r;
  };
  struct Status final : FeedStatusSink {
    explicit Status(Record& r) : r(r) {}
    void on_message(Timestamp) override {
      std::lock_guard lock(r.mutex);
      ++r.messages;
    }
    void on_dropped() override {
      std::lock_guard lock(r.mutex);
      ++r.dropped;
    }
    void on_sequence_gap() override {
      std::lock_guard lock(r.mutex);
      ++r.gaps;
    }
    void on_checksum_failure() override {
      std::lock_guard lock(r.mutex);
      ++r.checksum_failures;
    }
    void on_latency(double seconds) override {
      std::lock_guard lock(r.mutex);
      r.latencies.push_back(seconds);
    }
    Record& r;
  };
};

// Reports the trade price as the ratio, so a test controls alerts through prices.
class PriceAsRatioDetector final : public Detector {
 public:
  void on_trade(const Trade& trade, ObservationSink& sink) override {
    Observation o;
    o.time = trade.exchange_time;
    o.ratio = trade.price;
    o.score = score_from_threshold_ratio(trade.price);
    o.observed = trade.price;
    o.expected_low = 0;
    o.expected_high = 1;
    o.quantity = "price";
    sink.observe(o);
  }
};

std::vector<Instrument> two_instruments() { return {{0, "alpha", "BTC/USDT"}, {1, "beta", "BTC/USDT"}}; }

std::vector<DetectorSpec> one_detector() {
  AlertOptions alert;
  alert.clear_after_seconds = 10;
  return {DetectorSpec{"price_ratio", alert, [] { return std::make_unique<PriceAsRatioDetector>(); }}};
}

Trade trade(InstrumentId id, double seconds, double price) {
  Trade t;
  t.instrument = id;
  t.exchange_time = Timestamp{} + std::chrono::seconds(static_cast<int>(seconds));
  t.price = price;
  t.quantity = 1;
  return t;
}

// Waits (bounded) until the pipeline has processed `count` events.
void wait_processed(const Pipeline& pipeline, std::uint64_t count) {
  for (int i = 0; i < 5000 && pipeline.processed_events() < count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GE(pipeline.processed_events(), count);
}

TEST(Pipeline, RoutesEventsToTheirInstrumentAndRaisesAnomalies) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink, PipelineOptions{2, 64});
  FeedListener& port = pipeline.add_feed_port();
  pipeline.start();
  port.on_event(trade(0, 0, 0.2));
  port.on_event(trade(1, 0, 0.3));
  port.on_event(trade(0, 1, 1.5));  // raises on alpha
  port.on_event(trade(0, 2, 0.1));
  wait_processed(pipeline, 4);
  pipeline.stop();

  auto& alpha = sink.record(0);
  auto& beta = sink.record(1);
  EXPECT_EQ(alpha.trade_prices, (std::vector<double>{0.2, 1.5, 0.1}));
  EXPECT_EQ(beta.trade_prices, (std::vector<double>{0.3}));
  EXPECT_EQ(alpha.messages, 3);
  ASSERT_EQ(alpha.anomalies.size(), 1u);
  EXPECT_EQ(alpha.anomalies[0].exchange, "alpha");
  EXPECT_EQ(alpha.anomalies[0].symbol, "BTC/USDT");
  EXPECT_EQ(alpha.anomalies[0].detector, "price_ratio");
  EXPECT_EQ(alpha.anomalies[0].severity, Severity::kWarning);
  EXPECT_EQ(alpha.anomalies[0].message,
            "price_ratio: price 1.5 outside expected band [0, 1] (1.50x threshold)");
  EXPECT_EQ(alpha.active, (std::vector<std::pair<std::size_t, bool>>{{0, true}}));
  EXPECT_TRUE(beta.anomalies.empty());
  ASSERT_EQ(alpha.scores.size(), 3u);
  EXPECT_DOUBLE_EQ(alpha.scores[1].second, score_from_threshold_ratio(1.5));
  EXPECT_EQ(sink.subscribed_detectors, (std::vector<std::string>{"price_ratio"}));
}

TEST(Pipeline, ClearsActiveStateAfterQuietPeriod) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink, PipelineOptions{1, 64});
  FeedListener& port = pipeline.add_feed_port();
  pipeline.start();
  port.on_event(trade(0, 0, 3.0));  // critical (ratio >= 2)
  port.on_event(trade(0, 1, 0.1));
  port.on_event(trade(0, 12, 0.1));  // quiet for 11 s > clear_after
  wait_processed(pipeline, 3);
  pipeline.stop();
  auto& alpha = sink.record(0);
  ASSERT_EQ(alpha.anomalies.size(), 1u);
  EXPECT_EQ(alpha.anomalies[0].severity, Severity::kCritical);
  EXPECT_EQ(alpha.active, (std::vector<std::pair<std::size_t, bool>>{{0, true}, {0, false}}));
}

TEST(Pipeline, DropsAndCountsWhenQueueIsFull) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink, PipelineOptions{1, 8});
  FeedListener& port = pipeline.add_feed_port();
  // Not started: nothing drains the queue of capacity 8.
  for (int i = 0; i < 20; ++i) port.on_event(trade(0, i, 0.1));
  EXPECT_EQ(pipeline.dropped_events(), 12u);
  EXPECT_EQ(sink.record(0).dropped, 12);
  EXPECT_EQ(sink.record(0).messages, 20);
}

TEST(Pipeline, ReadyOnlyAfterEveryExchangeDeliveredData) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink, PipelineOptions{1, 64});
  FeedListener& port = pipeline.add_feed_port();
  EXPECT_FALSE(pipeline.ready());
  port.on_event(trade(0, 0, 0.1));
  EXPECT_FALSE(pipeline.ready());
  port.on_event(trade(1, 0, 0.1));
  EXPECT_TRUE(pipeline.ready());
}

TEST(Pipeline, IgnoresEventsForUnknownInstruments) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink, PipelineOptions{1, 64});
  FeedListener& port = pipeline.add_feed_port();
  port.on_event(trade(7, 0, 0.1));
  EXPECT_EQ(pipeline.dropped_events(), 0u);
  EXPECT_FALSE(pipeline.ready());
}

TEST(Pipeline, HeartbeatShowsLiveShardsAndAgesOnceStopped) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink, PipelineOptions{2, 64});
  EXPECT_EQ(pipeline.heartbeat_age(), std::chrono::nanoseconds(0));  // not started
  pipeline.start();
  bool fresh = false;
  for (int i = 0; i < 500 && !fresh; ++i) {
    fresh = pipeline.heartbeat_age() < std::chrono::seconds(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(fresh);
  pipeline.stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_GE(pipeline.heartbeat_age(), std::chrono::milliseconds(200)) << "a stopped shard no longer beats";
}

TEST(Pipeline, ForwardsFeedHealthReportsToTheirSeries) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink);
  FeedListener& port = pipeline.add_feed_port();
  port.on_reconnect("alpha");
  port.on_error("alpha", "parse");
  port.on_sequence_gap(1);
  port.on_checksum_failure(0);
  port.on_checksum_failure(9);  // unknown instrument: ignored
  EXPECT_EQ(sink.reconnects, (std::vector<std::string>{"alpha"}));
  EXPECT_EQ(sink.errors, (std::vector<std::string>{"alpha:parse"}));
  EXPECT_EQ(sink.record(1).gaps, 1);
  EXPECT_EQ(sink.record(0).checksum_failures, 1);
  EXPECT_EQ(sink.record(0).gaps, 0);

  // Each lost book is also an anomaly of the feed itself.
  ASSERT_EQ(sink.feed_anomalies.size(), 2U);
  EXPECT_EQ(sink.feed_anomalies[0].exchange, "beta");
  EXPECT_EQ(sink.feed_anomalies[0].symbol, "BTC/USDT");
  EXPECT_EQ(sink.feed_anomalies[0].detector, "feed_integrity");
  EXPECT_NE(sink.feed_anomalies[0].message.find("sequence gap"), std::string::npos);
  EXPECT_EQ(sink.feed_anomalies[1].exchange, "alpha");
  EXPECT_NE(sink.feed_anomalies[1].message.find("checksum"), std::string::npos);

  port.on_dropped_message("alpha");
  port.on_rest_request("beta", "depth", "429");
  port.on_rate_limit_usage("beta", 0.25);
  EXPECT_EQ(sink.dropped_messages, (std::vector<std::string>{"alpha"}));
  EXPECT_EQ(sink.rest_requests, (std::vector<std::string>{"beta:depth:429"}));
  ASSERT_EQ(sink.rate_limit_usage.size(), 1U);
  EXPECT_EQ(sink.rate_limit_usage[0], (std::pair<std::string, double>{"beta", 0.25}));
}

TEST(Pipeline, ObservesLatencyOfEventsThatCarryAnExchangeTime) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink);
  FeedListener& port = pipeline.add_feed_port();
  Trade trade;
  trade.instrument = 0;
  trade.exchange_time = Timestamp{std::chrono::seconds(1000)};
  trade.receive_time = trade.exchange_time + std::chrono::milliseconds(250);
  port.on_event(trade);
  Ticker no_exchange_time;
  no_exchange_time.instrument = 0;
  no_exchange_time.receive_time = trade.receive_time;
  port.on_event(no_exchange_time);
  ASSERT_EQ(sink.record(0).latencies.size(), 1U);
  EXPECT_DOUBLE_EQ(sink.record(0).latencies[0], 0.25);
}

TEST(Pipeline, ForwardsConnectionStateToSink) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink);
  pipeline.add_feed_port().on_connection_state("alpha", true);
  ASSERT_EQ(sink.connections.size(), 1u);
  EXPECT_EQ(sink.connections[0], (std::pair<std::string, bool>{"alpha", true}));
}

TEST(Pipeline, ManyFeedsIntoManyShardsLoseNothingWithinCapacity) {
  RecordingSink sink;
  std::vector<Instrument> instruments;
  for (InstrumentId i = 0; i < 8; ++i)
    instruments.push_back({i, "ex" + std::to_string(i % 2), "S" + std::to_string(i) + "/USD"});
  Pipeline pipeline(instruments, one_detector(), sink, PipelineOptions{3, 1 << 14});
  FeedListener& even = pipeline.add_feed_port();
  FeedListener& odd = pipeline.add_feed_port();
  pipeline.start();
  constexpr int kPerInstrument = 1000;
  std::thread a([&] {
    for (int n = 0; n < kPerInstrument; ++n)
      for (InstrumentId i = 0; i < 8; i += 2) even.on_event(trade(i, n, 0.1));
  });
  std::thread b([&] {
    for (int n = 0; n < kPerInstrument; ++n)
      for (InstrumentId i = 1; i < 8; i += 2) odd.on_event(trade(i, n, 0.1));
  });
  a.join();
  b.join();
  wait_processed(pipeline, 8 * kPerInstrument);
  pipeline.stop();
  EXPECT_EQ(pipeline.dropped_events(), 0u);
  for (InstrumentId i = 0; i < 8; ++i)
    EXPECT_EQ(sink.record(i).trade_prices.size(), std::size_t{kPerInstrument});
}

}  // namespace
}  // namespace tickguard

namespace tickguard {
namespace {

// Cross-venue detectors meet their peers through the shard's DetectorContext: every venue of an
// asset group must get the same context, whatever the number of shards, and the groups must still
// spread over the shards.
TEST(Pipeline, EveryVenueOfAnAssetGroupSharesOneShardContext) {
  const std::vector<std::string> venues = {"binance", "coinbase", "kraken"};
  std::vector<Instrument> instruments;
  for (int asset = 0; asset < 16; ++asset) {
    for (std::size_t v = 0; v < venues.size(); ++v) {
      // Dollar quotes of one asset form one group (core/asset_group.h).
      const std::string quote = v == 1 ? "USD" : (v == 2 ? "USDC" : "USDT");
      instruments.push_back(Instrument{static_cast<InstrumentId>(instruments.size()), venues[v],
                                       "A" + std::to_string(asset) + "/" + quote});
    }
  }
  std::map<std::string, std::set<const DetectorContext*>> contexts_of_asset;
  std::set<const DetectorContext*> all_contexts;
  const std::vector<DetectorSpec> specs = {
      DetectorSpec{"peer_probe", AlertOptions{}, [&](const Instrument& instrument, DetectorContext& context) {
                     contexts_of_asset[asset_group(instrument.symbol)].insert(&context);
                     all_contexts.insert(&context);
                     return std::make_unique<PriceAsRatioDetector>();
                   }}};
  RecordingSink sink;
  Pipeline pipeline(instruments, specs, sink, PipelineOptions{.shards = 4, .queue_capacity = 16});
  ASSERT_EQ(contexts_of_asset.size(), 16u);
  for (const auto& [asset, contexts] : contexts_of_asset) EXPECT_EQ(contexts.size(), 1u) << asset;
  EXPECT_GE(all_contexts.size(), 2u);
  EXPECT_LE(all_contexts.size(), 4u);
}

TEST(AssetGroup, DollarQuotesShareAGroupOtherQuotesDoNot) {
  EXPECT_EQ(asset_group("BTC/USD"), "BTC/USD");
  EXPECT_EQ(asset_group("BTC/USDT"), "BTC/USD");
  EXPECT_EQ(asset_group("BTC/USDC"), "BTC/USD");
  EXPECT_EQ(asset_group("BTC/FDUSD"), "BTC/USD");
  EXPECT_EQ(asset_group("ETH/BTC"), "ETH/BTC");
  EXPECT_EQ(asset_group("ETH/EUR"), "ETH/EUR");
  EXPECT_EQ(asset_group("BTCUSDT"), "BTCUSDT");
  EXPECT_NE(asset_group("ETH/USDT"), asset_group("BTC/USDT"));
}

}  // namespace
}  // namespace tickguard

namespace tickguard {
namespace {

TEST(Pipeline, FeedPortReportsCongestionWhileAQueueIsOverHalfFull) {
  RecordingSink sink;
  Pipeline pipeline(two_instruments(), one_detector(), sink,
                    PipelineOptions{.shards = 1, .queue_capacity = 64});
  FeedListener& port = pipeline.add_feed_port();
  EXPECT_FALSE(port.congested());
  for (int i = 0; i < 31; ++i) port.on_event(trade(0, i, 100));
  EXPECT_FALSE(port.congested());
  for (int i = 31; i < 40; ++i) port.on_event(trade(0, i, 100));
  EXPECT_TRUE(port.congested());
  pipeline.start();
  wait_processed(pipeline, 40);
  EXPECT_FALSE(port.congested());
  EXPECT_EQ(pipeline.dropped_events(), 0u);
}

}  // namespace
}  // namespace tickguard
