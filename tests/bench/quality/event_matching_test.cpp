// The quality benchmark's matching rules: what counts as found, as a false positive, and the scores.
#include "event_matching.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace tickguard::quality {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = Timestamp{} + std::chrono::hours(24 * 365 * 55);

// An anomaly on instruments {0, 1} during [100 s, 160 s] with a 30 s grace: window [100 s, 190 s].
LabelledAnomaly anomaly(std::string kind = "level_shift", bool scored = true) {
  return LabelledAnomaly{.kind = std::move(kind),
                         .symbol = 0,
                         .scope = {0, 1},
                         .start = kT0 + 100s,
                         .end = kT0 + 160s,
                         .grace = 30s,
                         .scored = scored};
}

Episode episode(InstrumentId instrument, Duration start, Duration end) {
  return Episode{.instrument = instrument, .start = kT0 + start, .end = kT0 + end};
}

TEST(EventMatching, AnEpisodeInTheWindowFindsTheAnomalyWithItsDelay) {
  Tally tally;
  tally_run({anomaly()}, {episode(1, 112s, 130s)}, 3600, tally);
  EXPECT_EQ(tally.anomalies, 1u);
  EXPECT_EQ(tally.found, 1u);
  EXPECT_EQ(tally.found_within_30s, 1u);
  EXPECT_EQ(tally.false_positives, 0u);
  ASSERT_EQ(tally.delays_seconds.size(), 1u);
  EXPECT_DOUBLE_EQ(tally.delays_seconds[0], 12.0);
  EXPECT_DOUBLE_EQ(tally.precision(), 1.0);
  EXPECT_DOUBLE_EQ(tally.recall(), 1.0);
  EXPECT_DOUBLE_EQ(tally.flagged_seconds, 18.0);
  EXPECT_DOUBLE_EQ(tally.flagged_share(), 18.0 / 3600);
}

TEST(EventMatching, RepeatedEpisodesInOneWindowCountOnceAndTheEarliestGivesTheDelay) {
  Tally tally;
  tally_run({anomaly()}, {episode(0, 150s, 155s), episode(1, 140s, 145s), episode(0, 185s, 200s)}, 3600,
            tally);
  EXPECT_EQ(tally.found, 1u);
  EXPECT_EQ(tally.episodes, 3u);
  EXPECT_EQ(tally.false_positives, 0u);  // all three overlap the window, grace included
  EXPECT_DOUBLE_EQ(tally.delays_seconds.at(0), 40.0);
  EXPECT_EQ(tally.found_within_30s, 0u);
  EXPECT_DOUBLE_EQ(tally.f1_within_30s(), 0.0);
  EXPECT_DOUBLE_EQ(tally.f_beta(1), 1.0);
}

TEST(EventMatching, AnEpisodeAlreadyActiveAtTheStartHasNoDelay) {
  Tally tally;
  tally_run({anomaly()}, {episode(0, 90s, 105s)}, 3600, tally);
  EXPECT_EQ(tally.found, 1u);
  EXPECT_DOUBLE_EQ(tally.delays_seconds.at(0), 0.0);
}

TEST(EventMatching, EpisodesOutsideTheWindowOrScopeAreFalsePositives) {
  Tally tally;
  tally_run({anomaly()},
            {episode(0, 191s, 200s),   // after end + grace
             episode(0, 10s, 99s),     // ended before the start
             episode(2, 120s, 130s)},  // a venue the anomaly does not affect
            3600, tally);
  EXPECT_EQ(tally.found, 0u);
  EXPECT_EQ(tally.false_positives, 3u);
  EXPECT_DOUBLE_EQ(tally.precision(), 0.0);
  EXPECT_DOUBLE_EQ(tally.recall(), 0.0);
  EXPECT_TRUE(std::isnan(tally.median_delay_seconds()));
}

TEST(EventMatching, AnUnscoredAnomalyIsNotCountedButExplainsItsEpisodes) {
  Tally tally;
  tally_run({anomaly("trend_change", false)}, {episode(0, 120s, 130s)}, 3600, tally);
  EXPECT_EQ(tally.anomalies, 0u);
  EXPECT_EQ(tally.found, 0u);
  EXPECT_EQ(tally.false_positives, 0u);
}

TEST(EventMatching, ScoresAcrossRunsAndKinds) {
  Tally tally;
  // Run 1: two anomalies of two kinds, one found after 5 s, plus one false episode.
  LabelledAnomaly later = anomaly("price_spike");
  later.start = kT0 + 1000s;
  later.end = kT0 + 1001s;
  tally_run({anomaly(), later}, {episode(0, 105s, 110s), episode(1, 2000s, 2001s)}, 3600, tally);
  // Run 2: one anomaly found after 45 s.
  tally_run({anomaly()}, {episode(1, 145s, 150s)}, 3600, tally);
  EXPECT_EQ(tally.anomalies, 3u);
  EXPECT_EQ(tally.found, 2u);
  EXPECT_EQ(tally.false_positives, 1u);
  EXPECT_DOUBLE_EQ(tally.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(tally.recall(), 2.0 / 3.0);
  EXPECT_NEAR(tally.f_beta(2), 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(tally.median_delay_seconds(), 25.0);  // of 5 s and 45 s
  // Within 30 s: only the 5 s find counts towards recall (1/3), precision stays 2/3.
  EXPECT_NEAR(tally.f1_within_30s(), 2 * (2.0 / 3) * (1.0 / 3) / (2.0 / 3 + 1.0 / 3), 1e-12);
  const Tally::KindCounts* shifts = tally.kind("level_shift");
  ASSERT_NE(shifts, nullptr);
  EXPECT_EQ(shifts->anomalies, 2u);
  EXPECT_EQ(shifts->found, 2u);
  const Tally::KindCounts* spikes = tally.kind("price_spike");
  ASSERT_NE(spikes, nullptr);
  EXPECT_EQ(spikes->found, 0u);
  EXPECT_EQ(tally.kind("whale_trade"), nullptr);
}

}  // namespace
}  // namespace tickguard::quality
