#include <gtest/gtest.h>

#include <cmath>

#include "exporters/journal/journal.h"
#include "journal_test_support.h"

namespace tickguard::journal {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::TempDir;

const Instrument kBtc{.id = 0, .exchange = "simex", .symbol = "BTC/USDT"};
const std::vector<std::string> kDetectors{"zscore", "volume_spike"};
const Timestamp kBase = Timestamp(seconds(1'700'000'000));

Trade trade_at(Timestamp time, double price, double quantity) {
  return Trade{
      .exchange_time = time, .receive_time = time + milliseconds(5), .price = price, .quantity = quantity};
}

AnomalyEvent anomaly_at(Timestamp time, std::string detector) {
  return AnomalyEvent{.exchange = "simex",
                      .symbol = "BTC/USDT",
                      .detector = std::move(detector),
                      .severity = Severity::kCritical,
                      .time = time,
                      .score = 9.5,
                      .observed = 120,
                      .expected_low = 95,
                      .expected_high = 105,
                      .message = "price 120 outside [95, 105]"};
}

class JournalSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Journal::open(JournalOptions{.path = dir_.path() / "journal.db",
                                             .retention_time = std::chrono::nanoseconds(0),
                                             .retention_size = 0,
                                             .flush_interval = milliseconds(5)},
                              journal_)
                    .ok());
  }

  // Every record, oldest first.
  std::vector<Record> records() {
    journal_->flush();
    std::vector<Record> out;
    EXPECT_TRUE(journal_->after(0, kMaxLimit, out).ok());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalSinkTest, RecordsPriceSpreadAndTrailingMinuteVolumeWithTheAnomaly) {
  JournalSink sink(*journal_);
  auto instrument = sink.subscribe_instrument(kBtc, kDetectors);
  instrument->on_trade(trade_at(kBase - seconds(90), 90, 100));  // outside the minute before the anomaly
  instrument->on_trade(trade_at(kBase - seconds(59), 99, 1.5));
  instrument->on_trade(trade_at(kBase - seconds(10), 100, 2));
  instrument->on_ticker(Ticker{.bid_price = 99, .ask_price = 101});
  instrument->on_ticker(Ticker{.bid_price = 102, .ask_price = 101});  // crossed: ignored
  instrument->on_trade(trade_at(kBase, 120, 0.25));
  instrument->on_score(0, 9.5);
  instrument->on_ensemble(3);
  instrument->on_active(0, true);
  instrument->on_anomaly(0, anomaly_at(kBase, "zscore"));

  const auto stored = records();
  ASSERT_EQ(stored.size(), 1u);
  const Record& record = stored[0];
  EXPECT_EQ(record.exchange, "simex");
  EXPECT_EQ(record.symbol, "BTC/USDT");
  EXPECT_EQ(record.detector, "zscore");
  EXPECT_EQ(record.severity, Severity::kCritical);
  EXPECT_EQ(record.time, kBase);
  EXPECT_DOUBLE_EQ(record.score, 9.5);
  EXPECT_DOUBLE_EQ(record.observed, 120);
  EXPECT_DOUBLE_EQ(record.expected_low, 95);
  EXPECT_DOUBLE_EQ(record.expected_high, 105);
  EXPECT_EQ(record.message, "price 120 outside [95, 105]");
  EXPECT_DOUBLE_EQ(record.price, 120);
  EXPECT_DOUBLE_EQ(record.spread, 2.0 / 100);
  EXPECT_DOUBLE_EQ(record.volume_1m, 1.5 + 2 + 0.25);
}

TEST_F(JournalSinkTest, TrailingVolumeFollowsEventTimeAcrossMinutes) {
  JournalSink sink(*journal_);
  auto instrument = sink.subscribe_instrument(kBtc, kDetectors);
  // Three minutes of one trade per second, 1 unit each: the ring wraps several times.
  for (int s = 0; s < 180; ++s) instrument->on_trade(trade_at(kBase + seconds(s), 100, 1));
  instrument->on_trade(trade_at(kBase + seconds(10), 100, 50));  // late trade from long ago: not counted
  instrument->on_anomaly(1, anomaly_at(kBase + seconds(179), "volume_spike"));
  // Two minutes later with no trades in between: nothing in the window.
  instrument->on_anomaly(1, anomaly_at(kBase + seconds(300), "volume_spike"));
  // Half a minute later, one more trade.
  instrument->on_trade(trade_at(kBase + seconds(330) + milliseconds(500), 100, 4));
  instrument->on_anomaly(1, anomaly_at(kBase + seconds(331), "volume_spike"));

  const auto stored = records();
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_DOUBLE_EQ(stored[0].volume_1m, 60);
  EXPECT_DOUBLE_EQ(stored[1].volume_1m, 0);
  EXPECT_DOUBLE_EQ(stored[2].volume_1m, 4);
  EXPECT_EQ(stored[2].detector, "volume_spike");
}

TEST_F(JournalSinkTest, ContextIsUnknownBeforeAnyTradeOrTicker) {
  JournalSink sink(*journal_);
  auto instrument = sink.subscribe_instrument(kBtc, kDetectors);
  instrument->on_anomaly(0, anomaly_at(kBase, "zscore"));
  const auto stored = records();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(std::isnan(stored[0].price));
  EXPECT_TRUE(std::isnan(stored[0].spread));
  EXPECT_TRUE(std::isnan(stored[0].volume_1m));
}

TEST_F(JournalSinkTest, InstrumentsKeepTheirOwnContext) {
  JournalSink sink(*journal_);
  auto btc = sink.subscribe_instrument(kBtc, kDetectors);
  auto eth =
      sink.subscribe_instrument(Instrument{.id = 1, .exchange = "simex", .symbol = "ETH/USDT"}, kDetectors);
  btc->on_trade(trade_at(kBase, 30000, 1));
  eth->on_trade(trade_at(kBase, 2000, 7));
  AnomalyEvent event = anomaly_at(kBase, "zscore");
  event.symbol = "ETH/USDT";
  eth->on_anomaly(0, event);
  const auto stored = records();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].symbol, "ETH/USDT");
  EXPECT_DOUBLE_EQ(stored[0].price, 2000);
  EXPECT_DOUBLE_EQ(stored[0].volume_1m, 7);
}

TEST_F(JournalSinkTest, FeedAnomalyIsRecordedWithoutContext) {
  JournalSink sink(*journal_);
  auto instrument = sink.subscribe_instrument(kBtc, kDetectors);
  instrument->on_trade(trade_at(kBase, 100, 1));
  auto feed = sink.subscribe_feed_status(kBtc);
  feed->on_message(kBase);
  feed->on_sequence_gap();
  AnomalyEvent lost_sync = anomaly_at(kBase, "");
  lost_sync.message = "order book lost sync";
  sink.on_feed_anomaly(lost_sync);
  sink.on_feed_anomaly(anomaly_at(kBase + seconds(1), "book_checksum"));

  const auto stored = records();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].detector, "feed");
  EXPECT_EQ(stored[0].message, "order book lost sync");
  EXPECT_TRUE(std::isnan(stored[0].price));
  EXPECT_TRUE(std::isnan(stored[0].spread));
  EXPECT_TRUE(std::isnan(stored[0].volume_1m));
  EXPECT_EQ(stored[1].detector, "book_checksum");
}

}  // namespace
}  // namespace tickguard::journal
