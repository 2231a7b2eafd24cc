// The anomaly API over a real journal and a real HTTP server on 127.0.0.1.
#include "exporters/http/anomaly_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "exporters/http/http_server.h"

namespace tickguard::exporters {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Bounds every wait in this file; never a timing assertion.
constexpr auto kSafetyTimeout = 30s;

class ScratchDir {
 public:
  ScratchDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() / ("tickguard-api-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

const Timestamp kBase =
    Timestamp(std::chrono::sys_days{std::chrono::year{2026} / 11 / 21}.time_since_epoch());

journal::Record make_record(int i) {
  journal::Record record;
  record.time = kBase + std::chrono::seconds(i);
  record.exchange = i % 2 == 0 ? "simex" : "mockex";
  record.symbol = i % 3 == 0 ? "BTC/USDT" : "ETH/USDT";
  record.detector = i % 5 == 0 ? "pump_dump" : "zscore";
  record.severity = i % 4 == 0 ? Severity::kCritical : Severity::kWarning;
  record.score = 0.75;
  record.observed = 101.5;
  record.expected_low = 99;
  record.expected_high = 100;
  record.message = "zscore: \"quoted\" message " + std::to_string(i);
  record.price = 101.5;
  return record;
}

// Parsed JSON body; the document lives as long as this object.
struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Json(const std::string& text) {
    if (parser.parse(text).get(root)) ADD_FAILURE() << "not JSON: " << text;
  }
  simdjson::dom::element data() const { return root["data"].value(); }
};

class AnomalyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    journal::JournalOptions options;
    options.path = dir_.path() / "journal.db";
    options.flush_interval = 5ms;
    ASSERT_TRUE(journal::Journal::open(options, journal_).ok());
    api_ = std::make_unique<AnomalyApi>(
        *journal_,
        AnomalyApiHandlers{[this] { return symbols_; },
                           [this](std::string_view detector, std::string_view verdict) {
                             std::lock_guard lock(mutex_);
                             feedback_.push_back(std::string(detector) + "/" + std::string(verdict));
                           }},
        clock_);
    journal_->on_commit([this](std::span<const journal::Record> records) { api_->publish(records); });
    // As many workers as the daemon's server has: event streams hold theirs.
    server_.new_task_queue = [] { return new httplib::ThreadPool(HttpServer::kWorkerThreads); };
    api_->register_routes(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10);
  }
  void TearDown() override {
    api_->close();
    server_.stop();
    thread_.join();
    journal_.reset();
  }

  void append(int from, int to) {
    for (int i = from; i < to; ++i) ASSERT_TRUE(journal_->append(make_record(i)));
    journal_->flush();
  }
  std::string get(const std::string& path, int expected_status = 200) {
    auto res = client_->Get(path.c_str());
    if (!res) {
      ADD_FAILURE() << "no response for " << path;
      return {};
    }
    EXPECT_EQ(res->status, expected_status) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    return res->body;
  }
  std::vector<std::int64_t> ids(const std::string& path) {
    Json json(get(path));
    std::vector<std::int64_t> out;
    for (auto record : json.data()["anomalies"].get_array()) out.push_back(record["id"].get_int64().value());
    return out;
  }

  ScratchDir dir_;
  SystemClock clock_;
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<AnomalyApi> api_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
  std::vector<PrometheusSink::SymbolState> symbols_;
  std::mutex mutex_;
  std::vector<std::string> feedback_;
};

TEST_F(AnomalyApiTest, ListsNewestFirstAndPagesThroughEveryRecordOnce) {
  append(0, 250);
  std::set<std::int64_t> seen;
  std::string path = "/api/v1/anomalies?limit=100";
  int pages = 0;
  for (;;) {
    Json json(get(path));
    std::int64_t previous = INT64_MAX;
    for (auto record : json.data()["anomalies"].get_array()) {
      const std::int64_t id = record["id"].get_int64().value();
      EXPECT_LT(id, previous);
      previous = id;
      EXPECT_TRUE(seen.insert(id).second) << id;
    }
    ++pages;
    auto next = json.data()["next_before_id"];
    if (next.is_null()) break;
    path = "/api/v1/anomalies?limit=100&before_id=" + std::to_string(next.get_int64().value());
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 250u);
}

TEST_F(AnomalyApiTest, RecordsCarryEveryFieldAndEscapedText) {
  append(0, 1);
  Json json(get("/api/v1/anomalies"));
  auto record = json.data()["anomalies"].at(0);
  EXPECT_EQ(record["time"].get_string().value(), "2026-11-21T00:00:00.000Z");
  EXPECT_EQ(record["exchange"].get_string().value(), "simex");
  EXPECT_EQ(record["symbol"].get_string().value(), "BTC/USDT");
  EXPECT_EQ(record["detector"].get_string().value(), "pump_dump");
  EXPECT_EQ(record["severity"].get_string().value(), "critical");
  EXPECT_EQ(record["score"].get_double().value(), 0.75);
  EXPECT_EQ(record["observed"].get_double().value(), 101.5);
  EXPECT_EQ(record["expected"]["low"].get_double().value(), 99);
  EXPECT_EQ(record["expected"]["high"].get_double().value(), 100);
  EXPECT_EQ(record["message"].get_string().value(), "zscore: \"quoted\" message 0");
  EXPECT_EQ(record["context"]["price"].get_double().value(), 101.5);
  EXPECT_TRUE(record["context"]["spread"].is_null());  // unknown context is null
  EXPECT_TRUE(record["feedback"].is_null());
}

TEST_F(AnomalyApiTest, FiltersCombine) {
  append(0, 60);
  const auto critical_simex = ids("/api/v1/anomalies?exchange=simex&severity=critical&limit=1000");
  // i % 4 == 0 implies even, so every critical record is on simex: 0, 4, ..., 56.
  EXPECT_EQ(critical_simex.size(), 15u);
  EXPECT_EQ(ids("/api/v1/anomalies?detector=pump_dump&symbol=BTC/USDT").size(), 4u);  // i % 15 == 0
  EXPECT_EQ(ids("/api/v1/anomalies?exchange=nowhere").size(), 0u);
  // Time range: since inclusive, until exclusive; RFC 3339 and Unix seconds alike.
  const auto since = std::chrono::duration_cast<std::chrono::seconds>(kBase.time_since_epoch()).count() + 10;
  EXPECT_EQ(ids("/api/v1/anomalies?since=" + std::to_string(since) + "&until=2026-11-21T00:00:20Z").size(),
            10u);
  EXPECT_EQ(ids("/api/v1/anomalies?since=2026-11-21T01:00:10%2B01:00&until=2026-11-21T00:00:12.5Z").size(),
            3u);
}

TEST_F(AnomalyApiTest, LimitIsCappedAndReported) {
  append(0, 3);
  Json json(get("/api/v1/anomalies?limit=5000"));
  EXPECT_EQ(json.data()["limit"].get_uint64().value(), journal::kMaxLimit);
  Json defaulted(get("/api/v1/anomalies"));
  EXPECT_EQ(defaulted.data()["limit"].get_uint64().value(), 100u);
  EXPECT_TRUE(defaulted.data()["next_before_id"].is_null());
}

TEST_F(AnomalyApiTest, BadParametersAre400WithAJsonError) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/v1/anomalies?limit=0", "limit"},
      {"/api/v1/anomalies?limit=ten", "limit"},
      {"/api/v1/anomalies?severity=high", "severity"},
      {"/api/v1/anomalies?since=yesterday", "since"},
      {"/api/v1/anomalies?until=2026-13-01T00:00:00Z", "until"},
      {"/api/v1/anomalies?since=2026-11-22T00:00:00Z&until=2026-11-21T00:00:00Z", "after"},
      {"/api/v1/anomalies?before_id=-3", "before_id"},
      {"/api/v1/anomalies?exchnage=simex", "unknown query parameter \"exchnage\""},
      {"/api/v1/anomalies?exchange=a&exchange=b", "more than once"},
      {"/api/v1/anomalies/stats?since=noon", "since"},
      {"/api/v1/anomalies/stats?limit=3", "unknown query parameter"},
      {"/api/v1/anomalies/abc", "invalid anomaly id"},
      {"/api/v1/stream?after_id=x", "after_id"},
  };
  for (const auto& [path, needle] : cases) {
    Json json(get(path, 400));
    EXPECT_EQ(json.root["status"].get_string().value(), "error") << path;
    EXPECT_EQ(json.root["errorType"].get_string().value(), "bad_data") << path;
    EXPECT_THAT(std::string(json.root["error"].get_string().value()), HasSubstr(needle)) << path;
  }
}

TEST_F(AnomalyApiTest, OneRecordByIdAndUnknownIdsAre404) {
  append(0, 2);
  Json json(get("/api/v1/anomalies/2"));
  EXPECT_EQ(json.data()["id"].get_int64().value(), 2);
  Json missing(get("/api/v1/anomalies/99", 404));
  EXPECT_EQ(missing.root["errorType"].get_string().value(), "not_found");
}

TEST_F(AnomalyApiTest, FeedbackIsStoredServedAndCountedOncePerVerdict) {
  append(0, 1);  // id 1, detector pump_dump
  auto post = [&](const std::string& body, int expected) {
    auto res = client_->Post("/api/v1/anomalies/1/feedback", body, "application/json");
    EXPECT_TRUE(res);
    if (!res) return std::string();
    EXPECT_EQ(res->status, expected) << body << ": " << res->body;
    return res->body;
  };
  Json stored(post(R"({"verdict":"true_positive","comment":"confirmed on the venue"})", 200));
  EXPECT_EQ(stored.data()["feedback"]["verdict"].get_string().value(), "true_positive");
  EXPECT_EQ(stored.data()["feedback"]["comment"].get_string().value(), "confirmed on the venue");
  post(R"({"verdict":"true_positive","comment":"again"})", 200);  // same verdict: not counted twice
  post(R"({"verdict":"false_positive"})", 200);
  Json reread(get("/api/v1/anomalies/1"));
  EXPECT_EQ(reread.data()["feedback"]["verdict"].get_string().value(), "false_positive");
  {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(feedback_, (std::vector<std::string>{"pump_dump/true_positive", "pump_dump/false_positive"}));
  }
  for (const char* bad :
       {"", "not json", "[]", R"({"comment":"x"})", R"({"verdict":"maybe"})", R"({"verdict":true})",
        R"({"verdict":"true_positive","comment":3})", R"({"verdict":"true_positive","extra":1})"}) {
    Json error(post(bad, 400));
    EXPECT_EQ(error.root["errorType"].get_string().value(), "bad_data") << bad;
  }
  post(R"({"verdict":"true_positive","comment":")" + std::string(1001, 'x') + "\"}", 400);
  auto res =
      client_->Post("/api/v1/anomalies/404/feedback", R"({"verdict":"true_positive"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(feedback_.size(), 2u);
}

TEST_F(AnomalyApiTest, StatsCountByEachDimensionWithinTheRange) {
  append(0, 20);
  Json json(get("/api/v1/anomalies/stats?since=2026-11-21T00:00:10Z"));
  auto data = json.data();
  EXPECT_EQ(data["total"].get_int64().value(), 10);
  EXPECT_EQ(data["since"].get_string().value(), "2026-11-21T00:00:10.000Z");
  EXPECT_TRUE(data["until"].is_null());
  EXPECT_EQ(data["by_exchange"]["simex"].get_int64().value(), 5);
  EXPECT_EQ(data["by_exchange"]["mockex"].get_int64().value(), 5);
  EXPECT_EQ(data["by_detector"]["pump_dump"].get_int64().value(), 2);  // 10, 15
  EXPECT_EQ(data["by_severity"]["critical"].get_int64().value(), 2);   // 12, 16
}

TEST_F(AnomalyApiTest, SymbolsServeTheLiveStateWithUnknownValuesAsNull) {
  PrometheusSink::SymbolState btc;
  btc.exchange = "simex";
  btc.symbol = "BTC/USDT";
  btc.price = 60000.5;
  btc.spread = 0.0002;
  btc.ensemble_score = 0.7;
  btc.feed_up = true;
  btc.last_message_seconds = 1763683200.25;
  btc.detectors = {{"cusum", 0.2, false}, {"zscore", 0.9, true}};
  PrometheusSink::SymbolState eth;
  eth.exchange = "mockex";
  eth.symbol = "ETH/USDT";
  symbols_ = {btc, eth};

  Json json(get("/api/v1/symbols"));
  auto list = json.data()["symbols"].get_array();
  ASSERT_EQ(list.size(), 2u);
  auto first = list.at(0);
  EXPECT_EQ(first["exchange"].get_string().value(), "simex");
  EXPECT_EQ(first["price"].get_double().value(), 60000.5);
  EXPECT_EQ(first["spread"].get_double().value(), 0.0002);
  EXPECT_EQ(first["ensemble_score"].get_double().value(), 0.7);
  EXPECT_TRUE(first["feed_up"].get_bool().value());
  EXPECT_EQ(first["last_message_time"].get_string().value(), "2025-11-21T00:00:00.250Z");
  EXPECT_EQ(first["detectors"].at(1)["detector"].get_string().value(), "zscore");
  EXPECT_TRUE(first["detectors"].at(1)["active"].get_bool().value());
  auto second = list.at(1);
  EXPECT_TRUE(second["price"].is_null());
  EXPECT_TRUE(second["spread"].is_null());
  EXPECT_TRUE(second["last_message_time"].is_null());
  EXPECT_FALSE(second["feed_up"].get_bool().value());

  Json filtered(get("/api/v1/symbols?exchange=mockex"));
  EXPECT_EQ(filtered.data()["symbols"].get_array().size(), 1u);
}

// Reads an event stream on its own thread, collecting the ids of anomaly events.
class StreamReader {
 public:
  StreamReader(int port, std::string path, httplib::Headers headers = {}) {
    thread_ = std::thread([this, port, path = std::move(path), headers = std::move(headers)] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(60);
      auto res = client.Get(path.c_str(), headers, [this](const char* data, std::size_t size) {
        std::lock_guard lock(mutex_);
        text_.append(data, size);
        changed_.notify_all();
        return !stop_;
      });
      std::lock_guard lock(mutex_);
      status_ = res ? res->status : -1;
      ended_ = true;
      changed_.notify_all();
    });
  }
  ~StreamReader() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    thread_.join();
  }
  // Waits until `count` anomaly events arrived; their ids in order.
  std::vector<std::int64_t> wait_for_events(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kSafetyTimeout, [&] { return parse().size() >= count || ended_; });
    return parse();
  }
  bool wait_for_end() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kSafetyTimeout, [&] { return ended_; });
  }
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  std::vector<std::int64_t> parse() const {
    std::vector<std::int64_t> ids;
    std::size_t at = 0;
    while ((at = text_.find("id: ", at)) != std::string::npos) {
      const std::size_t end = text_.find('\n', at);
      if (end == std::string::npos) break;
      // Only complete events (terminated by a blank line) count.
      if (text_.find("\n\n", end) == std::string::npos) break;
      ids.push_back(std::stoll(text_.substr(at + 4, end - at - 4)));
      at = end;
    }
    return ids;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::string text_;
  bool stop_ = false;
  bool ended_ = false;
  int status_ = 0;
  std::thread thread_;
};

TEST_F(AnomalyApiTest, StreamReplaysAfterTheGivenIdThenDeliversNewRecordsLive) {
  append(0, 5);  // ids 1..5
  StreamReader reader(port_, "/api/v1/stream?after_id=2");
  EXPECT_EQ(reader.wait_for_events(3), (std::vector<std::int64_t>{3, 4, 5}));
  append(5, 7);  // ids 6, 7: committed, then published
  EXPECT_EQ(reader.wait_for_events(5), (std::vector<std::int64_t>{3, 4, 5, 6, 7}));
  const std::string text = reader.text();
  EXPECT_THAT(text, HasSubstr("retry: 2000\n\n"));
  EXPECT_THAT(text, HasSubstr("event: anomaly\ndata: {\"id\":7,"));
  api_->close();  // shutdown ends the stream
  EXPECT_TRUE(reader.wait_for_end());
}

TEST_F(AnomalyApiTest, StreamResumesFromLastEventIdAndWithoutOneSendsOnlyNewRecords) {
  append(0, 4);
  StreamReader resumed(port_, "/api/v1/stream", {{"Last-Event-ID", "3"}});
  EXPECT_EQ(resumed.wait_for_events(1), (std::vector<std::int64_t>{4}));
  StreamReader fresh(port_, "/api/v1/stream");
  // The fresh stream has no backlog: wait until it is registered, then commit one record.
  for (int i = 0; i < 3000 && (fresh.text().empty()); ++i) std::this_thread::sleep_for(1ms);
  append(4, 5);
  EXPECT_EQ(fresh.wait_for_events(1), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(resumed.wait_for_events(2), (std::vector<std::int64_t>{4, 5}));
  api_->close();
}

TEST_F(AnomalyApiTest, StreamsBeyondTheLimitAre503) {
  std::vector<std::unique_ptr<StreamReader>> readers;
  for (std::size_t i = 0; i < AnomalyApi::kMaxStreams; ++i) {
    readers.push_back(std::make_unique<StreamReader>(port_, "/api/v1/stream"));
  }
  for (auto& reader : readers) {
    for (int i = 0; i < 5000 && reader->text().empty(); ++i) std::this_thread::sleep_for(1ms);
    ASSERT_FALSE(reader->text().empty());
  }
  Json json(get("/api/v1/stream", 503));
  EXPECT_THAT(std::string(json.root["error"].get_string().value()), HasSubstr("too many open streams"));
  api_->close();
}

TEST(ApiTime, ParsesRfc3339AndUnixSecondsAndRejectsTheRest) {
  const Timestamp midnight = kBase;
  EXPECT_EQ(parse_api_time("2026-11-21T00:00:00Z"), midnight);
  EXPECT_EQ(parse_api_time("2026-11-21t00:00:00z"), midnight);
  EXPECT_EQ(parse_api_time("2026-11-21T02:30:00+02:30"), midnight);
  EXPECT_EQ(parse_api_time("2026-11-20T23:00:00-01:00"), midnight);
  EXPECT_EQ(parse_api_time("2026-11-21T00:00:00.123456789Z"), midnight + 123456789ns);
  EXPECT_EQ(parse_api_time("2026-11-21T00:00:00.5Z"), midnight + 500ms);
  const auto unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(midnight.time_since_epoch()).count();
  EXPECT_EQ(parse_api_time(std::to_string(unix_seconds)), midnight);
  EXPECT_EQ(parse_api_time(std::to_string(unix_seconds) + ".25"), midnight + 250ms);
  for (const char* bad :
       {"", "now", "2026-11-21", "2026-11-21T00:00:00", "2026-02-30T00:00:00Z", "2026-11-21T24:00:00Z",
        "2026-11-21T00:00:00.Z", "2026-11-21T00:00:00Zjunk", "-5", "1.2.3", "2026-11-21T00:00:00+0200"}) {
    EXPECT_EQ(parse_api_time(bad), std::nullopt) << bad;
  }
}

TEST(ApiTime, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_api_time(kBase + 1500ms), "2026-11-21T00:00:01.500Z");
  EXPECT_EQ(parse_api_time(format_api_time(kBase + 42ms)), kBase + 42ms);
}

}  // namespace
}  // namespace tickguard::exporters
