#include "exporters/http/anomaly_api.h"

#include <httplib.h>
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <ctime>
#include <memory>
#include <set>

#include "core/rfc3339.h"
#include "exporters/http/json_writer.h"

namespace tickguard::exporters {
namespace {

using namespace std::chrono_literals;

constexpr const char* kJson = "application/json";
constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxCommentBytes = 1000;
constexpr auto kStreamPoll = 1s;        // how often a stream checks for shutdown
constexpr auto kStreamKeepalive = 15s;  // a comment line keeps proxies from closing an idle stream

void send_error(httplib::Response& res, int status, std::string_view type, std::string_view message) {
  JsonWriter json;
  json.begin_object().field("status", "error").field("errorType", type).field("error", message).end_object();
  res.status = status;
  res.set_content(json.take(), kJson);
}

void send_data(httplib::Response& res, const std::string& data_json) {
  res.set_content(R"({"status":"success","data":)" + data_json + "}", kJson);
}

// Query parameters, checked against the names an endpoint accepts; each at most once.
class Params {
 public:
  Params(const httplib::Request& req, std::initializer_list<std::string_view> allowed) {
    const std::set<std::string_view> names(allowed);
    for (const auto& [name, value] : req.params) {
      if (!names.contains(name)) {
        error_ = "unknown query parameter \"" + name + "\"";
        return;
      }
      if (!values_.emplace(name, value).second) {
        error_ = "query parameter \"" + name + "\" given more than once";
        return;
      }
    }
  }
  const std::string& error() const { return error_; }
  std::string get(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::string() : it->second;
  }
  bool has(const std::string& name) const { return values_.contains(name); }

 private:
  std::map<std::string, std::string> values_;
  std::string error_;
};

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Reads an optional time parameter; false (with `error` set) when present but malformed.
bool time_param(const Params& params, const std::string& name, std::optional<Timestamp>& out,
                std::string& error) {
  if (!params.has(name)) return true;
  out = parse_api_time(params.get(name));
  if (!out) {
    error = "invalid \"" + name + "\": expected RFC 3339 (2026-11-21T18:00:00Z) or Unix seconds, got \"" +
            params.get(name) + "\"";
    return false;
  }
  return true;
}

bool time_range(const Params& params, std::optional<Timestamp>& since, std::optional<Timestamp>& until,
                std::string& error) {
  if (!time_param(params, "since", since, error) || !time_param(params, "until", until, error)) return false;
  if (since && until && *since > *until) {
    error = "\"since\" is after \"until\"";
    return false;
  }
  return true;
}

void write_record(JsonWriter& json, const journal::Record& record) {
  json.begin_object()
      .field("id", record.id)
      .field("time", format_api_time(record.time))
      .field("exchange", record.exchange)
      .field("symbol", record.symbol)
      .field("detector", record.detector)
      .field("severity", severity_name(record.severity))
      .field("score", record.score)
      .field("observed", record.observed);
  json.key("expected")
      .begin_object()
      .field("low", record.expected_low)
      .field("high", record.expected_high)
      .end_object();
  json.field("message", record.message);
  json.key("context")
      .begin_object()
      .field("price", record.price)
      .field("spread", record.spread)
      .field("volume_1m", record.volume_1m)
      .end_object();
  json.key("feedback");
  if (record.verdict) {
    json.begin_object()
        .field("verdict", journal::verdict_name(*record.verdict))
        .field("comment", record.comment)
        .field("time", format_api_time(record.feedback_time))
        .end_object();
  } else {
    json.null();
  }
  json.end_object();
}

void write_counts(JsonWriter& json, std::string_view name,
                  const std::vector<std::pair<std::string, std::int64_t>>& counts) {
  json.key(name).begin_object();
  for (const auto& [key, count] : counts) json.field(key, count);
  json.end_object();
}

std::string sse_event(const StreamMessage& message) {
  return "id: " + std::to_string(message.id) + "\nevent: anomaly\ndata: " + message.json + "\n\n";
}

}  // namespace

std::string record_json(const journal::Record& record) {
  JsonWriter json;
  write_record(json, record);
  return json.take();
}

std::optional<Timestamp> parse_api_time(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // Unix seconds, possibly fractional.
  if (text.find_first_not_of("0123456789.") == std::string_view::npos) {
    // Whole seconds and the fraction apart, so that the result is exact to the nanosecond.
    const std::size_t dot = text.find('.');
    const auto whole = parse_int(text.substr(0, dot));
    if (!whole || *whole > 10'000'000'000LL) return std::nullopt;  // beyond year 2286
    std::int64_t fraction_ns = 0;
    if (dot != std::string_view::npos) {
      const std::string_view fraction = text.substr(dot + 1);
      if (fraction.empty() || fraction.size() > 9 || fraction.find('.') != std::string_view::npos)
        return std::nullopt;
      std::int64_t scale = 100000000;
      for (const char c : fraction) {
        fraction_ns += (c - '0') * scale;
        scale /= 10;
      }
    }
    return Timestamp(std::chrono::seconds(*whole) + Duration(fraction_ns));
  }
  return parse_rfc3339(text);
}

std::string format_api_time(Timestamp time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buffer;
}

AnomalyApi::AnomalyApi(journal::Journal& journal, AnomalyApiHandlers handlers, const Clock& clock)
    : journal_(journal), handlers_(std::move(handlers)), clock_(clock) {}

void AnomalyApi::publish(std::span<const journal::Record> records) {
  std::vector<StreamMessage> messages;
  messages.reserve(records.size());
  for (const auto& record : records) messages.push_back({record.id, record_json(record)});
  stream_.publish(messages);
}

void AnomalyApi::close() { stream_.close(); }

void AnomalyApi::register_routes(httplib::Server& server) {
  server.Get("/api/v1/anomalies", [this](const httplib::Request& req, httplib::Response& res) {
    const Params params(
        req, {"exchange", "symbol", "detector", "severity", "since", "until", "limit", "before_id"});
    if (!params.error().empty()) return send_error(res, 400, "bad_data", params.error());
    journal::Query query;
    query.exchange = params.get("exchange");
    query.symbol = params.get("symbol");
    query.detector = params.get("detector");
    if (params.has("severity")) {
      const std::string severity = params.get("severity");
      if (severity == "warning") {
        query.severity = Severity::kWarning;
      } else if (severity == "critical") {
        query.severity = Severity::kCritical;
      } else {
        return send_error(res, 400, "bad_data", "invalid \"severity\": expected warning or critical");
      }
    }
    std::string error;
    if (!time_range(params, query.since, query.until, error)) return send_error(res, 400, "bad_data", error);
    query.limit = kDefaultLimit;
    if (params.has("limit")) {
      const auto limit = parse_int(params.get("limit"));
      if (!limit || *limit < 1) {
        return send_error(res, 400, "bad_data", "invalid \"limit\": expected a whole number >= 1");
      }
      query.limit = static_cast<std::size_t>(std::min<std::int64_t>(*limit, journal::kMaxLimit));
    }
    if (params.has("before_id")) {
      const auto before = parse_int(params.get("before_id"));
      if (!before || *before < 1) {
        return send_error(res, 400, "bad_data", "invalid \"before_id\": expected a record id >= 1");
      }
      query.before_id = *before;
    }
    journal::Page page;
    if (Status s = journal_.query(query, page); !s.ok())
      return send_error(res, 503, "unavailable", s.message());
    JsonWriter json;
    json.begin_object().key("anomalies").begin_array();
    for (const auto& record : page.records) write_record(json, record);
    json.end_array().field("limit", static_cast<std::uint64_t>(query.limit)).key("next_before_id");
    if (page.next_before_id) {
      json.value(*page.next_before_id);
    } else {
      json.null();
    }
    json.end_object();
    send_data(res, json.str());
  });

  server.Get("/api/v1/anomalies/stats", [this](const httplib::Request& req, httplib::Response& res) {
    const Params params(req, {"since", "until"});
    if (!params.error().empty()) return send_error(res, 400, "bad_data", params.error());
    std::optional<Timestamp> since, until;
    std::string error;
    if (!time_range(params, since, until, error)) return send_error(res, 400, "bad_data", error);
    journal::Stats stats;
    if (Status s = journal_.stats(since, until, stats); !s.ok()) {
      return send_error(res, 503, "unavailable", s.message());
    }
    JsonWriter json;
    json.begin_object().key("since");
    since ? json.value(format_api_time(*since)) : json.null();
    json.key("until");
    until ? json.value(format_api_time(*until)) : json.null();
    json.field("total", stats.total);
    write_counts(json, "by_exchange", stats.by_exchange);
    write_counts(json, "by_symbol", stats.by_symbol);
    write_counts(json, "by_detector", stats.by_detector);
    write_counts(json, "by_severity", stats.by_severity);
    json.end_object();
    send_data(res, json.str());
  });

  server.Get(R"(/api/v1/anomalies/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const auto id = parse_int(req.matches[1].str());
    if (!id || *id < 1)
      return send_error(res, 400, "bad_data", "invalid anomaly id \"" + req.matches[1].str() + "\"");
    journal::Record record;
    const Status s = journal_.get(*id, record);
    if (s.code() == Status::Code::kNotFound)
      return send_error(res, 404, "not_found", "no anomaly with id " + std::to_string(*id));
    if (!s.ok()) return send_error(res, 503, "unavailable", s.message());
    send_data(res, record_json(record));
  });

  server.Post(
      R"(/api/v1/anomalies/([^/]+)/feedback)", [this](const httplib::Request& req, httplib::Response& res) {
        const auto id = parse_int(req.matches[1].str());
        if (!id || *id < 1)
          return send_error(res, 400, "bad_data", "invalid anomaly id \"" + req.matches[1].str() + "\"");
        simdjson::dom::parser parser;
        simdjson::dom::element body;
        if (parser.parse(req.body).get(body) || !body.is_object()) {
          return send_error(
              res, 400, "bad_data",
              R"(expected a JSON object: {"verdict": "true_positive"|"false_positive", "comment": "..."})");
        }
        std::string_view verdict_text;
        if (body["verdict"].get(verdict_text)) {
          return send_error(res, 400, "bad_data",
                            R"("verdict" is required: "true_positive" or "false_positive")");
        }
        const auto verdict = journal::verdict_from_name(verdict_text);
        if (!verdict) {
          return send_error(res, 400, "bad_data",
                            "invalid \"verdict\" \"" + std::string(verdict_text) +
                                "\": expected true_positive or false_positive");
        }
        std::string_view comment;
        if (auto field = body["comment"]; field.error() != simdjson::NO_SUCH_FIELD) {
          if (field.get(comment)) return send_error(res, 400, "bad_data", R"("comment" must be a string)");
          if (comment.size() > kMaxCommentBytes) {
            return send_error(res, 400, "bad_data",
                              "\"comment\" is longer than " + std::to_string(kMaxCommentBytes) + " bytes");
          }
        }
        const simdjson::dom::object fields = body.get_object().value_unsafe();  // is_object() checked above
        for (auto [key, value] : fields) {
          if (key != "verdict" && key != "comment") {
            return send_error(res, 400, "bad_data", "unknown field \"" + std::string(key) + "\"");
          }
        }
        journal::Record before;
        Status s = journal_.get(*id, before);
        if (s.code() == Status::Code::kNotFound)
          return send_error(res, 404, "not_found", "no anomaly with id " + std::to_string(*id));
        if (!s.ok()) return send_error(res, 503, "unavailable", s.message());
        journal::Record after;
        s = journal_.set_feedback(*id, *verdict, std::string(comment), clock_.now(), after);
        if (s.code() == Status::Code::kNotFound)
          return send_error(res, 404, "not_found", "no anomaly with id " + std::to_string(*id));
        if (!s.ok()) return send_error(res, 503, "unavailable", s.message());
        // A verdict is counted once; repeating it (or only changing the comment) counts nothing.
        if (before.verdict != verdict && handlers_.count_feedback) {
          handlers_.count_feedback(after.detector, journal::verdict_name(*verdict));
        }
        send_data(res, record_json(after));
      });

  server.Get("/api/v1/symbols", [this](const httplib::Request& req, httplib::Response& res) {
    const Params params(req, {"exchange", "symbol"});
    if (!params.error().empty()) return send_error(res, 400, "bad_data", params.error());
    const std::string exchange = params.get("exchange"), symbol = params.get("symbol");
    JsonWriter json;
    json.begin_object().key("symbols").begin_array();
    for (const auto& state : handlers_.symbols()) {
      if ((!exchange.empty() && state.exchange != exchange) || (!symbol.empty() && state.symbol != symbol))
        continue;
      json.begin_object().field("exchange", state.exchange).field("symbol", state.symbol).key("price");
      state.price > 0 ? json.value(state.price) : json.null();
      json.key("spread");
      state.spread > 0 ? json.value(state.spread) : json.null();
      json.field("ensemble_score", state.ensemble_score)
          .field("feed_up", state.feed_up)
          .key("last_message_time");
      if (state.last_message_seconds > 0) {
        const auto millis = std::chrono::milliseconds(std::llround(state.last_message_seconds * 1000));
        json.value(format_api_time(Timestamp(std::chrono::duration_cast<Duration>(millis))));
      } else {
        json.null();
      }
      json.key("detectors").begin_array();
      for (const auto& detector : state.detectors) {
        json.begin_object()
            .field("detector", detector.detector)
            .field("score", detector.score)
            .field("active", detector.active)
            .end_object();
      }
      json.end_array().end_object();
    }
    json.end_array().end_object();
    send_data(res, json.str());
  });

  server.Get("/api/v1/stream", [this](const httplib::Request& req, httplib::Response& res) {
    const Params params(req, {"after_id"});
    if (!params.error().empty()) return send_error(res, 400, "bad_data", params.error());
    std::optional<std::int64_t> after_id;
    const std::string resume =
        req.has_header("Last-Event-ID") ? req.get_header_value("Last-Event-ID") : params.get("after_id");
    if (!resume.empty()) {
      after_id = parse_int(resume);
      if (!after_id || *after_id < 0) {
        return send_error(res, 400, "bad_data", "invalid Last-Event-ID/after_id: expected a record id");
      }
    }
    auto client = stream_.connect();
    if (!client) {
      return send_error(res, 503, "unavailable",
                        "too many open streams (at most " + std::to_string(kMaxStreams) + ")");
    }
    // Subscribed first, then the backlog read: nothing committed in between is missed, and
    // live messages already sent from the backlog are skipped by id.
    struct State {
      std::shared_ptr<EventStream::Client> client;
      std::vector<journal::Record> backlog;
      std::int64_t last_id = 0;
      bool started = false;
      std::chrono::steady_clock::time_point last_write;
    };
    auto state = std::make_shared<State>();
    state->client = client;
    if (after_id) {
      state->last_id = *after_id;
      if (!journal_.after(*after_id, journal::kMaxLimit, state->backlog).ok()) state->backlog.clear();
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [state](std::size_t, httplib::DataSink& sink) {
          auto write = [&](const std::string& text) {
            state->last_write = std::chrono::steady_clock::now();
            return sink.write(text.data(), text.size());
          };
          if (!state->started) {
            state->started = true;
            std::string head = "retry: 2000\n\n";
            for (const auto& record : state->backlog) {
              head += sse_event({record.id, record_json(record)});
              state->last_id = std::max(state->last_id, record.id);
            }
            state->backlog.clear();
            return write(head);
          }
          std::vector<StreamMessage> messages;
          switch (state->client->next(messages, kStreamPoll)) {
            case EventStream::Client::Wait::kClosed:
            case EventStream::Client::Wait::kOverflow:
              sink.done();  // the client reconnects with Last-Event-ID and catches up
              return true;
            case EventStream::Client::Wait::kTimeout:
              if (std::chrono::steady_clock::now() - state->last_write >= kStreamKeepalive) {
                return write(": keepalive\n\n");
              }
              return true;
            case EventStream::Client::Wait::kMessages: {
              std::string text;
              for (const auto& message : messages) {
                if (message.id <= state->last_id) continue;
                text += sse_event(message);
                state->last_id = message.id;
              }
              return text.empty() ? true : write(text);
            }
          }
          return true;
        },
        [this, state](bool) { stream_.disconnect(state->client); });
  });
}

}  // namespace tickguard::exporters
