// The replay's HTML report: one self-contained page with inline SVG charts and no script.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

#include "core/text_escape.h"
#include "replay/replay.h"

namespace tickguard::replay {
namespace {

constexpr double kWidth = 1000;
constexpr double kPlotHeight = 260;
constexpr double kScoreHeight = 140;
constexpr double kMargin = 50;
constexpr std::size_t kMaxPoints = 2000;  // a polyline never has more vertices than this

std::string number(double value, const char* format = "%.6g") {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string utc(double seconds) {
  const auto whole = static_cast<std::time_t>(std::floor(seconds));
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return buffer;
}

// Colours for detectors, in order; repeats after the last.
const char* colour(std::size_t index) {
  static const char* kColours[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e",
                                   "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
  return kColours[index % (sizeof kColours / sizeof kColours[0])];
}

// Downsamples `values` to at most kMaxPoints by keeping each bucket's min and max (so spikes stay).
std::vector<std::size_t> keep_extremes(const std::vector<double>& values) {
  std::vector<std::size_t> kept;
  if (values.size() <= kMaxPoints) {
    for (std::size_t i = 0; i < values.size(); ++i) kept.push_back(i);
    return kept;
  }
  const std::size_t buckets = kMaxPoints / 2;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t begin = b * values.size() / buckets;
    const std::size_t end = (b + 1) * values.size() / buckets;
    std::size_t low = begin, high = begin;
    for (std::size_t i = begin; i < end; ++i) {
      if (values[i] < values[low]) low = i;
      if (values[i] > values[high]) high = i;
    }
    kept.push_back(std::min(low, high));
    if (low != high) kept.push_back(std::max(low, high));
  }
  return kept;
}

struct Scale {
  double t0, t1, v0, v1, top, height;
  double x(double t) const {
    return kMargin + (t1 > t0 ? (t - t0) / (t1 - t0) : 0.5) * (kWidth - 2 * kMargin);
  }
  double y(double v) const { return top + height - (v1 > v0 ? (v - v0) / (v1 - v0) : 0.5) * height; }
};

std::string polyline(const std::vector<double>& times, const std::vector<double>& values, const Scale& scale,
                     const char* stroke) {
  std::string points;
  for (const std::size_t i : keep_extremes(values)) {
    points += number(scale.x(times[i]), "%.1f") + "," + number(scale.y(values[i]), "%.1f") + " ";
  }
  return "<polyline fill=\"none\" stroke=\"" + std::string(stroke) + "\" stroke-width=\"1.2\" points=\"" +
         points + "\"/>\n";
}

std::string axis_labels(const Scale& scale, const char* format) {
  std::string out;
  out +=
      "<text x=\"5\" y=\"" + number(scale.top + 10, "%.1f") + "\">" + number(scale.v1, format) + "</text>\n";
  out += "<text x=\"5\" y=\"" + number(scale.top + scale.height, "%.1f") + "\">" + number(scale.v0, format) +
         "</text>\n";
  return out;
}

// One instrument's chart: the series with its anomalies marked, and the ensemble score.
void write_chart(std::ostream& out, const ReportData& data, std::size_t index,
                 const std::map<std::string, std::size_t>& detector_index) {
  const ReportData::Series& series = data.series[index];
  if (data.series.size() > 1) {
    out << "<h2>" << escape_html(series.exchange) << " " << escape_html(series.symbol) << "</h2>\n";
  }
  if (series.times.empty()) {
    out << "<p>No prices.</p>\n";
    return;
  }
  const auto [t_first, t_last] = std::minmax_element(series.times.begin(), series.times.end());
  const double t0 = *t_first, t1 = *t_last;
  const auto [pmin, pmax] = std::minmax_element(series.prices.begin(), series.prices.end());
  const double pad = (*pmax - *pmin) * 0.05;
  const Scale price{t0, t1, *pmin - pad, *pmax + pad, 20, kPlotHeight};
  const Scale score{t0, t1, 0, 1, 40 + kPlotHeight, kScoreHeight};
  const double height = 60 + kPlotHeight + kScoreHeight;

  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << kWidth << " " << height << "\">\n";
  out << "<text x=\"" << kMargin << "\" y=\"14\">price / value</text>\n" << axis_labels(price, "%.6g");
  out << polyline(series.times, series.prices, price, "#333");
  // Anomalies: a marker on the series where it was raised, coloured by detector.
  for (const auto& event : data.events) {
    if (event.series != index) continue;
    const std::size_t point = std::min(event.point, series.prices.size() - 1);
    const auto found = detector_index.find(event.detector);
    out << "<circle cx=\"" << number(price.x(series.times[point]), "%.1f") << "\" cy=\""
        << number(price.y(series.prices[point]), "%.1f")
        << "\" r=\"5\" fill=\"none\" stroke-width=\"2\" stroke=\""
        << colour(found == detector_index.end() ? 0 : found->second) << "\"><title>"
        << escape_html(event.detector) << " (" << escape_html(event.severity) << ") at " << utc(event.time)
        << ": " << escape_html(event.message) << "</title></circle>\n";
  }
  out << "<text x=\"" << kMargin << "\" y=\"" << number(score.top - 4, "%.1f")
      << "\">ensemble score (threshold 0.5)</text>\n"
      << axis_labels(score, "%.1f");
  out << "<line x1=\"" << kMargin << "\" x2=\"" << kWidth - kMargin << "\" y1=\""
      << number(score.y(0.5), "%.1f") << "\" y2=\"" << number(score.y(0.5), "%.1f")
      << "\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>\n";
  out << polyline(series.times, series.ensemble, score, "#1f77b4");
  out << "<text x=\"" << kMargin << "\" y=\"" << height - 4 << "\">" << utc(t0) << "</text>\n";
  out << "<text x=\"" << kWidth - kMargin - 120 << "\" y=\"" << height - 4 << "\">" << utc(t1) << "</text>\n";
  out << "</svg>\n";
}

}  // namespace

void write_html_report(std::ostream& out, const std::string& title, const ReportData& data) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tickguard replay: "
      << escape_html(title) << "</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
      << "svg{background:#fafafa;border:1px solid #ddd}svg text{font-size:11px;fill:#555}"
      << "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px "
         "8px;text-align:left}"
      << "th{background:#eee}.legend span{display:inline-block;margin-right:1.2em}"
      << ".sw{display:inline-block;width:10px;height:10px;margin-right:4px}</style></head><body>\n";
  out << "<h1>tickguard replay: " << escape_html(title) << "</h1>\n";
  std::size_t points = 0;
  double t0 = 0, t1 = 0;
  for (const auto& series : data.series) {
    if (series.times.empty()) continue;
    const auto [first, last] = std::minmax_element(series.times.begin(), series.times.end());
    t0 = points == 0 ? *first : std::min(t0, *first);
    t1 = points == 0 ? *last : std::max(t1, *last);
    points += series.times.size();
  }
  if (points == 0) {
    out << "<p>The input has no rows.</p></body></html>\n";
    return;
  }
  out << "<p>" << points << " rows from " << utc(t0) << " to " << utc(t1) << " UTC";
  if (data.series.size() > 1) out << " on " << data.series.size() << " instruments";
  out << "; " << data.events.size() << " anomalies raised by " << data.detectors.size() << " detectors.";
  if (data.series.size() > kMaxReportCharts) {
    out << " Charts show the first " << kMaxReportCharts << " instruments; the table lists every anomaly.";
  }
  out << "</p>\n";

  out << "<div class=\"legend\">";
  for (std::size_t d = 0; d < data.detectors.size(); ++d) {
    out << "<span><i class=\"sw\" style=\"background:" << colour(d) << "\"></i>"
        << escape_html(data.detectors[d]) << "</span>";
  }
  out << "</div>\n";
  std::map<std::string, std::size_t> detector_index;
  for (std::size_t d = 0; d < data.detectors.size(); ++d) detector_index[data.detectors[d]] = d;
  for (std::size_t i = 0; i < data.series.size() && i < kMaxReportCharts; ++i) {
    write_chart(out, data, i, detector_index);
  }

  out << "<h2>Anomalies</h2>\n";
  if (data.events.empty()) {
    out << "<p>None raised.</p>\n";
  } else {
    const bool instruments = data.series.size() > 1;
    out << "<table><tr><th>time (UTC)</th><th>row</th>" << (instruments ? "<th>instrument</th>" : "")
        << "<th>detector</th><th>severity</th><th>score</th>"
        << "<th>observed</th><th>expected band</th><th>message</th></tr>\n";
    for (const auto& event : data.events) {
      out << "<tr><td>" << utc(event.time) << "</td><td>" << event.row + 1 << "</td><td>";
      if (instruments && event.series < data.series.size()) {
        out << escape_html(data.series[event.series].exchange) << " "
            << escape_html(data.series[event.series].symbol) << "</td><td>";
      }
      out << escape_html(event.detector) << "</td><td>" << escape_html(event.severity) << "</td><td>"
          << number(event.score, "%.3f") << "</td><td>" << number(event.observed) << "</td><td>["
          << number(event.expected_low) << ", " << number(event.expected_high) << "]</td><td>"
          << escape_html(event.message) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "</body></html>\n";
}

}  // namespace tickguard::replay
