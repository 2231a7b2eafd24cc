#include "replay/replay.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/instrument_state.h"
#include "feeds/common/time_parse.h"

namespace tickguard::replay {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

// Splits one CSV line into cells; a cell may be double-quoted ("" is a quote inside it). False on
// an unterminated quote.
bool split_csv(std::string_view line, std::vector<std::string>& cells) {
  cells.clear();
  std::string cell;
  bool quoted = false;
  bool was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"' && trim(cell).empty()) {
      quoted = was_quoted = true;
      cell.clear();
    } else if (c == ',') {
      cells.emplace_back(was_quoted ? cell : std::string(trim(cell)));
      cell.clear();
      was_quoted = false;
    } else {
      cell += c;
    }
  }
  if (quoted) return false;
  cells.emplace_back(was_quoted ? cell : std::string(trim(cell)));
  return true;
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// The columns this replay understands, by index in the header (-1 when absent).
struct Columns {
  int timestamp = -1;
  int price = -1;
  int value = -1;
  int volume = -1;
  int side = -1;
  int bid = -1;
  int ask = -1;
  int label = -1;
};

// Collects the latest per-detector scores; the ensemble comes from InstrumentState.
class CountingSink final : public InstrumentSink {
 public:
  CountingSink(ReplayStats& stats, ReportData* report, const std::size_t& row)
      : stats_(stats), report_(report), row_(row) {}
  void on_trade(const Trade&) override {}
  void on_ticker(const Ticker&) override {}
  void on_score(std::size_t, double) override {}
  void on_ensemble(double) override {}
  void on_active(std::size_t, bool) override {}
  void on_anomaly(std::size_t, const AnomalyEvent& event) override {
    ++stats_.anomalies;
    if (report_ == nullptr) return;
    report_->events.push_back(ReportData::Event{
        to_unix_seconds(event.time), row_, event.detector, std::string(severity_name(event.severity)),
        event.score, event.observed, event.expected_low, event.expected_high, event.message});
  }

 private:
  ReplayStats& stats_;
  ReportData* report_;
  const std::size_t& row_;
};

// A cell as CSV: quoted when it holds a comma, a quote or a line break.
std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace

bool parse_timestamp(std::string_view text, Timestamp& out) {
  text = trim(text);
  if (text.empty()) return false;
  if (text.find_first_not_of("0123456789") == std::string_view::npos && text.size() <= 18) {
    std::int64_t integer = 0;  // exact: no detour through a double
    std::from_chars(text.data(), text.data() + text.size(), integer);
    out = integer > 100'000'000'000 ? Timestamp(std::chrono::milliseconds(integer))
                                    : Timestamp(std::chrono::seconds(integer));
    return true;
  }
  if (const auto number = parse_number(text)) {
    // Unix seconds until about the year 5138; larger values are milliseconds.
    const double seconds = *number > 1e11 ? *number / 1000 : *number;
    if (seconds < 0) return false;
    out = Timestamp(std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(seconds * 1e9))));
    return true;
  }
  // "YYYY-MM-DD HH:MM:SS[.fff]" (UTC) and ISO-8601 without a zone read as UTC.
  std::string iso(text);
  if (iso.size() >= 19 && iso[10] == ' ') iso[10] = 'T';
  const bool has_zone = iso.size() > 19 && (iso.back() == 'Z' || iso.back() == 'z' ||
                                            iso.find_first_of("+-", 19) != std::string::npos);
  if (!has_zone) iso += 'Z';
  if (const auto parsed = feeds::parse_rfc3339(iso)) {
    out = *parsed;
    return true;
  }
  return false;
}

Status replay_csv(std::istream& input, const std::string& input_name,
                  const std::vector<DetectorSpec>& detectors, std::ostream& output, ReplayStats& stats,
                  ReportData* report) {
  std::size_t line_number = 0;
  const auto error = [&](const std::string& message) {
    return Status::InvalidArgument(input_name + ":" + std::to_string(line_number) + ": " + message);
  };

  std::string line;
  std::vector<std::string> cells;
  // Header.
  do {
    if (!std::getline(input, line)) {
      line_number = std::max<std::size_t>(line_number, 1);
      return error("empty input: expected a header row with a timestamp column");
    }
    ++line_number;
  } while (trim(line).empty());
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 BOM
  if (!split_csv(line, cells)) return error("unterminated quote in the header");
  Columns columns;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::string name = cells[i];
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const int index = static_cast<int>(i);
    int* slot = name == "timestamp" ? &columns.timestamp
                : name == "price"   ? &columns.price
                : name == "value"   ? &columns.value
                : name == "volume"  ? &columns.volume
                : name == "side"    ? &columns.side
                : name == "bid"     ? &columns.bid
                : name == "ask"     ? &columns.ask
                : name == "label"   ? &columns.label
                                    : nullptr;
    if (slot == nullptr) continue;  // other columns are ignored
    if (*slot >= 0) return error("column \"" + name + "\" appears twice");
    *slot = index;
  }
  if (columns.timestamp < 0) return error("missing column \"timestamp\"");
  if (columns.price < 0 && columns.value < 0) return error("missing column: need \"price\" or \"value\"");
  if (columns.price >= 0 && columns.value >= 0) return error("give either \"price\" or \"value\", not both");
  const int price_column = columns.price >= 0 ? columns.price : columns.value;
  const char* price_name = columns.price >= 0 ? "price" : "value";
  const std::size_t width = cells.size();

  // Output header.
  output << "timestamp,score";
  for (const auto& spec : detectors) output << ",score_" << spec.name;
  if (columns.label >= 0) output << ",label";
  output << '\n';

  const Instrument instrument{0, "replay", "REPLAY"};
  std::size_t row = 0;
  InstrumentState state(instrument, detectors, std::make_unique<CountingSink>(stats, report, row));
  if (report != nullptr) {
    for (const auto& spec : detectors) report->detectors.push_back(spec.name);
  }
  Timestamp previous{};
  char buffer[32];
  while (std::getline(input, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    if (!split_csv(line, cells)) return error("unterminated quote");
    if (cells.size() != width) {
      return error("expected " + std::to_string(width) + " cells as in the header, got " +
                   std::to_string(cells.size()));
    }
    Timestamp time;
    if (!parse_timestamp(cells[columns.timestamp], time)) {
      return error("unparsable timestamp \"" + cells[columns.timestamp] +
                   "\": expected Unix seconds or milliseconds, \"YYYY-MM-DD HH:MM:SS\" or ISO-8601");
    }
    if (time < previous)
      return error("timestamp \"" + cells[columns.timestamp] + "\" is earlier than the row before");
    previous = time;
    const auto price = parse_number(cells[price_column]);
    if (!price) return error(std::string("non-numeric ") + price_name + " \"" + cells[price_column] + "\"");
    if (*price <= 0)
      return error(std::string(price_name) + " must be positive, got \"" + cells[price_column] + "\"");
    double quantity = columns.value >= 0 ? 1.0 : 0.0;
    if (columns.volume >= 0 && !cells[columns.volume].empty()) {
      const auto volume = parse_number(cells[columns.volume]);
      if (!volume || *volume < 0) return error("invalid volume \"" + cells[columns.volume] + "\"");
      quantity = *volume;
    }
    Side side = Side::kUnknown;
    if (columns.side >= 0) {
      const std::string& text = cells[columns.side];
      if (text == "buy" || text == "b" || text == "BUY" || text == "Buy") {
        side = Side::kBuy;
      } else if (text == "sell" || text == "s" || text == "SELL" || text == "Sell") {
        side = Side::kSell;
      } else if (!text.empty()) {
        return error("invalid side \"" + text + "\": expected buy or sell");
      }
    }
    if (columns.bid >= 0 && columns.ask >= 0 && !cells[columns.bid].empty() && !cells[columns.ask].empty()) {
      const auto bid = parse_number(cells[columns.bid]);
      const auto ask = parse_number(cells[columns.ask]);
      if (!bid || !ask) return error("non-numeric bid or ask");
      Ticker ticker;
      ticker.exchange_time = ticker.receive_time = time;
      ticker.bid_price = *bid;
      ticker.ask_price = *ask;
      state.handle(ticker);
    }
    Trade trade;
    trade.exchange_time = trade.receive_time = time;
    trade.price = *price;
    trade.quantity = quantity;
    trade.side = side;
    state.handle(trade);

    output << csv_cell(cells[columns.timestamp]);
    std::snprintf(buffer, sizeof buffer, ",%.6f", state.ensemble());
    output << buffer;
    for (const double score : state.scores()) {
      std::snprintf(buffer, sizeof buffer, ",%.6f", score);
      output << buffer;
    }
    if (columns.label >= 0) output << ',' << csv_cell(cells[columns.label]);
    output << '\n';
    if (report != nullptr) {
      report->times.push_back(to_unix_seconds(time));
      report->prices.push_back(*price);
      report->ensemble.push_back(state.ensemble());
    }
    ++stats.rows;
    ++row;
  }
  if (input.bad()) return error("read error");
  return Status::Ok();
}

}  // namespace tickguard::replay
