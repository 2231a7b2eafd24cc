#include "core/pipeline.h"

#include <algorithm>
#include <boost/lockfree/spsc_queue.hpp>
#include <chrono>
#include <cstdio>
#include <type_traits>

#include "core/asset_group.h"
#include "core/instrument_state.h"
#include "core/log.h"

namespace tickguard {
namespace {

using EventQueue = boost::lockfree::spsc_queue<MarketEvent>;

}  // namespace

class Pipeline::Shard {
 public:
  explicit Shard(std::size_t instrument_count) : states_(instrument_count) {}

  void own(InstrumentId id, std::unique_ptr<InstrumentState> state) { states_[id] = std::move(state); }
  // Shared by the detectors of every instrument on this shard (and so of each whole asset group).
  DetectorContext& context() { return context_; }
  // Adds the queue of a new feed port; before start() only.
  EventQueue& add_queue(std::size_t capacity) {
    queues_.push_back(std::make_unique<EventQueue>(capacity));
    return *queues_.back();
  }

  void start() {
    running_.store(true);
    beat();
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    running_.store(false);
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t processed() const { return processed_.load(std::memory_order_relaxed); }
  // Steady-clock time of the last loop, in nanoseconds; 0 before start().
  std::int64_t last_beat() const { return last_beat_.load(std::memory_order_relaxed); }

  // The first shard gives the pipeline's proof of life (see AliveOptions); `pipeline` outlives it.
  void set_alive(const AliveOptions* alive, const Pipeline* pipeline) {
    alive_ = alive;
    pipeline_ = pipeline;
  }

 private:
  void run() {
    std::chrono::steady_clock::time_point last_alive{};
    while (running_.load(std::memory_order_relaxed)) {
      beat();
      if (alive_ != nullptr) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_alive >= alive_->interval && pipeline_->heartbeat_age() < alive_->max_stall) {
          alive_->on_alive();
          last_alive = now;
        }
      }
      std::size_t handled = 0;
      for (auto& queue : queues_) {
        handled += queue->consume_all([this](const MarketEvent& event) { dispatch(event); });
      }
      if (handled == 0) {
        // Idle: a short sleep instead of a lock or condition variable shared with the feeds.
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      } else {
        processed_.fetch_add(handled, std::memory_order_relaxed);
      }
    }
  }

  void beat() {
    last_beat_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  }

  void dispatch(const MarketEvent& event) {
    const InstrumentId id = instrument_of(event);
    if (id < states_.size() && states_[id]) states_[id]->handle(event);
  }

  DetectorContext context_;  // declared before the states, so it outlives their detectors
  std::vector<std::unique_ptr<InstrumentState>> states_;  // indexed by InstrumentId; null if not ours
  std::vector<std::unique_ptr<EventQueue>> queues_;       // one per feed port
  std::atomic<bool> running_{false};
  std::atomic<std::uint64_t> processed_{0};
  std::atomic<std::int64_t> last_beat_{0};
  const AliveOptions* alive_ = nullptr;
  const Pipeline* pipeline_ = nullptr;
  std::thread thread_;
};

class Pipeline::FeedPort final : public FeedListener {
 public:
  FeedPort(Pipeline& pipeline, std::vector<EventQueue*> queues)
      : pipeline_(pipeline), queues_(std::move(queues)) {}

  void on_event(const MarketEvent& event) override {
    const InstrumentId id = instrument_of(event);
    if (id >= pipeline_.instruments_.size()) return;  // not ours: a feed bug, never a crash
    const Timestamp received = receive_time_of(event);
    pipeline_.feed_status_[id]->on_message(received);
    // A candle's time is when its interval opened, not when it was sent: no latency from it.
    if (const Timestamp sent = exchange_time_of(event);
        !std::holds_alternative<Candle>(event) && sent != Timestamp{} && received != Timestamp{}) {
      pipeline_.feed_status_[id]->on_latency(std::chrono::duration<double>(received - sent).count());
    }
    pipeline_.exchange_has_data_[pipeline_.exchange_of_instrument_[id]].store(true,
                                                                              std::memory_order_relaxed);
    if (!queues_[pipeline_.shard_of_instrument_[id]]->push(event)) {
      pipeline_.feed_status_[id]->on_dropped();
      dropped_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  bool congested() const override {
    for (const EventQueue* queue : queues_) {
      if (queue->write_available() < pipeline_.options_.queue_capacity / 2) return true;
    }
    return false;
  }

  void on_connection_state(std::string_view exchange, bool up) override {
    pipeline_.sink_.on_connection_state(exchange, up);
  }
  void on_reconnect(std::string_view exchange) override { pipeline_.sink_.on_feed_reconnect(exchange); }
  void on_error(std::string_view exchange, std::string_view kind) override {
    pipeline_.sink_.on_feed_error(exchange, kind);
  }
  void on_sequence_gap(InstrumentId id) override {
    if (id >= pipeline_.feed_status_.size()) return;
    pipeline_.feed_status_[id]->on_sequence_gap();
    integrity_anomaly(id, "sequence gap: an order book update was missed; resynchronizing the book");
  }
  void on_checksum_failure(InstrumentId id) override {
    if (id >= pipeline_.feed_status_.size()) return;
    pipeline_.feed_status_[id]->on_checksum_failure();
    integrity_anomaly(id,
                      "checksum mismatch: the order book differs from the venue's; resynchronizing the book");
  }
  void on_dropped_message(std::string_view exchange) override {
    pipeline_.sink_.on_feed_dropped_message(exchange);
  }
  void on_rest_request(std::string_view exchange, std::string_view endpoint, std::string_view code) override {
    pipeline_.sink_.on_rest_request(exchange, endpoint, code);
  }
  void on_rate_limit_usage(std::string_view exchange, double ratio) override {
    pipeline_.sink_.on_rate_limit_usage(exchange, ratio);
  }

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  // A book lost sync: recorded as an anomaly of the feed itself (detector "feed_integrity"), so it
  // shows up next to the market anomalies it could otherwise be mistaken for. Rare; may allocate.
  void integrity_anomaly(InstrumentId id, const char* message) {
    const Instrument& instrument = pipeline_.instruments_[id];
    AnomalyEvent event;
    event.exchange = instrument.exchange;
    event.symbol = instrument.symbol;
    event.detector = "feed_integrity";
    event.severity = Severity::kWarning;
    event.time = std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
    event.score = 1;
    event.message = message;
    log::warn("anomaly raised", {{"exchange", event.exchange},
                                 {"symbol", event.symbol},
                                 {"detector", event.detector},
                                 {"severity", severity_name(event.severity)},
                                 {"msg", event.message}});
    pipeline_.sink_.on_feed_anomaly(event);
  }

  Pipeline& pipeline_;
  std::vector<EventQueue*> queues_;  // indexed by shard
  std::atomic<std::uint64_t> dropped_{0};
};

Pipeline::Pipeline(std::vector<Instrument> instruments, const std::vector<DetectorSpec>& detectors,
                   Sink& sink, PipelineOptions options)
    : instruments_(std::move(instruments)), sink_(sink), options_(std::move(options)) {
  if (options_.shards == 0) options_.shards = 1;
  std::vector<std::string> detector_names;
  detector_names.reserve(detectors.size());
  for (const auto& d : detectors) detector_names.push_back(d.name);

  for (std::size_t s = 0; s < options_.shards; ++s)
    shards_.push_back(std::make_unique<Shard>(instruments_.size()));
  for (const auto& instrument : instruments_) {
    std::size_t exchange = 0;
    while (exchange < exchanges_.size() && exchanges_[exchange] != instrument.exchange) ++exchange;
    if (exchange == exchanges_.size()) exchanges_.push_back(instrument.exchange);
    exchange_of_instrument_.push_back(exchange);
    feed_status_.push_back(sink_.subscribe_feed_status(instrument));
    // By asset group, not by instrument: cross-venue detectors need every venue of an asset on one
    // shard. std::hash of a string is stable within the process, which is all that is needed here.
    const std::size_t shard = std::hash<std::string>{}(asset_group(instrument.symbol)) % shards_.size();
    shard_of_instrument_.push_back(shard);
    shards_[shard]->own(instrument.id,
                        std::make_unique<InstrumentState>(
                            instrument, detectors, sink_.subscribe_instrument(instrument, detector_names),
                            &shards_[shard]->context()));
  }
  exchange_has_data_ = std::make_unique<std::atomic<bool>[]>(exchanges_.size());
}

Pipeline::~Pipeline() { stop(); }

FeedListener& Pipeline::add_feed_port() {
  std::vector<EventQueue*> queues;
  for (auto& shard : shards_) queues.push_back(&shard->add_queue(options_.queue_capacity));
  ports_.push_back(std::make_unique<FeedPort>(*this, std::move(queues)));
  return *ports_.back();
}

void Pipeline::start() {
  if (started_) return;
  started_ = true;
  if (options_.alive.on_alive && !shards_.empty()) shards_.front()->set_alive(&options_.alive, this);
  for (auto& shard : shards_) shard->start();
}

void Pipeline::stop() {
  for (auto& shard : shards_) shard->stop();
}

bool Pipeline::ready() const {
  for (std::size_t i = 0; i < exchanges_.size(); ++i) {
    if (!exchange_has_data_[i].load(std::memory_order_relaxed)) return false;
  }
  return true;
}

std::uint64_t Pipeline::dropped_events() const {
  std::uint64_t total = 0;
  for (const auto& port : ports_) total += port->dropped();
  return total;
}

std::chrono::nanoseconds Pipeline::heartbeat_age() const {
  static_assert(std::is_same_v<std::chrono::steady_clock::duration, std::chrono::nanoseconds>);
  if (!started_) return std::chrono::nanoseconds(0);
  const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::int64_t oldest = now;
  for (const auto& shard : shards_) oldest = std::min(oldest, shard->last_beat());
  return std::chrono::nanoseconds(now - oldest);
}

std::uint64_t Pipeline::processed_events() const {
  std::uint64_t total = 0;
  for (const auto& shard : shards_) total += shard->processed();
  return total;
}

}  // namespace tickguard
