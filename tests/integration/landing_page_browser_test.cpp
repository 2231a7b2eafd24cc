// The landing page as a person sees it: a real headless Chromium, driven over WebDriver, loads it
// from the real daemon, lists the instruments and the journal, adds anomalies that arrive live over
// the event stream, and visibly paints their severity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "browser_support.h"
#include "daemon_process.h"

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// The same market with no injected anomalies: an empty journal.
constexpr const char* kQuietSimulator = R"toml(
[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
seed = 7
anomaly_interval = "0s"
warmup = "20m"
)toml";

// The landing page's severity colours (tr.critical / tr.warning td.severity backgrounds), with room
// for anti-aliasing at the cell edges.
constexpr Colour kCritical{.red = 0xc9, .green = 0x2a, .blue = 0x2a};
constexpr Colour kWarning{.red = 0xfc, .green = 0xc4, .blue = 0x19};
constexpr int kTolerance = 8;
// A table row is at least this tall (the page's rows are about twice that).
constexpr int kMinRowHeight = 15;

// Reads what a person would see, in one pass over the DOM.
constexpr const char* kReadPage = R"js(
const all = (selector) => Array.from(document.querySelectorAll(selector));
const anomalies = all("#anomalies tbody tr");
return {
  symbols: all("#symbols tbody tr[data-symbol]").length,
  critical: anomalies.filter((r) => r.classList.contains("critical")).length,
  warning: anomalies.filter((r) => r.classList.contains("warning")).length,
  status: document.getElementById("stream-status").textContent,
  empty_notice: !document.getElementById("no-anomalies").hidden,
  fresh: all("#anomalies tbody tr.fresh").map((r) => ({
    id: Number(r.dataset.id), exchange: r.cells[1].textContent, detector: r.cells[3].textContent,
    text: r.innerText})),
};
)js";

struct FreshRow {
  std::int64_t id = 0;
  std::string exchange;
  std::string detector;
  std::string text;
};

struct PageState {
  std::int64_t symbol_rows = 0;
  std::int64_t critical_rows = 0;
  std::int64_t warning_rows = 0;
  std::string stream_status;
  bool empty_notice = false;
  std::vector<FreshRow> fresh;

  std::int64_t anomaly_rows() const { return critical_rows + warning_rows; }
};

std::optional<PageState> read_page(WebDriverSession& browser, std::string* error) {
  const auto reply = browser.execute(kReadPage);
  if (!reply.ok) {
    *error = reply.error;
    return std::nullopt;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  PageState state;
  std::string_view status;
  if (parser.parse(reply.value).get(root) || root["symbols"].get(state.symbol_rows) ||
      root["critical"].get(state.critical_rows) || root["warning"].get(state.warning_rows) ||
      root["status"].get(status) || root["empty_notice"].get(state.empty_notice)) {
    *error = "unexpected page state " + reply.value;
    return std::nullopt;
  }
  state.stream_status = std::string(status);
  simdjson::dom::array fresh_rows;
  if (root["fresh"].get(fresh_rows)) {
    *error = "no fresh rows in " + reply.value;
    return std::nullopt;
  }
  for (auto row : fresh_rows) {
    std::string_view exchange, detector, text;
    FreshRow fresh;
    if (row["id"].get(fresh.id) || row["exchange"].get(exchange) || row["detector"].get(detector) ||
        row["text"].get(text)) {
      *error = "unexpected fresh row in " + reply.value;
      return std::nullopt;
    }
    fresh.exchange = std::string(exchange);
    fresh.detector = std::string(detector);
    fresh.text = std::string(text);
    state.fresh.push_back(std::move(fresh));
  }
  return state;
}

// Polls the page until `done` holds (true) or `timeout` passes (false); `last` keeps the last
// state read and `error` the last failure, for the assertion message.
template <typename Predicate>
bool wait_for_page(WebDriverSession& browser, std::chrono::seconds timeout, Predicate done, PageState& last,
                   std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto state = read_page(browser, &error)) {
      last = std::move(*state);
      if (done(last)) return true;
    }
    std::this_thread::sleep_for(250ms);
  }
  return false;
}

std::string describe(const PageState& state) {
  return "symbol rows " + std::to_string(state.symbol_rows) + ", critical rows " +
         std::to_string(state.critical_rows) + ", warning rows " + std::to_string(state.warning_rows) +
         ", fresh rows " + std::to_string(state.fresh.size()) + ", stream status \"" + state.stream_status +
         "\"";
}

struct JournalEntry {
  std::string exchange;
  std::string detector;
};

// The journal's records by id, as the API lists them (largest page).
std::map<std::int64_t, JournalEntry> journal(const DaemonProcess& daemon) {
  std::map<std::int64_t, JournalEntry> entries;
  const auto body = daemon.get("/api/v1/anomalies?limit=1000");
  if (!body) return entries;
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (parser.parse(*body)["data"]["anomalies"].get(list)) return entries;
  for (auto record : list) {
    std::int64_t id = 0;
    std::string_view exchange, detector;
    if (record["id"].get(id) || record["exchange"].get(exchange) || record["detector"].get(detector))
      continue;
    entries[id] = {.exchange = std::string(exchange), .detector = std::string(detector)};
  }
  return entries;
}

bool wait_for_journal_records(const DaemonProcess& daemon, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!journal(daemon).empty()) return true;
    std::this_thread::sleep_for(250ms);
  }
  return false;
}

// Makes the window tall enough for the whole page and then some (rows keep arriving), so that the
// screenshots, which stop at the viewport's edge, show every row.
bool fit_window_to_page(WebDriverSession& browser, std::string* error) {
  constexpr int kWidth = 1280, kRoomForNewRows = 1000;
  const auto height = browser.execute(
      "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;");
  simdjson::dom::parser parser;
  std::int64_t pixels = 0;
  if (!height.ok || parser.parse(height.value).get(pixels)) {
    *error = "page height: " + height.error + height.value;
    return false;
  }
  const auto resized = browser.set_window_size(kWidth, static_cast<int>(pixels) + kRoomForNewRows);
  *error = resized.error;
  return resized.ok;
}

// Decodes a screenshot reply, failing the test (and returning an empty image) if it is not a PNG.
Image decoded(const WebDriverReply& screenshot) {
  EXPECT_TRUE(screenshot.ok) << screenshot.error;
  std::string error;
  auto image = decode_png(screenshot.value, &error);
  EXPECT_TRUE(image.has_value()) << error;
  return image.value_or(Image{});
}

std::size_t severity_pixels(const Image& image) {
  return count_pixels_near(image, kCritical, kTolerance) + count_pixels_near(image, kWarning, kTolerance);
}

TEST(LandingPage, ShowsInstrumentsAndPaintsJournalAndLiveAnomaliesInHeadlessChromium) {
  ASSERT_TRUE(std::filesystem::exists(kChromiumBinary) && std::filesystem::exists(kChromeDriverBinary))
      << "this test drives a real browser: install the Debian packages chromium and chromium-driver ("
      << kChromiumBinary << ", " << kChromeDriverBinary << "), e.g. with scripts/install-deps.sh";

  TempDir dir;
  DaemonProcess daemon({"--config", dir.write("busy.toml", kBusySimulatorConfig).string()});
  ASSERT_TRUE(daemon.wait_until_serving("/-/healthy", 30s)) << daemon.stderr_text();
  ASSERT_TRUE(wait_for_journal_records(daemon, 60s)) << daemon.stderr_text();

  ChromeDriver driver(dir.path() / "browser");
  ASSERT_TRUE(driver.wait_until_ready(30s)) << driver.log_text();
  WebDriverSession browser(driver.port());
  ASSERT_TRUE(browser.started()) << browser.error() << "\n" << driver.log_text();

  const std::string url = "http://127.0.0.1:" + std::to_string(daemon.port()) + "/";
  const auto navigated = browser.navigate(url);
  ASSERT_TRUE(navigated.ok) << navigated.error;

  // The page fills itself: every instrument, the journal, and the live stream.
  PageState state;
  std::string error;
  ASSERT_TRUE(wait_for_page(
      browser, 60s,
      [](const PageState& s) {
        return s.symbol_rows == 6 && s.anomaly_rows() >= 1 && s.stream_status == "live";
      },
      state, error))
      << describe(state) << "; " << error;
  EXPECT_FALSE(state.empty_notice);

  // An anomaly detected after the page loaded arrives over the event stream.
  ASSERT_TRUE(wait_for_page(
      browser, 90s, [](const PageState& s) { return !s.fresh.empty(); }, state, error))
      << describe(state) << "; " << error << "\n"
      << daemon.stderr_text();
  const FreshRow& fresh = state.fresh.front();
  const auto entries = journal(daemon);
  const auto entry = entries.find(fresh.id);
  ASSERT_NE(entry, entries.end()) << "row data-id " << fresh.id
                                  << " is not in /api/v1/anomalies: " << fresh.text;
  EXPECT_EQ(fresh.exchange, entry->second.exchange);
  EXPECT_EQ(fresh.detector, entry->second.detector);
  EXPECT_THAT(fresh.text, HasSubstr(entry->second.exchange));
  EXPECT_THAT(fresh.text, HasSubstr(entry->second.detector));

  // The anomalies are visibly painted, and the table is as tall as its rows.
  ASSERT_TRUE(fit_window_to_page(browser, &error)) << error;
  const auto rows_before = read_page(browser, &error);
  ASSERT_TRUE(rows_before) << error;
  const auto table = browser.find_element("#anomalies");
  ASSERT_TRUE(table.ok) << table.error;
  const Image anomalies = decoded(browser.element_screenshot(table.value));
  EXPECT_GE(anomalies.height, rows_before->anomaly_rows() * kMinRowHeight)
      << describe(*rows_before) << ", table screenshot " << anomalies.width << "x" << anomalies.height;
  if (rows_before->critical_rows > 0) {
    EXPECT_GT(count_pixels_near(anomalies, kCritical, kTolerance), 0u) << describe(*rows_before);
  }
  if (rows_before->warning_rows > 0) {
    EXPECT_GT(count_pixels_near(anomalies, kWarning, kTolerance), 0u) << describe(*rows_before);
  }
  EXPECT_GT(severity_pixels(anomalies), 0u);

  // The colour check can fail: the symbols table carries no severity colours.
  const auto symbols = browser.find_element("#symbols");
  ASSERT_TRUE(symbols.ok) << symbols.error;
  const Image symbols_image = decoded(browser.element_screenshot(symbols.value));
  EXPECT_GT(symbols_image.height, 6 * kMinRowHeight);
  EXPECT_EQ(severity_pixels(symbols_image), 0u);

  // The whole page (the window now holds all of it), kept beside the test executable (in the build tree) for
  // people to look at.
  const auto page = browser.screenshot();
  ASSERT_TRUE(page.ok) << page.error;
  EXPECT_GT(severity_pixels(decoded(page)), 0u);
  const auto saved =
      std::filesystem::read_symlink("/proc/self/exe").parent_path() / "landing_page_browser_test.png";
  std::ofstream(saved, std::ios::binary) << page.value;
  std::cout << "landing page screenshot: " << saved.string() << "\n";

  // With an empty journal, the same page shows no severity colour at all.
  DaemonProcess quiet({"--config", dir.write("quiet.toml", kQuietSimulator).string()});
  ASSERT_TRUE(quiet.wait_until_serving("/-/healthy", 30s)) << quiet.stderr_text();
  const auto quiet_navigated = browser.navigate("http://127.0.0.1:" + std::to_string(quiet.port()) + "/");
  ASSERT_TRUE(quiet_navigated.ok) << quiet_navigated.error;
  ASSERT_TRUE(wait_for_page(
      browser, 60s, [](const PageState& s) { return s.symbol_rows == 6 && s.stream_status == "live"; }, state,
      error))
      << describe(state) << "; " << error;
  ASSERT_EQ(state.anomaly_rows(), 0) << "the quiet simulator journaled anomalies: " << describe(state);
  EXPECT_TRUE(state.empty_notice);
  EXPECT_EQ(severity_pixels(decoded(browser.screenshot())), 0u);
}

}  // namespace
}  // namespace tickguard::testing
