#include "exporters/journal/journal.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>

#include "core/log.h"

namespace tickguard::journal {
namespace {

// "TGjl" in the header's application_id field marks a file as a tickguard journal; user_version
// is the schema version. Bump kSchemaVersion (and migrate in check_schema) when the schema changes.
constexpr std::int32_t kApplicationId = 0x54476a6c;
constexpr std::int64_t kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;
// A batch that fails this many times in a row is dropped (and counted), so that a broken disk
// cannot make the journal hold more than one batch plus the queue.
constexpr int kMaxWriteAttempts = 5;
// Retention deletes in chunks so that one pass never holds the write lock for long.
constexpr std::int64_t kRetentionChunk = 10000;
constexpr std::int64_t kMinSizeChunk = 32;

// AUTOINCREMENT: ids are never reused, even after retention deleted the newest record, so an SSE
// client's Last-Event-ID stays meaningful across restarts. REAL columns are nullable: NaN is NULL.
constexpr const char* kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS anomalies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ns INTEGER NOT NULL,
  exchange TEXT NOT NULL,
  symbol TEXT NOT NULL,
  detector TEXT NOT NULL,
  severity TEXT NOT NULL,
  score REAL,
  observed REAL,
  expected_low REAL,
  expected_high REAL,
  message TEXT NOT NULL,
  price REAL,
  spread REAL,
  volume_1m REAL,
  verdict TEXT,
  comment TEXT NOT NULL DEFAULT '',
  feedback_time_ns INTEGER
);
CREATE INDEX IF NOT EXISTS anomalies_by_time ON anomalies(time_ns);
CREATE INDEX IF NOT EXISTS anomalies_by_instrument ON anomalies(exchange, symbol);
CREATE INDEX IF NOT EXISTS anomalies_by_detector ON anomalies(detector);
CREATE INDEX IF NOT EXISTS anomalies_by_severity ON anomalies(severity);
)sql";

// The columns read_record() expects, in order.
constexpr const char* kColumns =
    "id, time_ns, exchange, symbol, detector, severity, score, observed, expected_low, expected_high, "
    "message, price, spread, volume_1m, verdict, comment, feedback_time_ns";

constexpr const char* kInsert =
    "INSERT INTO anomalies (time_ns, exchange, symbol, detector, severity, score, observed, expected_low, "
    "expected_high, message, price, spread, volume_1m, verdict, comment, feedback_time_ns) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Resets a statement when a use of it ends, so that no read transaction stays open behind it.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* statement) : statement_(statement) {}
  ~ResetOnExit() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* statement_;
};

std::int64_t to_nanoseconds(Timestamp time) { return time.time_since_epoch().count(); }
Timestamp from_nanoseconds(std::int64_t ns) { return Timestamp(std::chrono::nanoseconds(ns)); }

// An error naming the database and SQLite's reason. Busy means another connection holds the lock.
Status sqlite_error(sqlite3* db, const std::string& path, std::string_view what) {
  std::string message = path + ": " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  const int code = db ? (sqlite3_errcode(db) & 0xff) : SQLITE_NOMEM;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Unavailable(std::move(message));
  return Status::Internal(std::move(message));
}

Status exec(sqlite3* db, const std::string& path, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_error(db, path, sql);
  return Status::Ok();
}

Status prepare(sqlite3* db, const std::string& path, const std::string& sql, Statement& out) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                         nullptr) != SQLITE_OK) {
    return sqlite_error(db, path, "prepare " + sql);
  }
  out.reset(raw);
  return Status::Ok();
}

// Runs a statement that yields one integer (a PRAGMA or a count).
Status query_integer(sqlite3* db, const std::string& path, const char* sql, std::int64_t& out) {
  Statement statement;
  if (Status s = prepare(db, path, sql, statement); !s.ok()) return s;
  const int rc = sqlite3_step(statement.get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db, path, sql);
  out = rc == SQLITE_ROW ? sqlite3_column_int64(statement.get(), 0) : 0;
  return Status::Ok();
}

void bind_text(sqlite3_stmt* statement, int index, std::string_view text) {
  // SQLITE_STATIC: every caller steps the statement while `text` is alive.
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void bind_real(sqlite3_stmt* statement, int index, double value) {
  if (std::isnan(value)) {
    sqlite3_bind_null(statement, index);
  } else {
    sqlite3_bind_double(statement, index, value);
  }
}

std::string column_text(sqlite3_stmt* statement, int index) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)))
              : std::string();
}

double column_real(sqlite3_stmt* statement, int index) {
  if (sqlite3_column_type(statement, index) == SQLITE_NULL) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(statement, index);
}

Severity severity_from_name(std::string_view name) {
  return name == "critical" ? Severity::kCritical : Severity::kWarning;
}

// Binds a record to kInsert's parameters.
void bind_record(sqlite3_stmt* statement, const Record& record) {
  sqlite3_bind_int64(statement, 1, to_nanoseconds(record.time));
  bind_text(statement, 2, record.exchange);
  bind_text(statement, 3, record.symbol);
  bind_text(statement, 4, record.detector);
  bind_text(statement, 5, severity_name(record.severity));
  bind_real(statement, 6, record.score);
  bind_real(statement, 7, record.observed);
  bind_real(statement, 8, record.expected_low);
  bind_real(statement, 9, record.expected_high);
  bind_text(statement, 10, record.message);
  bind_real(statement, 11, record.price);
  bind_real(statement, 12, record.spread);
  bind_real(statement, 13, record.volume_1m);
  if (record.verdict) {
    bind_text(statement, 14, verdict_name(*record.verdict));
    sqlite3_bind_int64(statement, 16, to_nanoseconds(record.feedback_time));
  } else {
    sqlite3_bind_null(statement, 14);
    sqlite3_bind_null(statement, 16);
  }
  bind_text(statement, 15, record.comment);
}

// Reads one row selected with kColumns.
Record read_record(sqlite3_stmt* statement) {
  Record record;
  record.id = sqlite3_column_int64(statement, 0);
  record.time = from_nanoseconds(sqlite3_column_int64(statement, 1));
  record.exchange = column_text(statement, 2);
  record.symbol = column_text(statement, 3);
  record.detector = column_text(statement, 4);
  record.severity = severity_from_name(column_text(statement, 5));
  record.score = column_real(statement, 6);
  record.observed = column_real(statement, 7);
  record.expected_low = column_real(statement, 8);
  record.expected_high = column_real(statement, 9);
  record.message = column_text(statement, 10);
  record.price = column_real(statement, 11);
  record.spread = column_real(statement, 12);
  record.volume_1m = column_real(statement, 13);
  if (sqlite3_column_type(statement, 14) != SQLITE_NULL) {
    record.verdict = verdict_from_name(column_text(statement, 14));
  }
  record.comment = column_text(statement, 15);
  if (sqlite3_column_type(statement, 16) != SQLITE_NULL) {
    record.feedback_time = from_nanoseconds(sqlite3_column_int64(statement, 16));
  }
  return record;
}

// One parameter of a query built from optional filters.
using Parameter = std::variant<std::string_view, std::int64_t>;

void bind_parameters(sqlite3_stmt* statement, const std::vector<Parameter>& parameters) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* text = std::get_if<std::string_view>(&parameters[i])) {
      bind_text(statement, index, *text);
    } else {
      sqlite3_bind_int64(statement, index, std::get<std::int64_t>(parameters[i]));
    }
  }
}

// Appends the event-time range [since, until) to a WHERE clause.
void add_time_range(std::optional<Timestamp> since, std::optional<Timestamp> until, std::string& sql,
                    std::vector<Parameter>& parameters) {
  if (since) {
    sql += " AND time_ns >= ?";
    parameters.emplace_back(to_nanoseconds(*since));
  }
  if (until) {
    sql += " AND time_ns < ?";
    parameters.emplace_back(to_nanoseconds(*until));
  }
}

std::int64_t effective_limit(std::size_t limit) {
  constexpr std::size_t kDefaultLimit = 100;
  return static_cast<std::int64_t>(limit == 0 ? kDefaultLimit : std::min(limit, kMaxLimit));
}

std::uint64_t file_size_or_zero(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<std::uint64_t>(size);
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  return verdict == Verdict::kTruePositive ? "true_positive" : "false_positive";
}

std::optional<Verdict> verdict_from_name(std::string_view name) {
  if (name == "true_positive") return Verdict::kTruePositive;
  if (name == "false_positive") return Verdict::kFalsePositive;
  return std::nullopt;
}

struct Journal::Impl {
  explicit Impl(const JournalOptions& journal_options)
      : options(journal_options),
        path(journal_options.path.string()),
        batch_size(std::max<std::size_t>(journal_options.batch_size, 1)) {
    queue.reserve(options.queue_capacity);
    pending.reserve(options.queue_capacity);
  }

  Status open_connection(Database& out) const {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    out.reset(raw);
    if (rc != SQLITE_OK) return sqlite_error(raw, path, "cannot open");
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    return Status::Ok();
  }

  // Creates the schema in a new file, or checks that an existing file is a journal this build reads.
  Status open_or_create_schema() {
    std::int64_t application_id = 0;
    std::int64_t version = 0;
    std::int64_t objects = 0;
    if (Status s = query_integer(writer_db.get(), path, "PRAGMA application_id", application_id); !s.ok()) {
      return s;
    }
    if (Status s = query_integer(writer_db.get(), path, "PRAGMA user_version", version); !s.ok()) return s;
    if (Status s = query_integer(writer_db.get(), path, "SELECT count(*) FROM sqlite_schema", objects);
        !s.ok()) {
      return s;
    }
    const bool fresh = application_id == 0 && version == 0 && objects == 0;
    if (!fresh && application_id != kApplicationId) {
      return Status::InvalidArgument(path +
                                     ": not a tickguard journal (an SQLite database of something else)");
    }
    if (version > kSchemaVersion) {
      return Status::InvalidArgument(path + ": journal schema version " + std::to_string(version) +
                                     " is newer than this tickguard supports (" +
                                     std::to_string(kSchemaVersion) + ")");
    }
    // auto_vacuum must be chosen before the first table exists; it cannot be switched on later
    // without a full VACUUM.
    if (fresh) {
      if (Status s = exec(writer_db.get(), path, "PRAGMA auto_vacuum = INCREMENTAL"); !s.ok()) return s;
    }
    std::string mode;
    {
      Statement statement;
      if (Status s = prepare(writer_db.get(), path, "PRAGMA journal_mode = WAL", statement); !s.ok())
        return s;
      if (sqlite3_step(statement.get()) != SQLITE_ROW)
        return sqlite_error(writer_db.get(), path, "journal_mode");
      mode = column_text(statement.get(), 0);
    }
    if (mode != "wal")
      return Status::Unavailable(path + ": cannot use WAL mode (journal_mode is " + mode + ")");
    if (Status s = exec(writer_db.get(), path, "PRAGMA synchronous = NORMAL"); !s.ok()) return s;
    if (!fresh) return Status::Ok();
    const std::string create = std::string("BEGIN IMMEDIATE;") + kCreateSchema +
                               "PRAGMA application_id = " + std::to_string(kApplicationId) +
                               "; PRAGMA user_version = " + std::to_string(kSchemaVersion) + "; COMMIT;";
    if (Status s = exec(writer_db.get(), path, create.c_str()); !s.ok()) {
      exec(writer_db.get(), path, "ROLLBACK");
      return s;
    }
    return Status::Ok();
  }

  Status open() {
    if (Status s = open_connection(writer_db); !s.ok()) return s;
    if (Status s = open_or_create_schema(); !s.ok()) return s;
    if (Status s = prepare(writer_db.get(), path, kInsert, insert); !s.ok()) return s;
    if (Status s = prepare(writer_db.get(), path, "BEGIN IMMEDIATE", begin); !s.ok()) return s;
    if (Status s = prepare(writer_db.get(), path, "COMMIT", commit); !s.ok()) return s;
    if (Status s = prepare(writer_db.get(), path,
                           "DELETE FROM anomalies WHERE id IN "
                           "(SELECT id FROM anomalies WHERE time_ns < ? ORDER BY time_ns LIMIT ?)",
                           delete_older);
        !s.ok()) {
      return s;
    }
    if (Status s = prepare(writer_db.get(), path,
                           "DELETE FROM anomalies WHERE id IN (SELECT id FROM anomalies ORDER BY id LIMIT ?)",
                           delete_oldest);
        !s.ok()) {
      return s;
    }
    if (Status s = open_connection(reader_db); !s.ok()) return s;
    return exec(reader_db.get(), path, "PRAGMA synchronous = NORMAL");
  }

  void start(Journal& owner) {
    journal = &owner;
    writer = std::thread([this] { writer_loop(); });
  }

  void shutdown() {
    {
      const std::lock_guard lock(queue_mutex);
      stop = true;
    }
    writer_wake.notify_one();
    if (writer.joinable()) writer.join();
  }

  // --- writer thread ---

  void writer_loop() {
    using Steady = std::chrono::steady_clock;
    const auto flush_interval =
        std::max<std::chrono::nanoseconds>(options.flush_interval, std::chrono::milliseconds(1));
    const auto retention_interval =
        std::max<std::chrono::nanoseconds>(options.retention_check_interval, std::chrono::milliseconds(1));
    run_retention();
    auto next_retention = Steady::now() + retention_interval;
    auto next_flush = Steady::now() + flush_interval;
    for (;;) {
      bool stopping = false;
      {
        std::unique_lock lock(queue_mutex);
        // After a failed attempt the batch waits for the next interval, whatever flush() asks.
        const bool retrying = !pending.empty();
        writer_wake.wait_until(lock, std::min(next_flush, next_retention), [&] {
          return stop || (!retrying && (queue.size() >= batch_size || flush_target > done_sequence));
        });
        stopping = stop;
        if (pending.empty()) {
          pending.swap(queue);
          pending_sequence = appended_sequence;
        }
      }
      if (!pending.empty()) write_pending(stopping);
      next_flush = Steady::now() + flush_interval;
      if (Steady::now() >= next_retention) {
        run_retention();
        next_retention = Steady::now() + retention_interval;
      }
      if (stopping) {
        const std::lock_guard lock(queue_mutex);
        if (queue.empty() && pending.empty()) break;
      }
    }
  }

  // Commits `pending` in one transaction; on failure keeps it for the next round, a bounded number
  // of times.
  void write_pending(bool stopping) {
    if (Status s = write_batch(); !s.ok()) {
      journal->write_errors_.fetch_add(1, std::memory_order_relaxed);
      ++failed_attempts;
      const bool give_up = stopping || failed_attempts >= kMaxWriteAttempts;
      log::error(give_up ? "journal: write failed, records dropped" : "journal: write failed, will retry",
                 {{"path", path},
                  {"err", s.message()},
                  {"records", static_cast<std::uint64_t>(pending.size())},
                  {"attempt", failed_attempts}});
      if (!give_up) return;
      journal->dropped_.fetch_add(pending.size(), std::memory_order_relaxed);
    } else {
      journal->committed_.fetch_add(pending.size(), std::memory_order_relaxed);
      const std::lock_guard lock(callback_mutex);
      if (on_commit) on_commit(std::span<const Record>(pending));
    }
    pending.clear();
    failed_attempts = 0;
    {
      const std::lock_guard lock(queue_mutex);
      done_sequence = pending_sequence;
    }
    flushed.notify_all();
  }

  Status write_batch() {
    sqlite3* db = writer_db.get();
    Status status;
    {
      const ResetOnExit reset_begin(begin.get());
      if (sqlite3_step(begin.get()) != SQLITE_DONE) return sqlite_error(db, path, "begin");
    }
    for (Record& record : pending) {
      const ResetOnExit reset(insert.get());
      bind_record(insert.get(), record);
      if (sqlite3_step(insert.get()) != SQLITE_DONE) {
        status = sqlite_error(db, path, "insert");
        break;
      }
      record.id = sqlite3_last_insert_rowid(db);
    }
    if (status.ok()) {
      const ResetOnExit reset_commit(commit.get());
      if (sqlite3_step(commit.get()) != SQLITE_DONE) status = sqlite_error(db, path, "commit");
    }
    if (!status.ok() && sqlite3_get_autocommit(db) == 0) exec(db, path, "ROLLBACK");
    return status;
  }

  // Bytes the records and indexes occupy: pages in use, free pages excluded. Unlike the file size
  // this drops as soon as a delete commits (the file only shrinks once incremental_vacuum and a
  // checkpoint ran, and the WAL grows with every delete), so the size loop cannot over-delete.
  Status used_bytes(std::int64_t& out) const {
    std::int64_t pages = 0;
    std::int64_t free_pages = 0;
    std::int64_t page_size = 0;
    sqlite3* db = writer_db.get();
    if (Status s = query_integer(db, path, "PRAGMA page_count", pages); !s.ok()) return s;
    if (Status s = query_integer(db, path, "PRAGMA freelist_count", free_pages); !s.ok()) return s;
    if (Status s = query_integer(db, path, "PRAGMA page_size", page_size); !s.ok()) return s;
    out = (pages - free_pages) * page_size;
    return Status::Ok();
  }

  // Deletes records with event time before the cutoff, a chunk (one transaction) at a time.
  Status delete_older_than(std::int64_t cutoff_ns, std::uint64_t& deleted) {
    for (;;) {
      const ResetOnExit reset(delete_older.get());
      sqlite3_bind_int64(delete_older.get(), 1, cutoff_ns);
      sqlite3_bind_int64(delete_older.get(), 2, kRetentionChunk);
      if (sqlite3_step(delete_older.get()) != SQLITE_DONE) {
        return sqlite_error(writer_db.get(), path, "retention by age");
      }
      const auto changes = sqlite3_changes64(writer_db.get());
      deleted += static_cast<std::uint64_t>(changes);
      if (changes < kRetentionChunk) return Status::Ok();
    }
  }

  Status delete_until_size_fits(std::uint64_t& deleted) {
    const auto limit = static_cast<std::int64_t>(options.retention_size);
    for (;;) {
      std::int64_t used = 0;
      std::int64_t rows = 0;
      if (Status s = used_bytes(used); !s.ok()) return s;
      if (used <= limit) return Status::Ok();
      if (Status s = query_integer(writer_db.get(), path, "SELECT count(*) FROM anomalies", rows); !s.ok()) {
        return s;
      }
      if (rows == 0) return Status::Ok();  // the empty schema alone exceeds the limit
      // used / rows overestimates a row (it includes the schema), so this deletes a bit too few
      // rather than too many; the loop takes another chunk if needed.
      const std::int64_t bytes_per_row = std::max<std::int64_t>(used / rows, 1);
      const std::int64_t chunk =
          std::clamp((used - limit) / bytes_per_row + 1, kMinSizeChunk, kRetentionChunk);
      const ResetOnExit reset(delete_oldest.get());
      sqlite3_bind_int64(delete_oldest.get(), 1, chunk);
      if (sqlite3_step(delete_oldest.get()) != SQLITE_DONE) {
        return sqlite_error(writer_db.get(), path, "retention by size");
      }
      deleted += static_cast<std::uint64_t>(sqlite3_changes64(writer_db.get()));
    }
  }

  void run_retention() {
    if (options.retention_time.count() <= 0 && options.retention_size == 0) return;
    std::uint64_t deleted = 0;
    Status status;
    if (options.retention_time.count() > 0) {
      const auto now =
          std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
      status = delete_older_than(to_nanoseconds(now - options.retention_time), deleted);
    }
    if (status.ok() && options.retention_size > 0) status = delete_until_size_fits(deleted);
    journal->retained_out_.fetch_add(deleted, std::memory_order_relaxed);
    if (!status.ok()) {
      journal->write_errors_.fetch_add(1, std::memory_order_relaxed);
      log::error("journal: retention failed", {{"path", path}, {"err", status.message()}});
    }
    if (deleted > 0) {
      log::info("journal: retention deleted records", {{"path", path}, {"records", deleted}});
    }
    // Give the freed pages back to the file system, then fold the WAL into the database and
    // truncate it, so that size_bytes() shows what retention kept.
    std::int64_t free_pages = 0;
    if (query_integer(writer_db.get(), path, "PRAGMA freelist_count", free_pages).ok() && free_pages > 0) {
      if (Status s = exec(writer_db.get(), path, "PRAGMA incremental_vacuum"); !s.ok()) {
        log::warn("journal: incremental vacuum failed", {{"path", path}, {"err", s.message()}});
      }
    }
    if (Status s = exec(writer_db.get(), path, "PRAGMA wal_checkpoint(TRUNCATE)"); !s.ok()) {
      log::warn("journal: checkpoint failed", {{"path", path}, {"err", s.message()}});
    }
  }

  // --- query connection (callers hold reader_mutex) ---

  Status reader_statement(const std::string& sql, sqlite3_stmt*& out) {
    auto it = reader_statements.find(sql);
    if (it == reader_statements.end()) {
      Statement statement;
      if (Status s = prepare(reader_db.get(), path, sql, statement); !s.ok()) return s;
      it = reader_statements.emplace(sql, std::move(statement)).first;
    }
    out = it->second.get();
    return Status::Ok();
  }

  // Runs a SELECT on the reader connection and calls `on_row` with each row; `what` names the
  // operation in errors.
  template <typename OnRow>
  Status select_rows(const std::string& sql, const std::vector<Parameter>& parameters, const char* what,
                     OnRow on_row) {
    sqlite3_stmt* statement = nullptr;
    if (Status s = reader_statement(sql, statement); !s.ok()) return s;
    const ResetOnExit reset(statement);
    bind_parameters(statement, parameters);
    for (;;) {
      const int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return sqlite_error(reader_db.get(), path, what);
      on_row(statement);
    }
  }

  // Runs a SELECT of kColumns and appends every row to `out`.
  Status select_records(const std::string& sql, const std::vector<Parameter>& parameters,
                        std::vector<Record>& out) {
    return select_rows(sql, parameters, "query",
                       [&out](sqlite3_stmt* statement) { out.push_back(read_record(statement)); });
  }

  // Runs a `SELECT key, count(*) ... GROUP BY key ORDER BY key`.
  Status select_counts(const std::string& sql, const std::vector<Parameter>& parameters,
                       std::vector<std::pair<std::string, std::int64_t>>& out) {
    return select_rows(sql, parameters, "stats", [&out](sqlite3_stmt* statement) {
      out.emplace_back(column_text(statement, 0), sqlite3_column_int64(statement, 1));
    });
  }

  Status get(std::int64_t id, Record& out) {
    std::vector<Record> found;
    const std::string sql = std::string("SELECT ") + kColumns + " FROM anomalies WHERE id = ?";
    if (Status s = select_records(sql, {Parameter(id)}, found); !s.ok()) return s;
    if (found.empty()) return Status::NotFound("no journal record with id " + std::to_string(id));
    out = std::move(found.front());
    return Status::Ok();
  }

  const JournalOptions options;
  const std::string path;
  const std::size_t batch_size;  // at least 1
  Journal* journal = nullptr;    // owns this; its counters are updated here

  // Writer connection: used by open() and then only by the writer thread.
  Database writer_db;
  Statement insert;
  Statement begin;
  Statement commit;
  Statement delete_older;
  Statement delete_oldest;

  std::mutex reader_mutex;
  Database reader_db;
  std::map<std::string, Statement> reader_statements;

  // Held by append() only for one push, by the writer only to swap the queue out.
  std::mutex queue_mutex;
  std::condition_variable writer_wake;
  std::condition_variable flushed;
  std::vector<Record> queue;
  std::uint64_t appended_sequence = 0;  // records accepted so far
  std::uint64_t flush_target = 0;       // the highest appended_sequence a flush() waits for
  std::uint64_t done_sequence = 0;      // records committed or dropped by the writer so far
  bool stop = false;

  // Writer thread only.
  std::vector<Record> pending;  // the batch being written (or retried)
  std::uint64_t pending_sequence = 0;
  int failed_attempts = 0;

  std::mutex callback_mutex;
  std::function<void(std::span<const Record>)> on_commit;

  std::thread writer;
};

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Journal::~Journal() { impl_->shutdown(); }

Status Journal::open(const JournalOptions& options, std::unique_ptr<Journal>& out) {
  if (options.path.empty()) return Status::InvalidArgument("journal: no database path");
  if (const auto parent = options.path.parent_path(); !parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return Status::Unavailable(options.path.string() + ": cannot create directory " + parent.string() +
                                 ": " + error.message());
    }
  }
  auto impl = std::make_unique<Impl>(options);
  if (Status s = impl->open(); !s.ok()) return s;
  out.reset(new Journal(std::move(impl)));
  out->impl_->start(*out);
  return Status::Ok();
}

bool Journal::append(Record record) {
  bool wake = false;
  {
    const std::lock_guard lock(impl_->queue_mutex);
    if (impl_->queue.size() >= impl_->options.queue_capacity) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    impl_->queue.push_back(std::move(record));
    ++impl_->appended_sequence;
    wake = impl_->queue.size() == impl_->batch_size;
  }
  if (wake) impl_->writer_wake.notify_one();
  return true;
}

void Journal::flush() {
  std::unique_lock lock(impl_->queue_mutex);
  const std::uint64_t target = impl_->appended_sequence;
  if (impl_->done_sequence >= target) return;
  impl_->flush_target = std::max(impl_->flush_target, target);
  impl_->writer_wake.notify_one();
  impl_->flushed.wait(lock, [&] { return impl_->done_sequence >= target; });
}

void Journal::on_commit(std::function<void(std::span<const Record>)> callback) {
  const std::lock_guard lock(impl_->callback_mutex);
  impl_->on_commit = std::move(callback);
}

Status Journal::query(const Query& query, Page& out) const {
  std::string sql = std::string("SELECT ") + kColumns + " FROM anomalies WHERE 1";
  std::vector<Parameter> parameters;
  const auto add_text = [&](const char* clause, const std::string& value) {
    if (value.empty()) return;
    sql += clause;
    parameters.emplace_back(std::string_view(value));
  };
  add_text(" AND exchange = ?", query.exchange);
  add_text(" AND symbol = ?", query.symbol);
  add_text(" AND detector = ?", query.detector);
  if (query.severity) {
    sql += " AND severity = ?";
    parameters.emplace_back(severity_name(*query.severity));
  }
  add_time_range(query.since, query.until, sql, parameters);
  if (query.before_id) {
    sql += " AND id < ?";
    parameters.emplace_back(*query.before_id);
  }
  // One row beyond the page tells whether another page exists.
  const std::int64_t limit = effective_limit(query.limit);
  sql += " ORDER BY id DESC LIMIT ?";
  parameters.emplace_back(limit + 1);

  out = Page{};
  {
    const std::lock_guard lock(impl_->reader_mutex);
    if (Status s = impl_->select_records(sql, parameters, out.records); !s.ok()) return s;
  }
  if (static_cast<std::int64_t>(out.records.size()) > limit) {
    out.records.pop_back();
    out.next_before_id = out.records.back().id;
  }
  return Status::Ok();
}

Status Journal::stats(std::optional<Timestamp> since, std::optional<Timestamp> until, Stats& out) const {
  std::string where = " FROM anomalies WHERE 1";
  std::vector<Parameter> parameters;
  add_time_range(since, until, where, parameters);
  out = Stats{};
  const std::lock_guard lock(impl_->reader_mutex);
  sqlite3* db = impl_->reader_db.get();
  // One read transaction: all the counts come from the same snapshot.
  if (Status s = exec(db, impl_->path, "BEGIN"); !s.ok()) return s;
  Status status;
  {
    std::vector<std::pair<std::string, std::int64_t>> total;
    status = impl_->select_counts("SELECT '', count(*)" + where, parameters, total);
    if (status.ok() && !total.empty()) out.total = total.front().second;
  }
  const std::pair<const char*, std::vector<std::pair<std::string, std::int64_t>>*> groups[] = {
      {"exchange", &out.by_exchange},
      {"symbol", &out.by_symbol},
      {"detector", &out.by_detector},
      {"severity", &out.by_severity}};
  for (const auto& [column, counts] : groups) {
    if (!status.ok()) break;
    std::string sql = std::string("SELECT ") + column + ", count(*)";
    sql += where;
    sql.append(" GROUP BY ").append(column).append(" ORDER BY ").append(column);
    status = impl_->select_counts(sql, parameters, *counts);
  }
  exec(db, impl_->path, "COMMIT");
  return status;
}

Status Journal::after(std::int64_t after_id, std::size_t limit, std::vector<Record>& out) const {
  const std::string sql =
      std::string("SELECT ") + kColumns + " FROM anomalies WHERE id > ? ORDER BY id LIMIT ?";
  out.clear();
  const std::lock_guard lock(impl_->reader_mutex);
  return impl_->select_records(sql, {Parameter(after_id), Parameter(effective_limit(limit))}, out);
}

Status Journal::get(std::int64_t id, Record& out) const {
  const std::lock_guard lock(impl_->reader_mutex);
  return impl_->get(id, out);
}

Status Journal::set_feedback(std::int64_t id, Verdict verdict, std::string comment, Timestamp when,
                             Record& out) {
  const std::string stored_comment = std::move(comment);
  const std::lock_guard lock(impl_->reader_mutex);
  sqlite3_stmt* statement = nullptr;
  // Feedback is rare and small: it writes through the query connection (waiting at most the busy
  // timeout for the writer's lock) rather than queueing behind anomaly batches.
  if (Status s = impl_->reader_statement(
          "UPDATE anomalies SET verdict = ?, comment = ?, feedback_time_ns = ? WHERE id = ?", statement);
      !s.ok()) {
    return s;
  }
  {
    const ResetOnExit reset(statement);
    bind_text(statement, 1, verdict_name(verdict));
    bind_text(statement, 2, stored_comment);
    sqlite3_bind_int64(statement, 3, to_nanoseconds(when));
    sqlite3_bind_int64(statement, 4, id);
    if (sqlite3_step(statement) != SQLITE_DONE)
      return sqlite_error(impl_->reader_db.get(), impl_->path, "feedback");
  }
  if (sqlite3_changes64(impl_->reader_db.get()) == 0) {
    return Status::NotFound("no journal record with id " + std::to_string(id));
  }
  return impl_->get(id, out);
}

std::uint64_t Journal::size_bytes() const {
  const auto& path = impl_->options.path;
  return file_size_or_zero(path) + file_size_or_zero(std::filesystem::path(path.string() + "-wal"));
}

}  // namespace tickguard::journal
