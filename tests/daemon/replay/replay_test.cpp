#include "replay/replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "detectors/statistical/zscore_detector.h"

namespace tickguard::replay {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<DetectorSpec> zscore_only() {
  return {DetectorSpec{"zscore", AlertOptions{}, [] {
                         ZScoreDetector::Options options;
                         options.window = 50;
                         options.min_samples = 20;
                         return std::make_unique<ZScoreDetector>(options);
                       }}};
}

struct Result {
  Status status;
  std::string output;
  ReplayStats stats;
};

Result run(const std::string& csv) {
  std::istringstream input(csv);
  std::ostringstream output;
  Result r;
  r.status = replay_csv(input, "in.csv", zscore_only(), output, r.stats);
  r.output = output.str();
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A quiet random walk of `n` rows with one jump at row `jump` (0 = none), labelled.
std::string series(int n, int jump) {
  std::string csv = "timestamp,price,volume,label\n";
  double price = 100;
  for (int i = 0; i < n; ++i) {
    price *= 1 + 0.0005 * std::sin(i * 1.7) + 0.0003 * std::cos(i * 0.31);
    if (i == jump) price *= 1.05;
    csv +=
        std::to_string(1700000000 + i) + "," + std::to_string(price) + ",1," + (i == jump ? "1" : "0") + "\n";
  }
  return csv;
}

TEST(Replay, WritesTheDocumentedColumnsOneRowPerInputRow) {
  const Result r = run(series(100, 0));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const auto out = lines(r.output);
  ASSERT_EQ(out.size(), 101U);
  EXPECT_EQ(out[0], "timestamp,score,score_zscore,label");
  EXPECT_THAT(out[1], StartsWith("1700000000,0.000000,0.000000,"));
  EXPECT_EQ(r.stats.rows, 100U);
}

TEST(Replay, ScoresTheJumpAndLabelsPassThrough) {
  const Result r = run(series(200, 150));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const auto out = lines(r.output);
  // Row 150 (line 151): the jump is scored at 1 by zscore; with one detector the ensemble equals it.
  EXPECT_THAT(out[151], StartsWith("1700000150,1.000000,1.000000,1")) << out[151];
  EXPECT_THAT(out[150], HasSubstr(",0"));
  EXPECT_EQ(r.stats.anomalies, 1U);
}

TEST(Replay, AcceptsEveryDocumentedTimestampForm) {
  Timestamp t;
  ASSERT_TRUE(parse_timestamp("1700000000", t));
  EXPECT_EQ(t, Timestamp(std::chrono::seconds(1700000000)));
  ASSERT_TRUE(parse_timestamp("1700000000123", t));
  EXPECT_EQ(t, Timestamp(std::chrono::milliseconds(1700000000123)));
  ASSERT_TRUE(parse_timestamp("1700000000.5", t));
  EXPECT_EQ(t, Timestamp(std::chrono::milliseconds(1700000000500)));
  ASSERT_TRUE(parse_timestamp("2023-11-14 22:13:20", t));
  EXPECT_EQ(t, Timestamp(std::chrono::seconds(1700000000)));
  ASSERT_TRUE(parse_timestamp("2023-11-14T22:13:20Z", t));
  EXPECT_EQ(t, Timestamp(std::chrono::seconds(1700000000)));
  ASSERT_TRUE(parse_timestamp("2023-11-14T23:13:20+01:00", t));
  EXPECT_EQ(t, Timestamp(std::chrono::seconds(1700000000)));
  EXPECT_FALSE(parse_timestamp("yesterday", t));
  EXPECT_FALSE(parse_timestamp("", t));
}

TEST(Replay, ValueColumnIsReplayedAsAPriceSeries) {
  const Result r = run("timestamp,value\n1,10\n2,10.5\n3,11\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(lines(r.output).size(), 4U);
  EXPECT_EQ(lines(r.output)[0], "timestamp,score,score_zscore");
}

TEST(Replay, BadInputNamesFileAndLine) {
  EXPECT_EQ(run("").status.message(), "in.csv:1: empty input: expected a header row with a timestamp column");
  EXPECT_EQ(run("time,price\n1,2\n").status.message(), "in.csv:1: missing column \"timestamp\"");
  EXPECT_EQ(run("timestamp,volume\n1,2\n").status.message(),
            "in.csv:1: missing column: need \"price\" or \"value\"");
  EXPECT_THAT(run("timestamp,price\n1,10\nnoon,11\n").status.message(),
              StartsWith("in.csv:3: unparsable timestamp \"noon\""));
  EXPECT_EQ(run("timestamp,price\n1,10\n2,abc\n").status.message(), "in.csv:3: non-numeric price \"abc\"");
  EXPECT_EQ(run("timestamp,price\n1,10\n2\n").status.message(),
            "in.csv:3: expected 2 cells as in the header, got 1");
  EXPECT_THAT(run("timestamp,price\n5,10\n4,11\n").status.message(),
              StartsWith("in.csv:3: timestamp \"4\" is earlier"));
  EXPECT_EQ(run("timestamp,value\n1,-3\n").status.message(), "in.csv:2: value must be positive, got \"-3\"");
  EXPECT_EQ(run("timestamp,price,side\n1,10,up\n").status.message(),
            "in.csv:2: invalid side \"up\": expected buy or sell");
}

TEST(Replay, QuotedCellsAndExtraColumns) {
  const Result r = run("note,timestamp,price,label\n\"a, b\",1,10,\"x,y\"\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(lines(r.output)[1], "1,0.000000,0.000000,\"x,y\"");
}

TEST(ReplayReport, ShowsSeriesScoreThresholdAndEveryEvent) {
  std::istringstream input(series(3000, 2500));
  std::ostringstream output;
  ReplayStats stats;
  ReportData data;
  ASSERT_TRUE(replay_csv(input, "in.csv", zscore_only(), output, stats, &data).ok());
  ASSERT_EQ(data.series.size(), 1U);
  ASSERT_EQ(data.series[0].times.size(), 3000U);
  ASSERT_EQ(data.events.size(), 1U);
  EXPECT_EQ(data.events[0].row, 2500U);
  EXPECT_EQ(data.events[0].detector, "zscore");
  std::ostringstream html;
  write_html_report(html, "in <test>.csv", data);
  const std::string page = html.str();
  EXPECT_THAT(page, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(page, HasSubstr("tickguard replay: in &lt;test&gt;.csv"));  // escaped
  EXPECT_THAT(page, HasSubstr("3000 rows from 2023-11-14 22:13:20 to 2023-11-14 23:03:19 UTC"));
  EXPECT_THAT(page, HasSubstr("ensemble score (threshold 0.5)"));
  EXPECT_THAT(page, HasSubstr("<td>2501</td><td>zscore</td>"));
  // Self-contained: nothing is fetched, nothing runs.
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("href="), std::string::npos);
  // 3000 rows are drawn with at most 2000 vertices per line.
  const std::size_t first = page.find("<polyline");
  const std::size_t end = page.find("/>", first);
  const std::string points = page.substr(first, end - first);
  EXPECT_LE(std::count(points.begin(), points.end(), ','), 2001);
}

TEST(ReplayReport, EmptyInputStillWritesAPage) {
  std::ostringstream html;
  write_html_report(html, "empty.csv", ReportData{});
  EXPECT_THAT(html.str(), HasSubstr("The input has no rows."));
}

}  // namespace
}  // namespace tickguard::replay
