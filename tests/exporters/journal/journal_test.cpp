#include "exporters/journal/journal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "journal_test_support.h"

namespace tickguard::journal {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::eventually;
using testing::TempDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const Timestamp kBase = Timestamp(seconds(1'700'000'000));

Timestamp now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

// Test journals keep everything unless a test asks for retention, and commit quickly.
JournalOptions options_in(const TempDir& dir) {
  return JournalOptions{.path = dir.path() / "journal.db",
                        .retention_time = std::chrono::nanoseconds(0),
                        .retention_size = 0,
                        .flush_interval = milliseconds(5)};
}

std::unique_ptr<Journal> open_journal(const JournalOptions& options) {
  std::unique_ptr<Journal> journal;
  const Status status = Journal::open(options, journal);
  EXPECT_TRUE(status.ok()) << status.message();
  return journal;
}

Record make_record(int i, Timestamp time = kBase) {
  Record record;
  record.time = time + seconds(i);
  record.exchange = "binance";
  record.symbol = "BTC/USDT";
  record.detector = "zscore";
  record.severity = Severity::kWarning;
  record.score = i;
  record.observed = 100.0 + i;
  record.expected_low = 90;
  record.expected_high = 110;
  record.message = "record " + std::to_string(i);
  record.price = 1.5 * i;
  record.spread = 0.001;
  record.volume_1m = 2.0 * i;
  return record;
}

// Query and Record have members without defaults (strings), which GCC's
// -Wmissing-field-initializers flags even in designated initializers: set fields by name instead.
template <typename Set>
Query make_query(Set set) {
  Query query;
  set(query);
  return query;
}

bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void expect_same_record(const Record& actual, const Record& expected) {
  EXPECT_EQ(actual.time, expected.time);
  EXPECT_EQ(actual.exchange, expected.exchange);
  EXPECT_EQ(actual.symbol, expected.symbol);
  EXPECT_EQ(actual.detector, expected.detector);
  EXPECT_EQ(actual.severity, expected.severity);
  EXPECT_TRUE(same_number(actual.score, expected.score)) << actual.score;
  EXPECT_TRUE(same_number(actual.observed, expected.observed)) << actual.observed;
  EXPECT_TRUE(same_number(actual.expected_low, expected.expected_low)) << actual.expected_low;
  EXPECT_TRUE(same_number(actual.expected_high, expected.expected_high)) << actual.expected_high;
  EXPECT_EQ(actual.message, expected.message);
  EXPECT_TRUE(same_number(actual.price, expected.price)) << actual.price;
  EXPECT_TRUE(same_number(actual.spread, expected.spread)) << actual.spread;
  EXPECT_TRUE(same_number(actual.volume_1m, expected.volume_1m)) << actual.volume_1m;
  EXPECT_EQ(actual.verdict, expected.verdict);
  EXPECT_EQ(actual.comment, expected.comment);
  EXPECT_EQ(actual.feedback_time, expected.feedback_time);
}

std::vector<std::int64_t> ids_of(const std::vector<Record>& records) {
  std::vector<std::int64_t> ids;
  for (const Record& record : records) ids.push_back(record.id);
  return ids;
}

// Every record in the journal, oldest first.
std::vector<Record> all_records(const Journal& journal) {
  std::vector<Record> all;
  std::int64_t last = 0;
  for (;;) {
    std::vector<Record> chunk;
    EXPECT_TRUE(journal.after(last, kMaxLimit, chunk).ok());
    if (chunk.empty()) return all;
    last = chunk.back().id;
    all.insert(all.end(), chunk.begin(), chunk.end());
  }
}

// Runs one SQL statement yielding one text value on a connection of the test's own.
std::string sqlite_text(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  std::string result;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(statement, 0);
      result = text ? reinterpret_cast<const char*>(text) : "";
    } else {
      result = std::string("error: ") + sqlite3_errmsg(db);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return result;
}

TEST(Journal, RoundTripsEveryFieldAndNaNContextAsNull) {
  TempDir dir;
  auto journal = open_journal(options_in(dir));
  Record full = make_record(7);
  full.severity = Severity::kCritical;
  full.message = "price 107 outside [90, 110] — ünïcode";
  Record unknown_context = make_record(8);
  unknown_context.price = kNaN;
  unknown_context.spread = kNaN;
  unknown_context.volume_1m = kNaN;
  ASSERT_TRUE(journal->append(full));
  ASSERT_TRUE(journal->append(unknown_context));
  journal->flush();
  EXPECT_EQ(journal->committed(), 2u);

  Page page;
  ASSERT_TRUE(journal->query(Query{}, page).ok());
  ASSERT_EQ(page.records.size(), 2u);
  const std::int64_t full_id = page.records[1].id;
  const std::int64_t unknown_id = page.records[0].id;
  EXPECT_LT(full_id, unknown_id);
  Record read;
  ASSERT_TRUE(journal->get(full_id, read).ok());
  EXPECT_EQ(read.id, full_id);
  expect_same_record(read, full);
  ASSERT_TRUE(journal->get(unknown_id, read).ok());
  expect_same_record(read, unknown_context);
  EXPECT_TRUE(std::isnan(read.price));
  // NULL in the file, not a NaN blob or 0.
  EXPECT_EQ(
      sqlite_text(dir.path() / "journal.db",
                  ("SELECT typeof(price) || typeof(spread) || typeof(volume_1m) FROM anomalies WHERE id = " +
                   std::to_string(unknown_id))
                      .c_str()),
      "nullnullnull");
}

TEST(Journal, FeedbackIsStoredAndReplaced) {
  TempDir dir;
  auto journal = open_journal(options_in(dir));
  const Record original = make_record(1);
  journal->append(original);
  journal->flush();
  std::vector<Record> records;
  ASSERT_TRUE(journal->after(0, 10, records).ok());
  ASSERT_EQ(records.size(), 1u);
  const std::int64_t id = records[0].id;

  Record updated;
  ASSERT_TRUE(
      journal->set_feedback(id, Verdict::kFalsePositive, "exchange maintenance", kBase + hours(1), updated)
          .ok());
  Record expected = original;
  expected.verdict = Verdict::kFalsePositive;
  expected.comment = "exchange maintenance";
  expected.feedback_time = kBase + hours(1);
  expect_same_record(updated, expected);
  EXPECT_EQ(updated.id, id);

  ASSERT_TRUE(journal->set_feedback(id, Verdict::kTruePositive, "", kBase + hours(2), updated).ok());
  Record read;
  ASSERT_TRUE(journal->get(id, read).ok());
  EXPECT_EQ(read.verdict, Verdict::kTruePositive);
  EXPECT_EQ(read.comment, "");
  EXPECT_EQ(read.feedback_time, kBase + hours(2));
  expect_same_record(updated, read);
}

TEST(Journal, VerdictNamesRoundTrip) {
  for (Verdict verdict : {Verdict::kTruePositive, Verdict::kFalsePositive}) {
    EXPECT_EQ(verdict_from_name(verdict_name(verdict)), verdict);
  }
  EXPECT_EQ(verdict_name(Verdict::kTruePositive), "true_positive");
  EXPECT_EQ(verdict_from_name("maybe"), std::nullopt);
}

TEST(Journal, UnknownIdIsNotFound) {
  TempDir dir;
  auto journal = open_journal(options_in(dir));
  journal->append(make_record(1));
  journal->flush();
  Record out;
  EXPECT_EQ(journal->get(12345, out).code(), Status::Code::kNotFound);
  EXPECT_EQ(journal->set_feedback(12345, Verdict::kTruePositive, "x", kBase, out).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(journal->get(1, out).ok());
}

// 40 records covering every combination of the filter keys.
Record varied_record(int i) {
  Record record = make_record(i);
  record.exchange = i % 2 == 0 ? "binance" : "kraken";
  record.symbol = (i / 2) % 2 == 0 ? "BTC/USDT" : "ETH/USDT";
  record.detector = (i / 4) % 2 == 0 ? "zscore" : "volume_spike";
  record.severity = i % 3 == 0 ? Severity::kCritical : Severity::kWarning;
  return record;
}

class JournalQuery : public ::testing::Test {
 protected:
  void SetUp() override {
    journal_ = open_journal(options_in(dir_));
    ASSERT_TRUE(journal_);
    for (int i = 0; i < 40; ++i) journal_->append(varied_record(i));
    journal_->flush();
    std::vector<Record> stored;
    ASSERT_TRUE(journal_->after(0, 100, stored).ok());
    ASSERT_EQ(stored.size(), 40u);
    for (const Record& record : stored) ids_.push_back(record.id);
  }

  // The ids the query should return, computed from the generator: newest first.
  template <typename Predicate>
  std::vector<std::int64_t> expected(Predicate matches) const {
    std::vector<std::int64_t> ids;
    for (int i = 39; i >= 0; --i) {
      if (matches(varied_record(i), ids_[static_cast<std::size_t>(i)]))
        ids.push_back(ids_[static_cast<std::size_t>(i)]);
    }
    return ids;
  }

  std::vector<std::int64_t> run(const Query& query) const {
    Page page;
    EXPECT_TRUE(journal_->query(query, page).ok());
    EXPECT_FALSE(page.next_before_id);
    return ids_of(page.records);
  }

  TempDir dir_;
  std::unique_ptr<Journal> journal_;
  std::vector<std::int64_t> ids_;  // ids_[i]: record i
};

TEST_F(JournalQuery, EveryFilterSelectsExactlyTheMatchingRecords) {
  EXPECT_EQ(run(Query{}), expected([](const Record&, std::int64_t) { return true; }));
  EXPECT_EQ(run(make_query([&](Query& q) { q.exchange = "kraken"; })),
            expected([](const Record& r, auto) { return r.exchange == "kraken"; }));
  EXPECT_EQ(run(make_query([&](Query& q) { q.symbol = "ETH/USDT"; })),
            expected([](const Record& r, auto) { return r.symbol == "ETH/USDT"; }));
  EXPECT_EQ(run(make_query([&](Query& q) { q.detector = "volume_spike"; })),
            expected([](const Record& r, auto) { return r.detector == "volume_spike"; }));
  EXPECT_EQ(run(make_query([&](Query& q) { q.severity = Severity::kCritical; })),
            expected([](const Record& r, auto) { return r.severity == Severity::kCritical; }));
  EXPECT_EQ(run(make_query([&](Query& q) { q.severity = Severity::kWarning; })),
            expected([](const Record& r, auto) { return r.severity == Severity::kWarning; }));
  EXPECT_EQ(run(make_query([&](Query& q) { q.since = kBase + seconds(30); })),
            expected([](const Record& r, auto) { return r.time >= kBase + seconds(30); }));
  EXPECT_EQ(run(make_query([&](Query& q) { q.until = kBase + seconds(10); })),
            expected([](const Record& r, auto) { return r.time < kBase + seconds(10); }));
  EXPECT_EQ(run(make_query([&](Query& q) {
              q.since = kBase + seconds(5);
              q.until = kBase + seconds(25);
            })),
            expected([](const Record& r, auto) {
              return r.time >= kBase + seconds(5) && r.time < kBase + seconds(25);
            }));
  EXPECT_EQ(run(make_query([&](Query& q) { q.before_id = ids_[20]; })),
            expected([&](const Record&, std::int64_t id) { return id < ids_[20]; }));
  EXPECT_EQ(run(make_query([&](Query& q) {
              q.exchange = "binance";
              q.symbol = "BTC/USDT";
              q.detector = "zscore";
              q.severity = Severity::kCritical;
              q.since = kBase + seconds(1);
              q.until = kBase + seconds(39);
            })),
            expected([](const Record& r, auto) {
              return r.exchange == "binance" && r.symbol == "BTC/USDT" && r.detector == "zscore" &&
                     r.severity == Severity::kCritical && r.time >= kBase + seconds(1) &&
                     r.time < kBase + seconds(39);
            }));
  EXPECT_TRUE(run(make_query([&](Query& q) { q.exchange = "coinbase"; })).empty());
  // Sanity: the combined filter is not trivially empty.
  EXPECT_FALSE(run(make_query([&](Query& q) {
                 q.exchange = "binance";
                 q.symbol = "BTC/USDT";
                 q.severity = Severity::kCritical;
               })).empty());
}

TEST_F(JournalQuery, StatsCountEachKeyWithinTheRange) {
  Stats stats;
  ASSERT_TRUE(journal_->stats(std::nullopt, std::nullopt, stats).ok());
  EXPECT_EQ(stats.total, 40);
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  EXPECT_EQ(stats.by_exchange, (Counts{{"binance", 20}, {"kraken", 20}}));
  EXPECT_EQ(stats.by_symbol, (Counts{{"BTC/USDT", 20}, {"ETH/USDT", 20}}));
  EXPECT_EQ(stats.by_detector, (Counts{{"volume_spike", 20}, {"zscore", 20}}));
  EXPECT_EQ(stats.by_severity, (Counts{{"critical", 14}, {"warning", 26}}));

  // [kBase+8, kBase+16): records 8..15; critical: 9, 12, 15.
  ASSERT_TRUE(journal_->stats(kBase + seconds(8), kBase + seconds(16), stats).ok());
  EXPECT_EQ(stats.total, 8);
  EXPECT_EQ(stats.by_exchange, (Counts{{"binance", 4}, {"kraken", 4}}));
  EXPECT_EQ(stats.by_detector, (Counts{{"volume_spike", 4}, {"zscore", 4}}));
  EXPECT_EQ(stats.by_severity, (Counts{{"critical", 3}, {"warning", 5}}));

  ASSERT_TRUE(journal_->stats(kBase + seconds(36), std::nullopt, stats).ok());
  EXPECT_EQ(stats.total, 4);
  ASSERT_TRUE(journal_->stats(std::nullopt, kBase + seconds(1), stats).ok());
  EXPECT_EQ(stats.total, 1);
  EXPECT_EQ(stats.by_symbol, (Counts{{"BTC/USDT", 1}}));
  ASSERT_TRUE(journal_->stats(kBase + hours(1), std::nullopt, stats).ok());
  EXPECT_EQ(stats.total, 0);
  EXPECT_TRUE(stats.by_exchange.empty());
}

TEST_F(JournalQuery, AfterReturnsNewerRecordsOldestFirst) {
  std::vector<Record> records;
  ASSERT_TRUE(journal_->after(ids_[9], 5, records).ok());
  EXPECT_EQ(ids_of(records), (std::vector<std::int64_t>(ids_.begin() + 10, ids_.begin() + 15)));
  EXPECT_EQ(records.front().message, "record 10");
  ASSERT_TRUE(journal_->after(ids_[37], 100, records).ok());
  EXPECT_EQ(ids_of(records), (std::vector<std::int64_t>{ids_[38], ids_[39]}));
  ASSERT_TRUE(journal_->after(ids_[39], 100, records).ok());
  EXPECT_TRUE(records.empty());
}

TEST(Journal, PagingVisitsEveryRecordOnceNewestFirst) {
  TempDir dir;
  auto journal = open_journal(options_in(dir));
  for (int i = 0; i < 250; ++i) ASSERT_TRUE(journal->append(make_record(i)));
  journal->flush();

  std::vector<std::int64_t> seen;
  std::vector<std::size_t> page_sizes;
  Query query;
  query.limit = 100;
  for (int pages = 0; pages < 10; ++pages) {
    Page page;
    ASSERT_TRUE(journal->query(query, page).ok());
    page_sizes.push_back(page.records.size());
    for (const Record& record : page.records) seen.push_back(record.id);
    if (!page.next_before_id) break;
    EXPECT_EQ(*page.next_before_id, page.records.back().id);
    query.before_id = page.next_before_id;
  }
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{100, 100, 50}));
  ASSERT_EQ(seen.size(), 250u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end(), std::greater<>()));
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 250u);

  // Exactly one full page left: no cursor for an empty next page.
  Page page;
  ASSERT_TRUE(journal
                  ->query(make_query([&](Query& q) {
                            q.before_id = seen[149];
                            q.limit = 100;
                          }),
                          page)
                  .ok());
  EXPECT_EQ(page.records.size(), 100u);
  EXPECT_FALSE(page.next_before_id);
}

TEST(Journal, LimitIsCappedAndZeroMeansTheDefault) {
  TempDir dir;
  auto options = options_in(dir);
  options.queue_capacity = 2000;
  auto journal = open_journal(options);
  for (int i = 0; i < 1010; ++i) ASSERT_TRUE(journal->append(make_record(i)));
  journal->flush();
  Page page;
  ASSERT_TRUE(journal->query(make_query([&](Query& q) { q.limit = 5000; }), page).ok());
  EXPECT_EQ(page.records.size(), kMaxLimit);
  EXPECT_TRUE(page.next_before_id);
  ASSERT_TRUE(journal->query(make_query([&](Query& q) { q.limit = 0; }), page).ok());
  EXPECT_EQ(page.records.size(), 100u);
  std::vector<Record> records;
  ASSERT_TRUE(journal->after(0, 0, records).ok());
  EXPECT_EQ(records.size(), 100u);
}

TEST(Journal, ReopeningKeepsHistoryAndIdsKeepIncreasing) {
  TempDir dir;
  std::int64_t last_id = 0;
  {
    auto journal = open_journal(options_in(dir));
    for (int i = 0; i < 5; ++i) journal->append(make_record(i));
    // No flush: closing commits what is queued.
  }
  {
    auto journal = open_journal(options_in(dir));
    const auto records = all_records(*journal);
    ASSERT_EQ(records.size(), 5u);
    for (int i = 0; i < 5; ++i) expect_same_record(records[static_cast<std::size_t>(i)], make_record(i));
    last_id = records.back().id;
    for (int i = 5; i < 10; ++i) journal->append(make_record(i));
  }
  auto journal = open_journal(options_in(dir));
  const auto records = all_records(*journal);
  ASSERT_EQ(records.size(), 10u);
  EXPECT_GT(records[5].id, last_id);
  EXPECT_TRUE(std::is_sorted(records.begin(), records.end(),
                             [](const Record& a, const Record& b) { return a.id < b.id; }));
  EXPECT_EQ(records[9].message, "record 9");
}

TEST(Journal, CreatesTheDirectoryInWalModeWithIncrementalVacuum) {
  TempDir dir;
  auto options = options_in(dir);
  options.path = dir.path() / "state" / "nested" / "journal.db";
  {
    auto journal = open_journal(options);
    ASSERT_TRUE(journal);
    journal->append(make_record(1));
    journal->flush();
    EXPECT_GT(journal->size_bytes(), 0u);
  }
  EXPECT_EQ(sqlite_text(options.path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(sqlite_text(options.path, "PRAGMA auto_vacuum"), "2");  // incremental
  EXPECT_EQ(sqlite_text(options.path, "PRAGMA user_version"), "1");
  EXPECT_NE(sqlite_text(options.path, "SELECT group_concat(name) FROM sqlite_schema WHERE type = 'index'")
                .find("anomalies_by_time"),
            std::string::npos);
}

TEST(Journal, RejectsFilesThatAreNotAJournalItCanRead) {
  TempDir dir;
  const auto text_file = dir.path() / "notes.txt";
  std::ofstream(text_file)
      << "this is not a database, not even close; it just has enough bytes in it to fail\n";
  std::unique_ptr<Journal> journal;
  Status status = Journal::open(JournalOptions{.path = text_file}, journal);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(text_file.string()), std::string::npos) << status.message();

  const auto other_db = dir.path() / "other.db";
  sqlite_text(other_db, "CREATE TABLE things (x)");
  status = Journal::open(JournalOptions{.path = other_db}, journal);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(other_db.string()), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("not a tickguard journal"), std::string::npos) << status.message();

  const auto newer = dir.path() / "newer.db";
  { open_journal(JournalOptions{.path = newer}); }
  sqlite_text(newer, "PRAGMA user_version = 2");
  EXPECT_EQ(sqlite_text(newer, "PRAGMA user_version"), "2");
  status = Journal::open(JournalOptions{.path = newer}, journal);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(newer.string()), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("newer"), std::string::npos) << status.message();
}

TEST(Journal, FullQueueDropsAndCounts) {
  TempDir dir;
  auto options = options_in(dir);
  options.queue_capacity = 4;
  options.batch_size = 1000;
  options.flush_interval = hours(1);
  auto journal = open_journal(options);
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += journal->append(make_record(i)) ? 1 : 0;
  EXPECT_EQ(accepted, 4);
  EXPECT_EQ(journal->dropped(), 6u);
  journal->flush();
  EXPECT_EQ(journal->committed(), 4u);
  EXPECT_EQ(all_records(*journal).size(), 4u);
  // Room again once the writer took the queue.
  EXPECT_TRUE(journal->append(make_record(11)));
}

TEST(Journal, OnCommitSeesEveryRecordWithIncreasingIds) {
  TempDir dir;
  auto options = options_in(dir);
  options.batch_size = 7;
  options.flush_interval = hours(1);
  auto journal = open_journal(options);
  std::mutex mutex;
  std::vector<Record> committed;
  int batches = 0;
  journal->on_commit([&](std::span<const Record> batch) {
    const std::lock_guard lock(mutex);
    ++batches;
    committed.insert(committed.end(), batch.begin(), batch.end());
  });
  for (int i = 0; i < 50; ++i) journal->append(make_record(i));
  journal->flush();
  const std::lock_guard lock(mutex);
  ASSERT_EQ(committed.size(), 50u);
  EXPECT_GE(batches, 1);
  for (std::size_t i = 0; i < committed.size(); ++i) {
    EXPECT_EQ(committed[i].message, "record " + std::to_string(i));
    EXPECT_GT(committed[i].id, 0);
    if (i > 0) {
      EXPECT_GT(committed[i].id, committed[i - 1].id);
    }
  }
  Record stored;
  ASSERT_TRUE(journal->get(committed[17].id, stored).ok());
  EXPECT_EQ(stored.message, "record 17");
}

TEST(Journal, QueriesRunConcurrentlyWithAppendsFromTwoThreads) {
  TempDir dir;
  auto options = options_in(dir);
  options.queue_capacity = 10000;
  options.batch_size = 32;
  auto journal = open_journal(options);
  constexpr int kPerThread = 2000;
  std::atomic<int> writers_done{0};
  std::atomic<int> failures{0};
  std::atomic<int> rejected{0};
  auto append_all = [&](const std::string& exchange) {
    for (int i = 0; i < kPerThread; ++i) {
      Record record = make_record(i);
      record.exchange = exchange;
      if (!journal->append(std::move(record))) ++rejected;
      if (i % 100 == 0) std::this_thread::yield();
    }
    ++writers_done;
  };
  std::thread first(append_all, "binance");
  std::thread second(append_all, "kraken");
  int queries = 0;
  while (writers_done.load() < 2 || queries < 20) {
    Page page;
    Stats stats;
    std::vector<Record> records;
    Record record;
    if (!journal
             ->query(make_query([&](Query& q) {
                       q.exchange = "kraken";
                       q.limit = 50;
                     }),
                     page)
             .ok())
      ++failures;
    if (!journal->stats(std::nullopt, std::nullopt, stats).ok()) ++failures;
    if (!journal->after(0, 10, records).ok()) ++failures;
    if (!records.empty() &&
        !journal->set_feedback(records.front().id, Verdict::kTruePositive, "seen", kBase, record).ok()) {
      ++failures;
    }
    ++queries;
  }
  first.join();
  second.join();
  journal->flush();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(rejected.load(), 0);
  EXPECT_EQ(journal->write_errors(), 0u);
  EXPECT_EQ(journal->dropped(), 0u);
  EXPECT_EQ(journal->committed(), 2u * kPerThread);
  Stats stats;
  ASSERT_TRUE(journal->stats(std::nullopt, std::nullopt, stats).ok());
  EXPECT_EQ(stats.total, 2 * kPerThread);
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  EXPECT_EQ(stats.by_exchange, (Counts{{"binance", kPerThread}, {"kraken", kPerThread}}));
}

TEST(Journal, RetentionDeletesRecordsOlderThanTheRetentionTime) {
  TempDir dir;
  auto options = options_in(dir);
  options.retention_time = hours(24 * 30);
  options.retention_check_interval = milliseconds(20);
  auto journal = open_journal(options);
  const Timestamp recent = now() - hours(1);
  const Timestamp old = now() - hours(24 * 40);
  for (int i = 0; i < 5; ++i) journal->append(make_record(i, recent));
  // The old records get the highest ids, so deleting them would let a plain rowid be reused.
  for (int i = 0; i < 10; ++i) journal->append(make_record(i, old));
  journal->flush();
  const std::int64_t highest_old_id = 15;
  ASSERT_TRUE(eventually([&] { return journal->deleted_by_retention() >= 10; }));
  EXPECT_EQ(journal->deleted_by_retention(), 10u);
  auto records = all_records(*journal);
  ASSERT_EQ(records.size(), 5u);
  for (const Record& record : records) EXPECT_GT(record.time, now() - hours(24 * 30));

  journal->append(make_record(99, recent));
  journal->flush();
  records = all_records(*journal);
  ASSERT_EQ(records.size(), 6u);
  EXPECT_GT(records.back().id, highest_old_id);
  EXPECT_EQ(records.back().message, "record 99");
}

TEST(Journal, RetentionRunsWhenTheJournalOpens) {
  TempDir dir;
  auto options = options_in(dir);
  {
    auto journal = open_journal(options);  // keeps everything
    for (int i = 0; i < 10; ++i) journal->append(make_record(i, now() - hours(24 * 40)));
    journal->append(make_record(50, now()));
  }
  options.retention_time = hours(24 * 30);
  options.retention_check_interval = hours(1);
  auto journal = open_journal(options);
  ASSERT_TRUE(eventually([&] { return journal->deleted_by_retention() >= 10; }));
  const auto records = all_records(*journal);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message, "record 50");
}

TEST(Journal, RetentionShrinksTheDatabaseBelowTheSizeLimit) {
  TempDir dir;
  auto options = options_in(dir);
  options.queue_capacity = 10000;
  constexpr int kRecords = 4000;
  const auto long_record = [](int i) {
    Record record = make_record(i, now());
    record.message += std::string(400, 'x');
    return record;
  };
  {
    auto journal = open_journal(options);  // no size limit yet
    for (int i = 0; i < kRecords; ++i) ASSERT_TRUE(journal->append(long_record(i)));
  }
  options.retention_size = 256 * 1024;
  options.retention_check_interval = milliseconds(20);
  // About 1.8 MB of messages went in.
  EXPECT_GT(std::filesystem::file_size(options.path), 4 * options.retention_size);
  auto journal = open_journal(options);
  ASSERT_TRUE(eventually([&] { return journal->size_bytes() <= options.retention_size; }))
      << journal->size_bytes();
  EXPECT_GT(journal->deleted_by_retention(), 0u);
  auto records = all_records(*journal);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.size() + journal->deleted_by_retention(), static_cast<std::size_t>(kRecords));
  // The oldest went, the newest stayed.
  EXPECT_GT(records.front().id, 1);
  EXPECT_EQ(records.back().message, long_record(kRecords - 1).message);

  // New records push the oldest out again.
  for (int i = kRecords; i < kRecords + 1000; ++i) ASSERT_TRUE(journal->append(long_record(i)));
  journal->flush();
  ASSERT_TRUE(eventually([&] { return journal->size_bytes() <= options.retention_size; }))
      << journal->size_bytes();
  records = all_records(*journal);
  EXPECT_EQ(records.size() + journal->deleted_by_retention(), static_cast<std::size_t>(kRecords + 1000));
  EXPECT_EQ(records.back().message, long_record(kRecords + 999).message);
  EXPECT_EQ(journal->write_errors(), 0u);
}

TEST(Journal, WriteErrorsAreCountedAndTheBatchIsRetried) {
  TempDir dir;
  auto options = options_in(dir);
  auto journal = open_journal(options);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(options.path.c_str(), &other), SQLITE_OK);
  // Another connection holds the write lock for longer than the journal's busy timeout.
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_TRUE(journal->append(make_record(1)));
  EXPECT_TRUE(eventually([&] { return journal->write_errors() >= 1; }));
  EXPECT_EQ(journal->committed(), 0u);
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  journal->flush();
  EXPECT_EQ(journal->committed(), 1u);
  EXPECT_EQ(journal->dropped(), 0u);
  const auto records = all_records(*journal);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message, "record 1");
}

// The child appends and flushes `kFlushed` records, tells the parent, then keeps appending until it
// is killed. Exit codes tell the parent what went wrong if it dies on its own.
[[noreturn]] void append_until_killed(const JournalOptions& options, int marker_fd, int flushed) {
  std::unique_ptr<Journal> journal;
  if (!Journal::open(options, journal).ok()) _exit(3);
  for (int i = 0; i < flushed; ++i) {
    if (!journal->append(make_record(i))) _exit(4);
  }
  journal->flush();
  if (journal->committed() != static_cast<std::uint64_t>(flushed)) _exit(5);
  const char marker = 'k';
  if (write(marker_fd, &marker, 1) != 1) _exit(6);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int i = flushed; std::chrono::steady_clock::now() < give_up;) {
    if (journal->append(make_record(i))) ++i;  // no gaps: the parent checks record i is make_record(i)
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  _exit(7);
}

TEST(Journal, SurvivesKillNineWithEveryFlushedRecordIntact) {
  TempDir dir;
  auto options = options_in(dir);
  options.flush_interval = milliseconds(1);
  options.batch_size = 8;
  constexpr int kFlushed = 300;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    append_until_killed(options, fds[1], kFlushed);
  }
  close(fds[1]);
  char marker = 0;
  const ssize_t got = read(fds[0], &marker, 1);
  close(fds[0]);
  if (got == 1) {
    // Let the child get well into committing more batches, so the kill lands mid-stream.
    std::this_thread::sleep_for(milliseconds(200));
  }
  kill(child, SIGKILL);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_EQ(got, 1) << "child exited early with status " << WEXITSTATUS(wait_status);
  ASSERT_TRUE(WIFSIGNALED(wait_status));
  EXPECT_EQ(WTERMSIG(wait_status), SIGKILL);

  EXPECT_EQ(sqlite_text(options.path, "PRAGMA integrity_check"), "ok");
  auto journal = open_journal(options);
  ASSERT_TRUE(journal);
  const auto records = all_records(*journal);
  ASSERT_GE(records.size(), static_cast<std::size_t>(kFlushed));
  for (std::size_t i = 0; i < records.size(); ++i) {
    expect_same_record(records[i], make_record(static_cast<int>(i)));
    if (i > 0) {
      EXPECT_GT(records[i].id, records[i - 1].id);
    }
  }
  // Still writable after recovery.
  EXPECT_TRUE(journal->append(make_record(static_cast<int>(records.size()))));
  journal->flush();
  EXPECT_EQ(journal->write_errors(), 0u);
  EXPECT_EQ(all_records(*journal).size(), records.size() + 1);
}

}  // namespace
}  // namespace tickguard::journal
