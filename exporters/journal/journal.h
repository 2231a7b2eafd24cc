// Journal: the durable record of every anomaly, in an SQLite database (WAL mode) under the state
// directory.
//
// append() is called from pipeline threads and never blocks on disk: records go to a bounded
// in-memory queue (full queue: the record is dropped and counted), and one writer thread commits
// them in batches, one transaction per batch, every `flush_interval` or sooner when `batch_size`
// records wait. A crash or kill -9 loses at most the batch not yet committed; WAL keeps the file
// consistent. Queries (HTTP threads) use their own connection and never wait for the writer.
// Retention deletes records older than `retention_time` and, when the database outgrows
// `retention_size`, the oldest records until it fits.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tickguard/event.h"
#include "tickguard/sink.h"
#include "tickguard/status.h"

namespace tickguard::journal {

// What an operator said about a recorded anomaly.
enum class Verdict { kTruePositive, kFalsePositive };
std::string_view verdict_name(Verdict verdict);  // "true_positive" / "false_positive"
std::optional<Verdict> verdict_from_name(std::string_view name);

// One anomaly as stored. `id` is assigned by the journal when the record is committed (increasing;
// 0 before). NaN context fields mean "not known" (e.g. no trade seen yet) and are stored as NULL.
struct Record {
  std::int64_t id = 0;
  Timestamp time{};  // event time of the observation that raised the anomaly
  std::string exchange;
  std::string symbol;
  std::string detector;  // registry name, or "feed" for feed anomalies (book lost sync)
  Severity severity = Severity::kWarning;
  double score = 0;
  double observed = 0;
  double expected_low = 0;
  double expected_high = 0;
  std::string message;
  // Market context at the time of the anomaly.
  double price = std::numeric_limits<double>::quiet_NaN();      // last trade price
  double spread = std::numeric_limits<double>::quiet_NaN();     // relative spread, (ask - bid) / mid
  double volume_1m = std::numeric_limits<double>::quiet_NaN();  // base volume, last 60 s of event time
  // Feedback (empty until given).
  std::optional<Verdict> verdict;
  std::string comment;
  Timestamp feedback_time{};
};

struct Query {
  std::string exchange;  // empty: any
  std::string symbol;
  std::string detector;
  std::optional<Severity> severity;
  std::optional<Timestamp> since;         // inclusive, event time
  std::optional<Timestamp> until;         // exclusive, event time
  std::optional<std::int64_t> before_id;  // paging cursor: only records with id < before_id
  std::size_t limit = 100;                // capped at kMaxLimit; 0 means the default, 100
};
inline constexpr std::size_t kMaxLimit = 1000;

struct Page {
  std::vector<Record> records;                 // newest first (by id)
  std::optional<std::int64_t> next_before_id;  // set when more records match: the next page's cursor
};

// Counts of the records whose event time is in [since, until) (either bound optional).
struct Stats {
  std::int64_t total = 0;
  std::vector<std::pair<std::string, std::int64_t>> by_exchange;  // sorted by key
  std::vector<std::pair<std::string, std::int64_t>> by_symbol;
  std::vector<std::pair<std::string, std::int64_t>> by_detector;
  std::vector<std::pair<std::string, std::int64_t>> by_severity;
};

struct JournalOptions {
  std::filesystem::path path;  // the database file; its directory is created if missing
  std::chrono::nanoseconds retention_time = std::chrono::hours(24 * 30);  // 0: keep forever
  // Bytes of database pages in use ((page_count - freelist_count) * page_size), which drops as soon as a
  // delete commits; each retention pass then vacuums the free pages and truncates the WAL, so the files
  // on disk (size_bytes()) follow. 0: no limit.
  std::uint64_t retention_size = 1ull << 30;
  std::chrono::nanoseconds flush_interval = std::chrono::seconds(1);
  std::size_t batch_size = 256;       // commit early when this many records wait
  std::size_t queue_capacity = 4096;  // records waiting beyond this are dropped (and counted)
  std::chrono::nanoseconds retention_check_interval = std::chrono::minutes(1);
};

class Journal {
 public:
  // Opens (creating if needed) the database and starts the writer thread. Error (with the path and
  // SQLite's message) if the file cannot be opened, is not a tickguard journal, or is corrupt.
  static Status open(const JournalOptions& options, std::unique_ptr<Journal>& out);
  ~Journal();  // commits what is queued, then stops the writer

  // Queues one record. Any thread; never blocks on disk. False (and dropped() grows) when full.
  bool append(Record record);
  // Blocks until every record appended before the call is committed (or dropped). For shutdown
  // and tests.
  void flush();

  // Called on the writer thread with each committed batch (ids assigned), after the commit.
  // Set before records are appended; the callback must be quick (e.g. hand off to SSE clients).
  void on_commit(std::function<void(std::span<const Record>)> callback);

  // Queries: any thread, concurrent with the writer.
  Status query(const Query& query, Page& out) const;
  Status stats(std::optional<Timestamp> since, std::optional<Timestamp> until, Stats& out) const;
  // Records with id > after_id, oldest first, at most `limit` (capped at kMaxLimit; 0 means 100).
  // For SSE reconnects with Last-Event-ID.
  Status after(std::int64_t after_id, std::size_t limit, std::vector<Record>& out) const;
  // NotFound if no record has this id.
  Status get(std::int64_t id, Record& out) const;
  // Stores a verdict (replacing an earlier one). NotFound if no record has this id; `out` receives
  // the updated record.
  Status set_feedback(std::int64_t id, Verdict verdict, std::string comment, Timestamp when, Record& out);

  // Counters for metrics. Any thread.
  std::uint64_t committed() const { return committed_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t write_errors() const { return write_errors_.load(std::memory_order_relaxed); }
  std::uint64_t deleted_by_retention() const { return retained_out_.load(std::memory_order_relaxed); }
  std::uint64_t size_bytes() const;  // database + WAL file size

 private:
  struct Impl;
  explicit Journal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<std::uint64_t> committed_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> write_errors_{0};
  std::atomic<std::uint64_t> retained_out_{0};
};

// JournalSink: the Sink that records anomalies in a Journal with their market context. It follows
// each instrument's last trade price, spread and trailing 60 s volume (O(1) per event, fixed memory)
// and appends a Record on every on_anomaly and on_feed_anomaly. Everything else is ignored.
// Combine it with the Prometheus sink through a fan-out sink.
class JournalSink final : public Sink {
 public:
  explicit JournalSink(Journal& journal);
  std::unique_ptr<InstrumentSink> subscribe_instrument(const Instrument& instrument,
                                                       std::span<const std::string> detectors) override;
  std::unique_ptr<FeedStatusSink> subscribe_feed_status(const Instrument& instrument) override;
  void on_connection_state(std::string_view, bool) override {}
  void on_feed_reconnect(std::string_view) override {}
  void on_feed_error(std::string_view, std::string_view) override {}
  void on_feed_dropped_message(std::string_view) override {}
  void on_rest_request(std::string_view, std::string_view, std::string_view) override {}
  void on_rate_limit_usage(std::string_view, double) override {}
  void on_feed_anomaly(const AnomalyEvent& event) override;
  void on_injected_anomaly(const InjectedAnomaly&) override {}

 private:
  Journal& journal_;
};

}  // namespace tickguard::journal
