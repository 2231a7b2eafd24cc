#include "replay/replay.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>

#include "core/instrument_state.h"
#include "feeds/common/time_parse.h"
#include "replay/event_jsonl.h"
#include "replay/venue_messages.h"

namespace tickguard::replay {
namespace {

// The instrument a CSV series is replayed as.
constexpr std::string_view kCsvExchange = "replay";
constexpr std::string_view kCsvSymbol = "REPLAY";
const std::string kNoLabel;

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

// Counts raised anomalies and records them for the report, with the row and the series point
// they were raised at.
class ReportingSink final : public InstrumentSink {
 public:
  ReportingSink(ReplayStats& stats, ReportData* report, const std::size_t& row, std::size_t series)
      : stats_(stats), report_(report), row_(row), series_(series) {}
  void on_trade(const Trade&) override {}
  void on_ticker(const Ticker&) override {}
  void on_score(std::size_t, double) override {}
  void on_ensemble(double) override {}
  void on_active(std::size_t, bool) override {}
  void on_anomaly(std::size_t, const AnomalyEvent& event) override {
    ++stats_.anomalies;
    if (report_ == nullptr) return;
    ReportData::Event e;
    e.time = to_unix_seconds(event.time);
    e.row = row_;
    e.series = series_;
    e.point = report_->series[series_].times.size();
    e.detector = event.detector;
    e.severity = std::string(severity_name(event.severity));
    e.score = event.score;
    e.observed = event.observed;
    e.expected_low = event.expected_low;
    e.expected_high = event.expected_high;
    e.message = event.message;
    report_->events.push_back(std::move(e));
  }

 private:
  ReplayStats& stats_;
  ReportData* report_;
  const std::size_t& row_;
  std::size_t series_;
};

// The price a report draws for an event: a trade's price, else the mid of the best bid and ask
// (0 when one side is missing).
double report_price(const MarketEvent& event) {
  if (const auto* trade = std::get_if<Trade>(&event)) return trade->price;
  if (const auto* ticker = std::get_if<Ticker>(&event)) {
    return ticker->bid_price > 0 && ticker->ask_price > 0 ? (ticker->bid_price + ticker->ask_price) / 2 : 0;
  }
  if (const auto* book = std::get_if<BookSnapshot>(&event)) {
    return book->bid_count > 0 && book->ask_count > 0 ? (book->bids[0].price + book->asks[0].price) / 2 : 0;
  }
  return 0;
}

// "2021-10-12T00:28:43.963Z": UTC, with 3, 6 or 9 fractional digits as needed.
std::string format_rfc3339(Timestamp time) {
  const auto ns = time.time_since_epoch().count();
  auto seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  long fraction = static_cast<long>(ns % 1'000'000'000);
  if (fraction < 0) {
    fraction += 1'000'000'000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[48];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  if (fraction != 0) {
    int digits = 9;
    while (digits > 3 && fraction % 1000 == 0) {
      fraction /= 1000;
      digits -= 3;
    }
    n += static_cast<std::size_t>(std::snprintf(buffer + n, sizeof buffer - n, ".%0*ld", digits, fraction));
  }
  buffer[n] = 'Z';
  return std::string(buffer, n + 1);
}

// One replay run: every event of every input kind goes through dispatch(), which keeps one
// InstrumentState per (exchange, symbol), all sharing one DetectorContext as the instruments of
// one pipeline shard do; write_row() writes an output row and the report's point.
class ReplaySession {
 public:
  // `instrument_columns`: write exchange and symbol columns (multi-instrument inputs).
  ReplaySession(const std::vector<DetectorSpec>& detectors, std::ostream& output, ReplayStats& stats,
                ReportData* report, bool instrument_columns, bool label_column)
      : detectors_(detectors),
        output_(output),
        stats_(stats),
        report_(report),
        instrument_columns_(instrument_columns),
        label_column_(label_column) {
    output_ << (instrument_columns_ ? "timestamp,exchange,symbol,score" : "timestamp,score");
    for (const auto& spec : detectors_) output_ << ",score_" << spec.name;
    if (label_column_) output_ << ",label";
    output_ << '\n';
    if (report_ != nullptr) {
      for (const auto& spec : detectors_) report_->detectors.push_back(spec.name);
    }
  }

  struct Entry {
    Instrument instrument;
    std::size_t series = 0;
    std::unique_ptr<InstrumentState> state;
    Timestamp last_time{};  // of the last dispatched event, for the report
    double last_price = 0;
  };

  // Routes `event` to the state of (exchange, symbol), creating it on first sight, and runs it
  // through that instrument's detectors, alert gates and ensemble. The single entry point of
  // every replayed event.
  Entry& dispatch(std::string_view exchange, std::string_view symbol, MarketEvent event) {
    key_.assign(exchange);
    key_ += '\x1f';
    key_ += symbol;
    auto it = instruments_.find(key_);
    if (it == instruments_.end()) it = add(exchange, symbol);
    Entry& entry = it->second;
    std::visit([&entry](auto& e) { e.instrument = entry.instrument.id; }, event);
    if (std::holds_alternative<Trade>(event)) ++stats_.trades;
    if (std::holds_alternative<Ticker>(event)) ++stats_.tickers;
    if (std::holds_alternative<BookSnapshot>(event)) ++stats_.books;
    entry.state->handle(event);
    entry.last_time = exchange_time_of(event);
    entry.last_price = report_price(event);
    return entry;
  }

  // Writes the row of `entry`'s latest scores (and the report's point of its last event); `label`
  // is written only with a label column.
  void write_row(const Entry& entry, const std::string& timestamp, const std::string& label) {
    line_ = csv_cell(timestamp);
    if (instrument_columns_) {
      line_ += ',';
      line_ += csv_cell(entry.instrument.exchange);
      line_ += ',';
      line_ += csv_cell(entry.instrument.symbol);
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, ",%.6f", entry.state->ensemble());
    line_ += buffer;
    for (const double score : entry.state->scores()) {
      std::snprintf(buffer, sizeof buffer, ",%.6f", score);
      line_ += buffer;
    }
    if (label_column_) {
      line_ += ',';
      line_ += csv_cell(label);
    }
    line_ += '\n';
    output_ << line_;
    if (report_ != nullptr && entry.last_price > 0) {
      auto& series = report_->series[entry.series];
      series.times.push_back(to_unix_seconds(entry.last_time));
      series.prices.push_back(entry.last_price);
      series.ensemble.push_back(entry.state->ensemble());
    }
    ++stats_.rows;
    ++row_;
  }

 private:
  std::map<std::string, Entry>::iterator add(std::string_view exchange, std::string_view symbol) {
    // The state keeps a reference to its Instrument: build it in place, in the map's stable node.
    const auto it = instruments_.emplace(key_, Entry{}).first;
    Entry& entry = it->second;
    entry.instrument = Instrument{static_cast<InstrumentId>(instruments_.size() - 1), std::string(exchange),
                                  std::string(symbol)};
    if (report_ != nullptr) {
      entry.series = report_->series.size();
      report_->series.push_back(
          ReportData::Series{entry.instrument.exchange, entry.instrument.symbol, {}, {}, {}});
    }
    entry.state = std::make_unique<InstrumentState>(
        entry.instrument, detectors_, std::make_unique<ReportingSink>(stats_, report_, row_, entry.series),
        &context_);
    ++stats_.instruments;
    return it;
  }

  const std::vector<DetectorSpec>& detectors_;
  std::ostream& output_;
  ReplayStats& stats_;
  ReportData* report_;
  bool instrument_columns_;
  bool label_column_;
  DetectorContext context_;  // declared before the states that hold references into it
  std::map<std::string, Entry> instruments_;
  std::size_t row_ = 0;
  std::string key_;
  std::string line_;
};

// Reads `input` line by line, counting lines; blank lines are skipped.
class LineReader {
 public:
  explicit LineReader(std::istream& input) : input_(input) {}
  bool next(std::string& line) {
    while (std::getline(input_, line)) {
      ++number_;
      if (!trim(line).empty()) return true;
    }
    return false;
  }
  std::size_t number() const { return number_; }
  bool bad() const { return input_.bad(); }

 private:
  std::istream& input_;
  std::size_t number_ = 0;
};

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

  ReplaySession session(detectors, output, stats, report, /*instrument_columns=*/false, columns.label >= 0);
  Timestamp previous{};
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
      session.dispatch(kCsvExchange, kCsvSymbol, ticker);
    }
    Trade trade;
    trade.exchange_time = trade.receive_time = time;
    trade.price = *price;
    trade.quantity = quantity;
    trade.side = side;
    const auto& entry = session.dispatch(kCsvExchange, kCsvSymbol, trade);
    session.write_row(entry, cells[columns.timestamp], columns.label >= 0 ? cells[columns.label] : kNoLabel);
  }
  if (input.bad()) return error("read error");
  return Status::Ok();
}

std::optional<InputFormat> parse_input_format(std::string_view name) {
  if (name == "csv") return InputFormat::kCsv;
  if (name == "events") return InputFormat::kEvents;
  if (name == "binance") return InputFormat::kBinance;
  if (name == "coinbase") return InputFormat::kCoinbase;
  if (name == "kraken") return InputFormat::kKraken;
  if (name == "okx") return InputFormat::kOkx;
  if (name == "bybit") return InputFormat::kBybit;
  return std::nullopt;
}

std::optional<InputFormat> input_format_for_path(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return std::nullopt;
  std::string extension(path.substr(dot + 1));
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == "csv") return InputFormat::kCsv;
  if (extension == "jsonl" || extension == "json") return InputFormat::kEvents;
  return std::nullopt;
}

Status replay_events(std::istream& input, const std::string& input_name,
                     const std::vector<DetectorSpec>& detectors, std::ostream& output, ReplayStats& stats,
                     ReportData* report) {
  LineReader reader(input);
  const auto error = [&](const std::string& message) {
    return Status::InvalidArgument(
        input_name + ":" + std::to_string(std::max<std::size_t>(reader.number(), 1)) + ": " + message);
  };
  ReplaySession session(detectors, output, stats, report, /*instrument_columns=*/true, /*label_column=*/true);
  EventLineParser parser;
  RecordedEvent recorded;
  std::string line, message;
  while (reader.next(line)) {
    if (!parser.parse(line, recorded, message)) return error(message);
    const auto& entry = session.dispatch(recorded.exchange, recorded.symbol, recorded.event);
    session.write_row(entry, recorded.time_text, recorded.label);
  }
  if (reader.bad()) return error("read error");
  return Status::Ok();
}

Status replay_venue(std::istream& input, const std::string& input_name, std::string_view venue,
                    const std::vector<std::string>& known_symbols, const std::vector<DetectorSpec>& detectors,
                    std::ostream& output, ReplayStats& stats, ReportData* report) {
  LineReader reader(input);
  const auto error = [&](const std::string& message) {
    return Status::InvalidArgument(
        input_name + ":" + std::to_string(std::max<std::size_t>(reader.number(), 1)) + ": " + message);
  };
  auto decoder = make_venue_decoder(venue, known_symbols);
  if (!decoder) return error("unknown venue \"" + std::string(venue) + "\"");
  ReplaySession session(detectors, output, stats, report, /*instrument_columns=*/true,
                        /*label_column=*/false);
  std::vector<VenueEvent> events;
  std::string line;
  // Messages without a venue time take the latest time seen before them in the file: the venue
  // sent them after that. Until the first timed message they wait, then take its time.
  Timestamp clock{};
  std::vector<VenueEvent> waiting;
  const auto replay_one = [&](VenueEvent& decoded, Timestamp time) {
    std::visit(
        [time](auto& e) {
          if constexpr (requires { e.exchange_time; }) {
            if (e.exchange_time == Timestamp{}) e.exchange_time = time;
            e.receive_time = e.exchange_time;
          }
        },
        decoded.event);
    const auto& entry = session.dispatch(venue, decoded.symbol, decoded.event);
    session.write_row(entry, format_rfc3339(exchange_time_of(decoded.event)), kNoLabel);
  };
  while (reader.next(line)) {
    if (Status s = decoder->decode(line, events); !s.ok()) return error(s.message());
    if (events.empty()) ++stats.skipped;
    for (VenueEvent& decoded : events) {
      const Timestamp time = exchange_time_of(decoded.event);
      if (time != Timestamp{}) {
        clock = std::max(clock, time);
        for (VenueEvent& early : waiting) replay_one(early, clock);
        waiting.clear();
      }
      if (clock == Timestamp{}) {
        waiting.push_back(std::move(decoded));
      } else {
        replay_one(decoded, clock);
      }
    }
  }
  if (reader.bad()) return error("read error");
  for (VenueEvent& early : waiting) replay_one(early, clock);  // a file without any venue time
  return Status::Ok();
}

}  // namespace tickguard::replay
