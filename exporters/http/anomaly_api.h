// AnomalyApi: the JSON HTTP API over the anomaly journal and the live symbol state.
//
//   GET  /api/v1/anomalies?exchange=&symbol=&detector=&severity=&since=&until=&limit=&before_id=
//   GET  /api/v1/anomalies/{id}
//   GET  /api/v1/anomalies/stats?since=&until=
//   POST /api/v1/anomalies/{id}/feedback   {"verdict": "true_positive"|"false_positive", "comment": "..."}
//   GET  /api/v1/symbols
//   GET  /api/v1/stream                    Server-Sent Events of new anomalies (Last-Event-ID resumes)
//
// Responses follow the Prometheus HTTP API envelope: {"status":"success","data":...} or
// {"status":"error","errorType":"bad_data"|"not_found"|...,"error":"..."} with 400/404/503.
// README.md ("Anomaly journal and API") documents every field.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exporters/http/event_stream.h"
#include "exporters/journal/journal.h"
#include "exporters/prometheus/prometheus_sink.h"
#include "tickguard/clock.h"

namespace httplib {
class Server;
}

namespace tickguard::exporters {

struct AnomalyApiHandlers {
  std::function<std::vector<PrometheusSink::SymbolState>()> symbols;
  std::function<void(std::string_view detector, std::string_view verdict)> count_feedback;
};

class AnomalyApi {
 public:
  static constexpr std::size_t kMaxStreams = 8;       // concurrent /api/v1/stream clients
  static constexpr std::size_t kStreamBuffer = 1024;  // events a stream client may lag behind

  AnomalyApi(journal::Journal& journal, AnomalyApiHandlers handlers, const Clock& clock);

  void register_routes(httplib::Server& server);
  // Sends committed records to the stream clients (the journal's on_commit callback).
  void publish(std::span<const journal::Record> records);
  // Ends every stream, so that the HTTP server can stop.
  void close();

 private:
  journal::Journal& journal_;
  AnomalyApiHandlers handlers_;
  const Clock& clock_;
  EventStream stream_{kMaxStreams, kStreamBuffer};
};

// The JSON object of one record, as served by the API and the stream.
std::string record_json(const journal::Record& record);
// RFC 3339 ("2026-11-21T18:00:00Z", fraction and offset optional) or Unix seconds ("1763748000.5").
std::optional<Timestamp> parse_api_time(std::string_view text);
// RFC 3339 in UTC with milliseconds.
std::string format_api_time(Timestamp time);

}  // namespace tickguard::exporters
