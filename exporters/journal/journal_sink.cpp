#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <vector>

#include "exporters/journal/journal.h"

namespace tickguard::journal {
namespace {

// Base volume traded in the last 60 s of event time: 60 one-second buckets in a ring, each tagged
// with the second it holds, so a bucket left over from an earlier minute is recognised and reset.
class TrailingMinuteVolume {
 public:
  void add(Timestamp time, double quantity) {
    const std::int64_t second = epoch_second(time);
    Bucket& bucket = buckets_[slot(second)];
    if (bucket.second > second) return;  // older than the minute the ring holds: out of the window
    if (bucket.second != second) bucket = Bucket{.second = second, .volume = 0};
    bucket.volume += quantity;
    latest_second_ = std::max(latest_second_, second);
    seen_trade_ = true;
  }

  // Volume in the 60 s ending at `time` (the latest trade's second when `time` is unset); NaN
  // before the first trade.
  double at(Timestamp time) const {
    if (!seen_trade_) return std::numeric_limits<double>::quiet_NaN();
    const std::int64_t end = time == Timestamp{} ? latest_second_ : epoch_second(time);
    double volume = 0;
    for (const Bucket& bucket : buckets_) {
      if (bucket.second <= end && bucket.second > end - kSeconds) volume += bucket.volume;
    }
    return volume;
  }

 private:
  static constexpr std::int64_t kSeconds = 60;
  struct Bucket {
    std::int64_t second = std::numeric_limits<std::int64_t>::min();
    double volume = 0;
  };
  static std::int64_t epoch_second(Timestamp time) {
    return std::chrono::floor<std::chrono::seconds>(time).time_since_epoch().count();
  }
  static std::size_t slot(std::int64_t second) {
    return static_cast<std::size_t>(((second % kSeconds) + kSeconds) % kSeconds);
  }
  std::array<Bucket, kSeconds> buckets_{};
  std::int64_t latest_second_ = std::numeric_limits<std::int64_t>::min();
  bool seen_trade_ = false;
};

// Market context of one instrument, owned by its shard thread (no locks).
class JournalInstrumentSink final : public InstrumentSink {
 public:
  JournalInstrumentSink(Journal& journal, std::span<const std::string> detectors)
      : journal_(journal), detectors_(detectors.begin(), detectors.end()) {}

  void on_trade(const Trade& trade) override {
    price_ = trade.price;
    // Event time; the receive time stands in when the venue gave none.
    volume_.add(trade.exchange_time == Timestamp{} ? trade.receive_time : trade.exchange_time,
                trade.quantity);
  }
  void on_ticker(const Ticker& ticker) override {
    // A crossed or empty book has no meaningful spread: keep the last one.
    if (ticker.bid_price > 0 && ticker.ask_price >= ticker.bid_price) {
      const double mid = (ticker.ask_price + ticker.bid_price) / 2;
      spread_ = (ticker.ask_price - ticker.bid_price) / mid;
    }
  }
  void on_score(std::size_t, double) override {}
  void on_ensemble(double) override {}
  void on_active(std::size_t, bool) override {}
  void on_anomaly(std::size_t detector, const AnomalyEvent& event) override {
    Record record = record_of(event);
    if (record.detector.empty() && detector < detectors_.size()) record.detector = detectors_[detector];
    record.price = price_;
    record.spread = spread_;
    record.volume_1m = volume_.at(event.time);
    journal_.append(std::move(record));
  }

  static Record record_of(const AnomalyEvent& event) {
    Record record;
    record.time = event.time;
    record.exchange = event.exchange;
    record.symbol = event.symbol;
    record.detector = event.detector;
    record.severity = event.severity;
    record.score = event.score;
    record.observed = event.observed;
    record.expected_low = event.expected_low;
    record.expected_high = event.expected_high;
    record.message = event.message;
    return record;
  }

 private:
  Journal& journal_;
  std::vector<std::string> detectors_;  // fallback names for events that carry none
  double price_ = std::numeric_limits<double>::quiet_NaN();
  double spread_ = std::numeric_limits<double>::quiet_NaN();
  TrailingMinuteVolume volume_;
};

class IgnoredFeedStatus final : public FeedStatusSink {
 public:
  void on_message(Timestamp) override {}
  void on_dropped() override {}
  void on_sequence_gap() override {}
  void on_checksum_failure() override {}
  void on_latency(double) override {}
};

}  // namespace

JournalSink::JournalSink(Journal& journal) : journal_(journal) {}

std::unique_ptr<InstrumentSink> JournalSink::subscribe_instrument(const Instrument&,
                                                                  std::span<const std::string> detectors) {
  return std::make_unique<JournalInstrumentSink>(journal_, detectors);
}

std::unique_ptr<FeedStatusSink> JournalSink::subscribe_feed_status(const Instrument&) {
  return std::make_unique<IgnoredFeedStatus>();
}

void JournalSink::on_feed_anomaly(const AnomalyEvent& event) {
  Record record = JournalInstrumentSink::record_of(event);
  if (record.detector.empty()) record.detector = "feed";
  journal_.append(std::move(record));
}

}  // namespace tickguard::journal
