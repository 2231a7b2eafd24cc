#include "app/application.h"

#include <string>
#include <vector>

#include "core/log.h"
#include "core/pipeline.h"
#include "core/shard.h"
#include "detectors/registry.h"
#include "feeds/registry.h"

namespace tickguard::app {

struct Application::Running {
  std::unique_ptr<Pipeline> pipeline;
  std::vector<std::unique_ptr<Feed>> feeds;
  std::vector<std::string> feed_exchanges;  // the `exchange` of each feed, for logs

  void stop() {
    for (auto& feed : feeds) feed->stop();
    pipeline->stop();
  }
};

std::vector<DetectorSpec> detector_specs(const config::Config& config) {
  std::vector<DetectorSpec> specs;
  for (const auto& options : config.detectors) {
    if (!options.enabled) continue;
    const DetectorDescriptor* descriptor = find_detector(options.name);
    if (descriptor == nullptr) continue;  // a validated config names registered detectors only
    specs.push_back(DetectorSpec{
        options.name, options.alert,
        [descriptor, params = options.params](const Instrument& instrument, DetectorContext& context) {
          return descriptor->create_shared != nullptr ? descriptor->create_shared(params, instrument, context)
                                                      : descriptor->create(params);
        }});
  }
  return specs;
}

Application::Application(const Clock& clock, Sink& sink) : clock_(clock), sink_(sink) {}

Application::~Application() { stop(); }

Status Application::build(const config::Config& config, std::unique_ptr<Running>& out) {
  std::vector<Instrument> instruments;
  std::vector<std::vector<Instrument>> per_feed;
  for (const auto& feed : config.feeds) {
    // This instance's share: the instruments whose asset group hashes to its shard.
    std::vector<Instrument> mine;
    for (auto& instrument : feeds::feed_instruments(feed)) {
      if (shard_of(instrument.symbol, config.cluster.shards) != config.cluster.shard) continue;
      instrument.id = static_cast<InstrumentId>(instruments.size());
      instruments.push_back(instrument);
      mine.push_back(std::move(instrument));
    }
    per_feed.push_back(std::move(mine));
  }
  auto running = std::make_unique<Running>();
  PipelineOptions pipeline_options;
  pipeline_options.alive = alive_;
  running->pipeline =
      std::make_unique<Pipeline>(std::move(instruments), detector_specs(config), sink_, pipeline_options);
  const feeds::FeedContext context{clock_, sink_};
  for (std::size_t i = 0; i < config.feeds.size(); ++i) {
    if (per_feed[i].empty()) {
      // Every symbol of this feed belongs to other shards: no connection at all.
      log::info("feed has no instrument on this shard; not started",
                {{"exchange", config.feeds[i].exchange},
                 {"shard", static_cast<std::uint64_t>(config.cluster.shard)},
                 {"shards", static_cast<std::uint64_t>(config.cluster.shards)}});
      continue;
    }
    auto feed = feeds::create_feed(config.feeds[i], std::move(per_feed[i]), context);
    if (!feed) return Status::InvalidArgument("unsupported exchange: " + config.feeds[i].exchange);
    running->feeds.push_back(std::move(feed));
    running->feed_exchanges.push_back(config.feeds[i].exchange);
  }
  out = std::move(running);
  return Status::Ok();
}

Status Application::start(const config::Config& config) { return reload(config); }

Status Application::reload(const config::Config& config) {
  std::unique_ptr<Running> next;
  if (Status s = build(config, next); !s.ok()) return s;
  // The new pipeline is built (its series registered) before the old one goes away, so series
  // shared by both keep their values; then the old feeds stop before the new ones start, so two
  // feeds never write the same series at once.
  std::vector<FeedListener*> ports;
  for (std::size_t i = 0; i < next->feeds.size(); ++i) ports.push_back(&next->pipeline->add_feed_port());
  std::unique_ptr<Running> previous;
  {
    std::lock_guard lock(mutex_);
    previous = std::move(running_);
  }
  if (previous) previous->stop();
  previous.reset();
  next->pipeline->start();
  Status result = Status::Ok();
  for (std::size_t i = 0; i < next->feeds.size(); ++i) {
    if (Status s = next->feeds[i]->start(*ports[i]); !s.ok()) {
      // The other feeds keep running; the caller reports the failure.
      log::error("feed failed to start", {{"exchange", next->feed_exchanges[i]}, {"err", s.message()}});
      result = s;
    }
  }
  std::lock_guard lock(mutex_);
  running_ = std::move(next);
  return result;
}

void Application::stop() {
  std::unique_ptr<Running> running;
  {
    std::lock_guard lock(mutex_);
    running = std::move(running_);
  }
  if (running) running->stop();
}

bool Application::ready() const {
  std::lock_guard lock(mutex_);
  return running_ && running_->pipeline->ready();
}

bool Application::healthy(std::chrono::nanoseconds max_stall) const {
  std::lock_guard lock(mutex_);
  return !running_ || running_->pipeline->heartbeat_age() < max_stall;
}

std::size_t Application::instrument_count() const {
  std::lock_guard lock(mutex_);
  return running_ ? running_->pipeline->instruments().size() : 0;
}

}  // namespace tickguard::app
