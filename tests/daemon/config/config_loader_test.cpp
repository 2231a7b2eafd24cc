#include "config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "config/duration.h"

namespace tickguard::config {

// Lets gtest print errors readably when an expectation fails.
void PrintTo(const ConfigError& error, std::ostream* out) { *out << error.to_string(); }

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr char kSource[] = "test.toml";

// Matches an error in test.toml at LINE:COLUMN for KEY whose message contains TEXT.
MATCHER_P4(IsError, line, column, key, text, "") {
  *result_listener << "which is " << arg.to_string();
  return arg.file == kSource && arg.line == line && arg.column == column && arg.key == key &&
         arg.message.find(text) != std::string::npos;
}

// Two detectors shaped like the real ones, with every parameter kind, for exact control of specs.
std::vector<DetectorDescriptor> FakeDetectors() {
  return {
      DetectorDescriptor{
          .name = "zscore",
          .help = "fake price detector",
          .params = {{"window", ParamKind::kInteger, 300, 10, 100000, "returns in the baseline"},
                     {"threshold", ParamKind::kNumber, 6.0, 1, 100, "z-score threshold"}},
          .create = nullptr},
      DetectorDescriptor{
          .name = "volume_spike",
          .help = "fake volume detector",
          .params = {{"interval", ParamKind::kDuration, 10, 1, 3600, "bucket length"},
                     {"threshold", ParamKind::kNumber, 5.0, 1, 100, "robust z-score threshold"}},
          .create = nullptr},
  };
}

// A feed that is valid on its own, for tests about other sections. Appended last so that the lines
// of the text under test do not move.
constexpr std::string_view kValidFeed = R"(
[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
)";

class ConfigLoader : public ::testing::Test {
 protected:
  LoadResult Load(std::string_view text) { return load_config_string(text, kSource, schema_); }
  LoadResult LoadWithValidFeed(std::string_view text) {
    return Load(std::string(text) + std::string(kValidFeed));
  }
  void AllowBinance() { schema_.exchanges.push_back("binance"); }

  std::vector<DetectorDescriptor> detectors_ = FakeDetectors();
  ConfigSchema schema_{.detectors = detectors_, .exchanges = {"simulator"}};
};

// ---- Syntax and structure ----

TEST_F(ConfigLoader, SyntaxErrorReportsParserPositionWithoutKey) {
  const LoadResult result = Load("a = 1\nb = [1,\n  2\nc = 3\n");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(result.errors, ElementsAre(IsError(4, 1, "", "expected comma")));
}

TEST_F(ConfigLoader, RedefinedKeyIsASyntaxError) {
  const LoadResult result = Load("[server]\nlisten_address = \":1\"\nlisten_address = \":2\"\n");
  EXPECT_THAT(result.errors, ElementsAre(IsError(3, 18, "", "cannot redefine")));
}

TEST_F(ConfigLoader, UnknownTopLevelKeyNamesLineAndColumn) {
  const LoadResult result = LoadWithValidFeed(R"(colour = "blue"
[servr]
listen_address = ":9787"
)");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(
      result.errors,
      ElementsAre(
          IsError(1, 1, "colour",
                  "unknown key \"colour\"; valid keys are: server, log, storage, cluster, feed, detectors"),
          IsError(2, 2, "servr", "did you mean \"server\"?")));
}

TEST_F(ConfigLoader, UnknownKeyInSectionListsValidKeys) {
  const LoadResult result = LoadWithValidFeed(R"([server]
address = ":9787"
[log]
  levl = "info"
)");
  EXPECT_THAT(result.errors, ElementsAre(IsError(2, 1, "server.address",
                                                 "unknown key \"address\" in [server]; valid keys are: "
                                                 "listen_address"),
                                         IsError(4, 3, "log.levl",
                                                 "valid keys are: level, format; did you mean \"level\"?")));
}

TEST_F(ConfigLoader, UnknownFeedKeyListsValidKeys) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbol = ["BTC/USDT"]
)");
  EXPECT_THAT(
      result.errors,
      ElementsAre(IsError(1, 1, "feed[0].symbols", "missing required key \"symbols\""),
                  IsError(3, 1, "feed[0].symbol",
                          "unknown key \"symbol\" in [[feed]]; valid keys are: exchange, symbols, venues")));
  EXPECT_THAT(result.errors[1].message, HasSubstr("did you mean \"symbols\"?"));
}

TEST_F(ConfigLoader, UnknownDetectorTableListsRegisteredDetectors) {
  const LoadResult result = LoadWithValidFeed(R"([detectors.zscor]
window = 10
)");
  EXPECT_THAT(
      result.errors,
      ElementsAre(IsError(1, 12, "detectors.zscor",
                          "unknown detector \"zscor\"; registered detectors are: zscore, volume_spike; "
                          "did you mean \"zscore\"?")));
}

TEST_F(ConfigLoader, UnknownDetectorParamNamesTheTable) {
  const LoadResult result = LoadWithValidFeed(R"([detectors.zscore]
windw = 10
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(
                  2, 1, "detectors.zscore.windw",
                  "unknown key \"windw\" in [detectors.zscore]; valid keys are: enabled, window, "
                  "threshold, critical_ratio, clear_ratio, clear_after, trusted; did you mean \"window\"?")));
}

TEST_F(ConfigLoader, ParamOfAnotherDetectorIsUnknown) {
  const LoadResult result = LoadWithValidFeed("[detectors.zscore]\ninterval = \"10s\"\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 1, "detectors.zscore.interval", "unknown key \"interval\"")));
}

TEST_F(ConfigLoader, SectionThatIsNotATableIsATypeError) {
  const LoadResult result = LoadWithValidFeed("server = \":9787\"\nlog = [\"info\"]\n");
  EXPECT_THAT(result.errors, ElementsAre(IsError(1, 10, "server", "expected a table, got a string"),
                                         IsError(2, 7, "log", "expected a table, got an array")));
}

TEST_F(ConfigLoader, FeedWrittenAsSingleTableIsATypeError) {
  const LoadResult result = Load("[feed]\nexchange = \"simulator\"\nsymbols = [\"BTC/USDT\"]\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(1, 1, "feed", "expected an array of tables ([[feed]]), got a table")));
}

TEST_F(ConfigLoader, FeedElementThatIsNotATableIsATypeError) {
  const LoadResult result = Load("feed = [1]\n");
  EXPECT_THAT(result.errors, ElementsAre(IsError(1, 9, "feed[0]", "expected a table, got an integer")));
}

TEST_F(ConfigLoader, DuplicateInstrumentNamesTheRightFeedAfterANonTableFeed) {
  const LoadResult result = Load(R"(feed = [
  "simulator",
  {exchange = "simulator", symbols = ["BTC/USDT"]},
  {exchange = "simulator", symbols = ["BTC/USDT"]},
])");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 3, "feed[0]", "expected a table, got a string"),
                          IsError(4, 39, "feed[2].symbols[0]", "already subscribed by feed[1]")));
}

TEST_F(ConfigLoader, DetectorsMustBeATableOfTables) {
  const LoadResult result = LoadWithValidFeed("[detectors]\nzscore = 5\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 10, "detectors.zscore", "expected a table, got an integer")));
}

// ---- Value types ----

TEST_F(ConfigLoader, StringForNumberParamIsATypeError) {
  const LoadResult result = LoadWithValidFeed("[detectors.zscore]\nthreshold = \"6\"\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 13, "detectors.zscore.threshold", "expected a number, got a string")));
}

TEST_F(ConfigLoader, FloatForIntegerParamIsATypeError) {
  const LoadResult result = LoadWithValidFeed("[detectors.zscore]\nwindow = 300.0\n");
  EXPECT_THAT(result.errors, ElementsAre(IsError(2, 10, "detectors.zscore.window",
                                                 "expected an integer, got a floating-point number")));
}

TEST_F(ConfigLoader, IntegerForDurationParamIsATypeError) {
  const LoadResult result = LoadWithValidFeed("[detectors.volume_spike]\ninterval = 10\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 12, "detectors.volume_spike.interval",
                                  "expected a duration string such as \"10s\", got an integer")));
}

TEST_F(ConfigLoader, NonBooleanEnabledIsATypeError) {
  const LoadResult result = LoadWithValidFeed("[detectors.zscore]\nenabled = \"yes\"\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 11, "detectors.zscore.enabled", "expected a boolean, got a string")));
}

TEST_F(ConfigLoader, WrongTypesInFeedAreTypeErrors) {
  const LoadResult result = Load(R"([[feed]]
exchange = 1
symbols = "BTC/USDT"
[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", 7]
seed = 1.5
speed = "fast"
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 12, "feed[0].exchange", "expected a string, got an integer"),
                          IsError(3, 11, "feed[0].symbols", "expected an array, got a string"),
                          IsError(6, 24, "feed[1].symbols[1]", "expected a string, got an integer"),
                          IsError(7, 8, "feed[1].seed", "expected an integer, got a floating-point number"),
                          IsError(8, 9, "feed[1].speed", "expected a number, got a string")));
}

TEST_F(ConfigLoader, NonFiniteNumberIsRejected) {
  const LoadResult result = LoadWithValidFeed("[detectors.zscore]\nthreshold = nan\ncritical_ratio = inf\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 13, "detectors.zscore.threshold", "must be a finite number"),
                          IsError(3, 18, "detectors.zscore.critical_ratio", "must be a finite number")));
}

// ---- Ranges ----

TEST_F(ConfigLoader, OutOfRangeParamStatesAllowedRange) {
  const LoadResult result = LoadWithValidFeed(R"([detectors.zscore]
window = 5
threshold = 100.5
[detectors.volume_spike]
interval = "2h"
)");
  EXPECT_THAT(
      result.errors,
      ElementsAre(
          IsError(2, 10, "detectors.zscore.window", "must be between 10 and 100000 (inclusive), got 5"),
          IsError(3, 13, "detectors.zscore.threshold", "must be between 1 and 100 (inclusive), got 100.5"),
          IsError(5, 12, "detectors.volume_spike.interval",
                  "must be between 1s and 1h (inclusive), got 2h")));
}

TEST_F(ConfigLoader, ParamRangeIsInclusive) {
  const LoadResult result = LoadWithValidFeed(R"([detectors.zscore]
window = 100000
threshold = 1
[detectors.volume_spike]
interval = "1s"
)");
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_EQ(result.config->detectors[0].params.get("window"), 100000);
  EXPECT_EQ(result.config->detectors[0].params.get("threshold"), 1);
  EXPECT_EQ(result.config->detectors[1].params.get("interval"), 1);
}

TEST_F(ConfigLoader, OutOfRangeAlertOptionsStateAllowedRange) {
  const LoadResult result = LoadWithValidFeed(R"([detectors.zscore]
critical_ratio = 0.5
clear_ratio = 0
clear_after = "0s"
[detectors.volume_spike]
clear_ratio = 1.5
)");
  EXPECT_THAT(
      result.errors,
      ElementsAre(IsError(2, 18, "detectors.zscore.critical_ratio", "must be >= 1, got 0.5"),
                  IsError(3, 15, "detectors.zscore.clear_ratio", "must be > 0 and <= 1, got 0"),
                  IsError(4, 15, "detectors.zscore.clear_after", "must be >= 1ms, got 0s"),
                  IsError(6, 15, "detectors.volume_spike.clear_ratio", "must be > 0 and <= 1, got 1.5")));
}

TEST_F(ConfigLoader, OutOfRangeSimulatorOptionsStateAllowedRange) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
seed = -1
speed = 0
anomaly_interval = "500ms"
trades_per_second = 10001
warmup = "2d"
outage_after = "2d"
outage_duration = "25h"
)");
  EXPECT_THAT(
      result.errors,
      ElementsAre(
          IsError(4, 8, "feed[0].seed", "must be >= 0, got -1"),
          IsError(5, 9, "feed[0].speed", "must be > 0 and <= 100000, got 0"),
          IsError(6, 20, "feed[0].anomaly_interval", "must be >= 1s, got 500ms"),
          IsError(7, 21, "feed[0].trades_per_second", "must be > 0 and <= 10000, got 10001"),
          IsError(8, 10, "feed[0].warmup", "must be between 0s and 1d (inclusive), got 2d"),
          IsError(9, 16, "feed[0].outage_after", "must be between 0s and 1d (inclusive), got 2d"),
          IsError(10, 19, "feed[0].outage_duration", "must be between 0s and 1d (inclusive), got 1d1h")));
}

TEST_F(ConfigLoader, ZeroAnomalyIntervalTurnsInjectionOff) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
anomaly_interval = "0s"
)");
  ASSERT_TRUE(result.errors.empty()) << result.errors.front().to_string();
  EXPECT_EQ(result.config->feeds[0].simulator.anomaly_interval, std::chrono::nanoseconds(0));
}

TEST_F(ConfigLoader, BadDurationStringsAreRejected) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
anomaly_interval = "5 minutes"
[detectors.zscore]
clear_after = "1.5s"
[detectors.volume_spike]
interval = "1m10m"
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(4, 20, "feed[0].anomaly_interval", "invalid duration \"5 minutes\""),
                          IsError(6, 15, "detectors.zscore.clear_after", "invalid duration \"1.5s\""),
                          IsError(8, 12, "detectors.volume_spike.interval", "invalid duration \"1m10m\"")));
}

// ---- [server] and [log] ----

TEST_F(ConfigLoader, BadListenAddressIsRejected) {
  const LoadResult result = LoadWithValidFeed("[server]\nlisten_address = \"localhost\"\n");
  EXPECT_THAT(
      result.errors,
      ElementsAre(IsError(2, 18, "server.listen_address",
                          "invalid listen address \"localhost\": expected HOST:PORT, :PORT or [IPv6]:PORT")));
}

TEST_F(ConfigLoader, ListenAddressPortOutOfRangeIsRejected) {
  const LoadResult result = LoadWithValidFeed("[server]\nlisten_address = \":70000\"\n");
  EXPECT_THAT(result.errors, ElementsAre(IsError(2, 18, "server.listen_address", "port from 0 to 65535")));
}

TEST_F(ConfigLoader, BadLogLevelAndFormatListTheChoices) {
  const LoadResult result = LoadWithValidFeed(R"([log]
level = "verbose"
format = "text"
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 9, "log.level",
                                  "unknown log level \"verbose\"; expected one of: debug, info, "
                                  "warn, error"),
                          IsError(3, 10, "log.format",
                                  "unknown log format \"text\"; expected one of: logfmt, json")));
}

// ---- [[feed]] ----

TEST_F(ConfigLoader, MissingFeedIsReportedAtTheStartOfTheFile) {
  const LoadResult result = Load("[server]\nlisten_address = \":9787\"\n");
  EXPECT_THAT(result.errors, ElementsAre(IsError(1, 1, "feed", "at least one [[feed]] table is required")));
}

TEST_F(ConfigLoader, EmptyDocumentNeedsAFeed) {
  EXPECT_THAT(Load("").errors, ElementsAre(IsError(1, 1, "feed", "at least one [[feed]]")));
}

TEST_F(ConfigLoader, EmptyFeedArrayIsReportedAtTheArray) {
  EXPECT_THAT(Load("\nfeed = []\n").errors, ElementsAre(IsError(2, 8, "feed", "at least one [[feed]]")));
}

TEST_F(ConfigLoader, MissingExchangeIsReportedAtItsFeed) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]

[[feed]]
symbols = ["ETH/USDT"]
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(5, 1, "feed[1].exchange", "missing required key \"exchange\"")));
}

TEST_F(ConfigLoader, UnsupportedExchangeListsSupportedOnes) {
  const LoadResult result = Load("[[feed]]\nexchange = \"kraken\"\nsymbols = [\"BTC/USDT\"]\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 12, "feed[0].exchange",
                                  "unsupported exchange \"kraken\"; supported exchanges are: simulator")));
}

TEST_F(ConfigLoader, EmptySymbolsIsRejected) {
  const LoadResult result = Load("[[feed]]\nexchange = \"simulator\"\nsymbols = []\n");
  EXPECT_THAT(result.errors, ElementsAre(IsError(3, 11, "feed[0].symbols", "must list at least one symbol")));
}

TEST_F(ConfigLoader, MalformedSymbolsAreRejected) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = [
  "BTCUSDT",
  "BTC-USDT",
  "BTC/",
  "/USDT",
  "BTC/USDT/EUR",
  "ABCDEFGHIJKLMNOPQRSTU/USDT",
  "BTC/US DT",
  "ABCDEFGHIJKLMNOPQRST/USDT",
]
)");
  const std::string malformed =
      "expected BASE/QUOTE such as \"BTC/USDT\", each part 1 to 20 characters of A-Z and 0-9";
  EXPECT_THAT(result.errors, ElementsAre(IsError(4, 3, "feed[0].symbols[0]", "malformed symbol \"BTCUSDT\""),
                                         IsError(5, 3, "feed[0].symbols[1]", malformed),
                                         IsError(6, 3, "feed[0].symbols[2]", malformed),
                                         IsError(7, 3, "feed[0].symbols[3]", malformed),
                                         IsError(8, 3, "feed[0].symbols[4]", malformed),
                                         IsError(9, 3, "feed[0].symbols[5]", malformed),
                                         IsError(10, 3, "feed[0].symbols[6]", malformed)));
}

TEST_F(ConfigLoader, LowerCaseSymbolSuggestsUpperCase) {
  const LoadResult result =
      Load("[[feed]]\nexchange = \"simulator\"\nsymbols = [\"BTC/USDT\", \"eth/Usdt\"]\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(3, 24, "feed[0].symbols[1]",
                                  "symbol \"eth/Usdt\" must be upper case; did you mean \"ETH/USDT\"?")));
}

TEST_F(ConfigLoader, DuplicateSymbolInAFeedIsRejected) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", "ETH/USDT",
           "BTC/USDT"]
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(4, 12, "feed[0].symbols[2]",
                                  "duplicate symbol \"BTC/USDT\" (already listed on line 3)")));
}

TEST_F(ConfigLoader, BadVenuesAreRejected) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
venues = ["simex", "SimEx", "simex", "a-very-long-venue-name-of-33-chars"]
[[feed]]
exchange = "simulator"
symbols = ["ETH/USDT"]
venues = []
)");
  EXPECT_THAT(result.errors, ElementsAre(IsError(4, 20, "feed[0].venues[1]",
                                                 "invalid venue name \"SimEx\": expected 1 to 32 "
                                                 "characters of a-z, 0-9, '_' and '-'"),
                                         IsError(4, 29, "feed[0].venues[2]", "duplicate venue \"simex\""),
                                         IsError(4, 38, "feed[0].venues[3]", "invalid venue name"),
                                         IsError(8, 10, "feed[1].venues", "must list at least one venue")));
}

TEST_F(ConfigLoader, SimulatorOnlyKeyOnARealExchangeIsRejected) {
  AllowBinance();
  const LoadResult result = Load(R"([[feed]]
exchange = "binance"
symbols = ["BTC/USDT"]
seed = 7
venues = ["simex"]
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(4, 1, "feed[0].seed",
                                  "key \"seed\" is only valid for exchange \"simulator\", not \"binance\""),
                          IsError(5, 1, "feed[0].venues",
                                  "key \"venues\" is only valid for exchange \"simulator\"")));
}

TEST_F(ConfigLoader, RestUrlOnTheSimulatorIsRejected) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
rest_url = "https://api.example.com"
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(4, 1, "feed[0].rest_url",
                                  "key \"rest_url\" is not valid for exchange \"simulator\"")));
}

TEST_F(ConfigLoader, UrlWithTheWrongSchemeIsRejected) {
  AllowBinance();
  const LoadResult result = Load(R"([[feed]]
exchange = "binance"
symbols = ["BTC/USDT"]
rest_url = "ftp://api.example.com"
ws_url = "https://stream.example.com"
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(4, 12, "feed[0].rest_url", "must start with http:// or https://"),
                          IsError(5, 10, "feed[0].ws_url", "must start with ws:// or wss://")));
}

TEST_F(ConfigLoader, RealExchangeTuningKeysAreReadAndRangeChecked) {
  AllowBinance();
  LoadResult result = Load(R"([[feed]]
exchange = "binance"
symbols = ["BTC/USDT"]
silence_timeout = "2s"
book_depth = 5
rest_poll_interval = "0s"
)");
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.config->feeds[0].rest_poll_interval, std::chrono::milliseconds(0));
  EXPECT_EQ(result.config->feeds[0].silence_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(result.config->feeds[0].book_depth, 5);

  result = Load(R"([[feed]]
exchange = "binance"
symbols = ["BTC/USDT"]
silence_timeout = "0s"
book_depth = 11
rest_poll_interval = "500ms"
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(4, 19, "feed[0].silence_timeout", "must be between 100ms and 1h"),
                          IsError(5, 14, "feed[0].book_depth", "must be between 1 and 10"),
                          IsError(6, 22, "feed[0].rest_poll_interval", "must be between 1s and 1h")));

  result = Load("[[feed]]\nexchange = \"simulator\"\nsymbols = [\"BTC/USDT\"]\nbook_depth = 3\n");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(4, 1, "feed[0].book_depth",
                                  "key \"book_depth\" is not valid for exchange \"simulator\"")));
}

TEST_F(ConfigLoader, SchemeAloneIsNotAUrl) {
  AllowBinance();
  const LoadResult result =
      Load("[[feed]]\nexchange = \"binance\"\nsymbols = [\"BTC/USDT\"]\nws_url = \"wss://\"\n");
  EXPECT_THAT(result.errors, ElementsAre(IsError(4, 10, "feed[0].ws_url", "invalid URL \"wss://\"")));
}

TEST_F(ConfigLoader, InstrumentSubscribedTwiceAcrossFeedsIsRejected) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", "ETH/USDT"]

[[feed]]
exchange = "simulator"
venues = ["otherex", "mockex"]
symbols = ["SOL/USDT", "ETH/USDT"]
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(
                  8, 24, "feed[1].symbols[1]",
                  "instrument \"ETH/USDT\" on exchange \"mockex\" is already subscribed by feed[0]")));
}

TEST_F(ConfigLoader, RealExchangeSubscribedTwiceAcrossFeedsIsRejected) {
  AllowBinance();
  const LoadResult result = Load(R"([[feed]]
exchange = "binance"
symbols = ["BTC/USDT"]
[[feed]]
exchange = "simulator"
venues = ["binance"]
symbols = ["BTC/USDT"]
)");
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(
                  7, 12, "feed[1].symbols[0]",
                  "instrument \"BTC/USDT\" on exchange \"binance\" is already subscribed by feed[0]")));
}

TEST_F(ConfigLoader, SameSymbolOnDifferentVenuesIsAllowed) {
  const LoadResult result = Load(R"([[feed]]
exchange = "simulator"
venues = ["simex"]
symbols = ["BTC/USDT"]
[[feed]]
exchange = "simulator"
venues = ["mockex"]
symbols = ["BTC/USDT"]
)");
  EXPECT_THAT(result.errors, IsEmpty());
  ASSERT_TRUE(result.config.has_value());
  EXPECT_THAT(result.config->feeds, SizeIs(2));
}

// ---- Several errors ----

TEST_F(ConfigLoader, ReportsAllErrorsInFileOrder) {
  // Sections appear in the reverse of the order the loader visits them in.
  const LoadResult result = Load(R"([server]
listen_address = "nowhere"

[log]
level = "loud"

[[feed]]
exchange = "simulator"
symbols = ["btc/usdt"]

[detectors.zscore]
window = 1
surprise = true
)");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 18, "server.listen_address", "invalid listen address"),
                          IsError(5, 9, "log.level", "unknown log level"),
                          IsError(9, 12, "feed[0].symbols[0]", "must be upper case"),
                          IsError(12, 10, "detectors.zscore.window", "must be between 10 and 100000"),
                          IsError(13, 1, "detectors.zscore.surprise", "unknown key \"surprise\"")));
}

// ---- Valid configs ----

TEST_F(ConfigLoader, FullValidConfigRoundTripsEveryField) {
  AllowBinance();
  const LoadResult result = Load(R"(
[server]
listen_address = "[::1]:9100"

[log]
level = "debug"
format = "json"

[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT", "ETH/BTC"]
venues = ["alpha", "beta_2"]
seed = 7
speed = 2
anomaly_interval = "1h30m"
trades_per_second = 0.5
warmup = "15m"
outage_after = "40s"
outage_duration = "30s"

[[feed]]
exchange = "binance"
symbols = ["BTC/USDT"]
rest_url = "https://api.binance.com"
ws_url = "wss://stream.binance.com:9443"

[detectors.volume_spike]
enabled = false
interval = "1m"
threshold = 7
critical_ratio = 3
clear_ratio = 0.25
clear_after = "1m30s"

[detectors.zscore]
window = 1000
threshold = 4.5
)");
  ASSERT_THAT(result.errors, IsEmpty());
  ASSERT_TRUE(result.config.has_value());
  const Config& config = *result.config;
  EXPECT_EQ(config.source, kSource);
  EXPECT_EQ(config.server.listen_address, "[::1]:9100");
  EXPECT_EQ(config.log.level, LogLevel::kDebug);
  EXPECT_EQ(config.log.format, LogFormat::kJson);

  ASSERT_THAT(config.feeds, SizeIs(2));
  const FeedOptions& simulator = config.feeds[0];
  EXPECT_EQ(simulator.exchange, "simulator");
  EXPECT_THAT(simulator.symbols, ElementsAre("BTC/USDT", "ETH/BTC"));
  EXPECT_THAT(simulator.simulator.venues, ElementsAre("alpha", "beta_2"));
  EXPECT_EQ(simulator.simulator.seed, 7u);
  EXPECT_EQ(simulator.simulator.speed, 2.0);
  EXPECT_EQ(simulator.simulator.anomaly_interval, std::chrono::minutes(90));
  EXPECT_EQ(simulator.simulator.trades_per_second, 0.5);
  EXPECT_EQ(simulator.simulator.warmup, std::chrono::minutes(15));
  EXPECT_EQ(simulator.simulator.outage_after, std::chrono::seconds(40));
  EXPECT_EQ(simulator.simulator.outage_duration, std::chrono::seconds(30));
  EXPECT_EQ(simulator.rest_url, "");
  const FeedOptions& binance = config.feeds[1];
  EXPECT_EQ(binance.exchange, "binance");
  EXPECT_THAT(binance.symbols, ElementsAre("BTC/USDT"));
  EXPECT_EQ(binance.rest_url, "https://api.binance.com");
  EXPECT_EQ(binance.ws_url, "wss://stream.binance.com:9443");

  // Schema order, not file order.
  ASSERT_THAT(config.detectors, SizeIs(2));
  const DetectorOptions& zscore = config.detectors[0];
  EXPECT_EQ(zscore.name, "zscore");
  EXPECT_TRUE(zscore.enabled);
  EXPECT_EQ(zscore.params.values(),
            (std::vector<std::pair<std::string, double>>{{"window", 1000}, {"threshold", 4.5}}));
  const DetectorOptions& spike = config.detectors[1];
  EXPECT_EQ(spike.name, "volume_spike");
  EXPECT_FALSE(spike.enabled);
  EXPECT_EQ(spike.params.values(),
            (std::vector<std::pair<std::string, double>>{{"interval", 60}, {"threshold", 7}}));
  EXPECT_EQ(spike.alert.critical_ratio, 3);
  EXPECT_EQ(spike.alert.clear_ratio, 0.25);
  EXPECT_EQ(spike.alert.clear_after_seconds, 90);
}

TEST_F(ConfigLoader, DefaultsAreFilledInForAMinimalConfig) {
  const LoadResult result = Load("[[feed]]\nexchange = \"simulator\"\nsymbols = [\"BTC/USDT\"]\n");
  ASSERT_THAT(result.errors, IsEmpty());
  const Config& config = *result.config;
  const Config defaults;
  EXPECT_EQ(config.server.listen_address, defaults.server.listen_address);
  EXPECT_EQ(config.log.level, LogLevel::kInfo);
  EXPECT_EQ(config.log.format, LogFormat::kLogfmt);

  ASSERT_THAT(config.feeds, SizeIs(1));
  const SimulatorOptions simulator_defaults;
  const SimulatorOptions& simulator = config.feeds[0].simulator;
  EXPECT_EQ(simulator.venues, simulator_defaults.venues);
  EXPECT_EQ(simulator.seed, simulator_defaults.seed);
  EXPECT_EQ(simulator.speed, simulator_defaults.speed);
  EXPECT_EQ(simulator.anomaly_interval, simulator_defaults.anomaly_interval);
  EXPECT_EQ(simulator.trades_per_second, simulator_defaults.trades_per_second);
  EXPECT_EQ(simulator.warmup, simulator_defaults.warmup);

  ASSERT_THAT(config.detectors, SizeIs(2));
  const AlertOptions alert_defaults;
  for (std::size_t i = 0; i < detectors_.size(); ++i) {
    SCOPED_TRACE(detectors_[i].name);
    const DetectorOptions& detector = config.detectors[i];
    EXPECT_EQ(detector.name, detectors_[i].name);
    EXPECT_TRUE(detector.enabled);
    ASSERT_THAT(detector.params.values(), SizeIs(detectors_[i].params.size()));
    for (const ParamSpec& spec : detectors_[i].params)
      EXPECT_EQ(detector.params.get(spec.name), spec.default_value);
    EXPECT_EQ(detector.alert.critical_ratio, alert_defaults.critical_ratio);
    EXPECT_EQ(detector.alert.clear_ratio, alert_defaults.clear_ratio);
    EXPECT_EQ(detector.alert.clear_after_seconds, alert_defaults.clear_after_seconds);
  }
}

TEST_F(ConfigLoader, UnsetParamsKeepTheirDefaults) {
  const LoadResult result = LoadWithValidFeed("[detectors.zscore]\nthreshold = 3\n");
  ASSERT_THAT(result.errors, IsEmpty());
  const DetectorOptions& zscore = result.config->detectors[0];
  EXPECT_EQ(zscore.params.get("window"), 300);
  EXPECT_EQ(zscore.params.get("threshold"), 3);
}

TEST_F(ConfigLoader, InlineFeedTablesAreAccepted) {
  const LoadResult result = Load(R"(feed = [{exchange = "simulator", symbols = ["BTC/USDT"]}])");
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_THAT(result.config->feeds[0].symbols, ElementsAre("BTC/USDT"));
}

TEST_F(ConfigLoader, ErrorsAreReportedInsideInlineFeedTables) {
  const LoadResult result = Load(R"(feed = [{symbols = ["BTC/USDT"]}])");
  EXPECT_THAT(result.errors, ElementsAre(IsError(1, 9, "feed[0].exchange", "missing required key")));
}

// ---- Files ----

class ConfigFile : public ConfigLoader {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ =
        std::filesystem::path(::testing::TempDir()) / (std::string("tickguard_") + test->name() + ".toml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(std::string_view text) { std::ofstream(path_) << text; }

  std::filesystem::path path_;
};

TEST_F(ConfigFile, LoadsAFileAndNamesItAsTheSource) {
  Write("[[feed]]\nexchange = \"simulator\"\nsymbols = [\"BTC/USDT\"]\n");
  const LoadResult result = load_config_file(path_.string(), schema_);
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_EQ(result.config->source, path_.string());
}

TEST_F(ConfigFile, ErrorsNameTheFile) {
  Write("[[feed]]\nexchange = \"simulator\"\nsymbols = [\"btc\"]\n");
  const LoadResult result = load_config_file(path_.string(), schema_);
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(result.errors[0].file, path_.string());
  EXPECT_EQ(result.errors[0].to_string(),
            path_.string() +
                ":3:12: feed[0].symbols[0]: malformed symbol \"btc\": expected "
                "BASE/QUOTE such as \"BTC/USDT\", each part 1 to 20 characters of A-Z "
                "and 0-9");
}

TEST_F(ConfigFile, MissingFileIsOneErrorNamingThePath) {
  const LoadResult result = load_config_file(path_.string(), schema_);
  EXPECT_FALSE(result.config.has_value());
  ASSERT_THAT(result.errors, SizeIs(1));
  const ConfigError& error = result.errors[0];
  EXPECT_EQ(error.file, path_.string());
  EXPECT_EQ(error.line, 0);
  EXPECT_EQ(error.key, "");
  EXPECT_EQ(error.to_string(), path_.string() + ": cannot read config file: No such file or directory");
}

TEST_F(ConfigFile, DirectoryIsAnUnreadableFile) {
  const LoadResult result = load_config_file(::testing::TempDir(), schema_);
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_THAT(result.errors[0].message, HasSubstr("cannot read config file: Is a directory"));
}

// ---- ConfigError ----

TEST(ConfigError, ToStringOmitsWhatIsUnknown) {
  EXPECT_EQ((ConfigError{.file = "a.toml", .line = 3, .column = 7, .key = "log.level", .message = "bad"})
                .to_string(),
            "a.toml:3:7: log.level: bad");
  EXPECT_EQ((ConfigError{.file = "a.toml", .line = 3, .column = 7, .key = "", .message = "bad"}).to_string(),
            "a.toml:3:7: bad");
  EXPECT_EQ((ConfigError{.file = "a.toml", .line = 0, .column = 0, .key = "", .message = "bad"}).to_string(),
            "a.toml: bad");
}

}  // namespace
}  // namespace tickguard::config

namespace tickguard::config {
namespace {

// `trusted` (does the detector's score count alone in the ensemble?) defaults to the descriptor's
// choice and can be set either way per detector.
TEST(ConfigLoaderTrusted, DefaultsToTheDescriptorAndCanBeOverridden) {
  std::vector<DetectorDescriptor> detectors = FakeDetectors();
  detectors[1].trusted = true;
  const ConfigSchema schema{.detectors = detectors, .exchanges = {"simulator"}};
  const std::string feed = "[[feed]]\nexchange = \"simulator\"\nsymbols = [\"BTC/USDT\"]\n";

  LoadResult result = load_config_string(feed, kSource, schema);
  ASSERT_TRUE(result.config.has_value());
  EXPECT_FALSE(result.config->detectors[0].alert.trusted);
  EXPECT_TRUE(result.config->detectors[1].alert.trusted);

  result = load_config_string(
      "[detectors.zscore]\ntrusted = true\n[detectors.volume_spike]\ntrusted = false\n" + feed, kSource,
      schema);
  ASSERT_TRUE(result.config.has_value());
  EXPECT_TRUE(result.config->detectors[0].alert.trusted);
  EXPECT_FALSE(result.config->detectors[1].alert.trusted);

  result = load_config_string("[detectors.zscore]\ntrusted = 1\n" + feed, kSource, schema);
  EXPECT_THAT(result.errors,
              ElementsAre(IsError(2, 11, "detectors.zscore.trusted", "expected a boolean, got an integer")));
}

}  // namespace
}  // namespace tickguard::config

namespace tickguard::config {
namespace {

TEST_F(ConfigLoader, StorageKeysAreReadWithTheirUnits) {
  const LoadResult result = Load(R"([storage]
path = "/srv/tickguard"
retention_time = "7d"
retention_size = "512MB"

[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
)");
  ASSERT_THAT(result.errors, IsEmpty());
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.config->storage.path, "/srv/tickguard");
  EXPECT_EQ(result.config->storage.retention_time, std::chrono::hours(24 * 7));
  EXPECT_EQ(result.config->storage.retention_size, 512ull << 20);

  const LoadResult unlimited = Load(
      "[storage]\nretention_time = \"0s\"\nretention_size = \"0\"\n\n[[feed]]\nexchange = "
      "\"simulator\"\nsymbols = [\"BTC/USDT\"]\n");
  ASSERT_THAT(unlimited.errors, IsEmpty());
  EXPECT_EQ(unlimited.config->storage.retention_time.count(), 0);
  EXPECT_EQ(unlimited.config->storage.retention_size, 0u);
  EXPECT_EQ(unlimited.config->storage.path, "");  // automatic
}

TEST_F(ConfigLoader, BadStorageValuesNameTheKeyAndTheRule) {
  const LoadResult result = Load(R"([storage]
path = ""
retention_time = "10m"
retention_size = "1.5GB"
colour = "blue"

[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
)");
  EXPECT_THAT(
      result.errors,
      UnorderedElementsAre(
          IsError(
              5, 1, "storage.colour",
              "unknown key \"colour\" in [storage]; valid keys are: path, retention_time, retention_size"),
          IsError(2, 8, "storage.path", "must not be empty; omit the key for the automatic state directory"),
          IsError(3, 18, "storage.retention_time", "must be >= 1h, got 10m"),
          IsError(4, 18, "storage.retention_size",
                  "invalid size \"1.5GB\": expected a whole number with a unit B, KB, MB, GB or TB "
                  "(powers of 1024), e.g. \"512MB\", or \"0\" for no limit")));
  const LoadResult tiny = Load(
      "[storage]\nretention_size = \"100KB\"\n\n[[feed]]\nexchange = \"simulator\"\nsymbols = "
      "[\"BTC/USDT\"]\n");
  EXPECT_THAT(tiny.errors, ElementsAre(IsError(2, 18, "storage.retention_size",
                                               "must be \"0\" (no limit) or at least 1MB, got \"100KB\"")));
}

TEST(ParseByteSize, ReadsPowersOf1024AndRejectsTheRest) {
  EXPECT_EQ(parse_byte_size("0"), 0u);
  EXPECT_EQ(parse_byte_size("10B"), 10u);
  EXPECT_EQ(parse_byte_size("2KB"), 2048u);
  EXPECT_EQ(parse_byte_size("1GB"), 1ull << 30);
  EXPECT_EQ(parse_byte_size("3TB"), 3ull << 40);
  for (const char* bad :
       {"", "MB", "1", "1 MB", "1mb", "-1MB", "1.5GB", "1GiB", "99999999999999999999B", "17179869184TB"}) {
    EXPECT_EQ(parse_byte_size(bad), std::nullopt) << bad;
  }
}

TEST_F(ConfigLoader, ClusterShardAndShardsAreReadAndChecked) {
  const LoadResult result = Load(R"([cluster]
shard = 2
shards = 3

[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
)");
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_EQ(result.config->cluster.shard, 2);
  EXPECT_EQ(result.config->cluster.shards, 3);

  const LoadResult defaults = Load("[[feed]]\nexchange = \"simulator\"\nsymbols = [\"BTC/USDT\"]\n");
  ASSERT_THAT(defaults.errors, IsEmpty());
  EXPECT_EQ(defaults.config->cluster.shard, 0);
  EXPECT_EQ(defaults.config->cluster.shards, 1);

  const LoadResult bad = Load(R"([cluster]
shard = 3
shards = 3
zone = "a"

[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
)");
  EXPECT_THAT(bad.errors, UnorderedElementsAre(
                              IsError(4, 1, "cluster.zone",
                                      "unknown key \"zone\" in [cluster]; valid keys are: shard, shards"),
                              IsError(2, 9, "cluster.shard", "must be between 0 and shards - 1 (2), got 3")));
  const LoadResult too_many = Load(R"([cluster]
shards = 2000

[[feed]]
exchange = "simulator"
symbols = ["BTC/USDT"]
)");
  EXPECT_THAT(too_many.errors, ElementsAre(IsError(2, 10, "cluster.shards",
                                                   "must be between 1 and 1024 (inclusive), got 2000")));
}

}  // namespace
}  // namespace tickguard::config
