#include "core/alert_gate.h"

#include <gtest/gtest.h>

namespace tickguard {
namespace {

using namespace std::chrono_literals;

Observation at(double seconds, double ratio) {
  Observation o;
  o.time = Timestamp{} + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
  o.ratio = ratio;
  o.score = score_from_threshold_ratio(ratio);
  return o;
}

AlertOptions options() {
  AlertOptions o;
  o.critical_ratio = 2.0;
  o.clear_ratio = 0.5;
  o.clear_after_seconds = 30;
  return o;
}

TEST(AlertGate, StaysInactiveBelowThreshold) {
  AlertGate gate(options());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(gate.update(at(i, 0.99)), AlertGate::Change::kNone);
  EXPECT_FALSE(gate.active());
}

TEST(AlertGate, RaisesOnceAtThresholdWithWarningSeverity) {
  AlertGate gate(options());
  EXPECT_EQ(gate.update(at(0, 1.0)), AlertGate::Change::kRaised);
  EXPECT_TRUE(gate.active());
  EXPECT_EQ(gate.severity(), Severity::kWarning);
  EXPECT_EQ(gate.update(at(1, 1.5)), AlertGate::Change::kNone);
}

TEST(AlertGate, CriticalWhenRaisingRatioReachesCriticalRatio) {
  AlertGate gate(options());
  EXPECT_EQ(gate.update(at(0, 2.5)), AlertGate::Change::kRaised);
  EXPECT_EQ(gate.severity(), Severity::kCritical);
}

TEST(AlertGate, ClearsOnlyAfterQuietPeriod) {
  AlertGate gate(options());
  gate.update(at(0, 3));
  EXPECT_EQ(gate.update(at(1, 0.1)), AlertGate::Change::kNone);
  EXPECT_EQ(gate.update(at(30, 0.1)), AlertGate::Change::kNone);  // quiet for 29 s
  EXPECT_EQ(gate.update(at(31, 0.1)), AlertGate::Change::kCleared);
  EXPECT_FALSE(gate.active());
}

TEST(AlertGate, DoesNotFlapWhenScoreHoversAroundThreshold) {
  AlertGate gate(options());
  int raised = 0;
  // Alternates just above and below the threshold every second for ten minutes.
  for (int i = 0; i < 600; ++i) {
    if (gate.update(at(i, i % 2 == 0 ? 1.1 : 0.9)) == AlertGate::Change::kRaised) ++raised;
  }
  EXPECT_EQ(raised, 1);
  EXPECT_TRUE(gate.active());
}

TEST(AlertGate, ReboundAboveClearRatioRestartsQuietPeriod) {
  AlertGate gate(options());
  gate.update(at(0, 3));
  gate.update(at(1, 0.1));
  gate.update(at(20, 0.7));  // above clear_ratio: not quiet any more
  EXPECT_EQ(gate.update(at(40, 0.1)), AlertGate::Change::kNone);
  EXPECT_EQ(gate.update(at(70, 0.1)), AlertGate::Change::kCleared);
}

TEST(AlertGate, RaisesAgainAfterClearing) {
  AlertGate gate(options());
  gate.update(at(0, 3));
  gate.update(at(1, 0));
  ASSERT_EQ(gate.update(at(40, 0)), AlertGate::Change::kCleared);
  EXPECT_EQ(gate.update(at(41, 1.2)), AlertGate::Change::kRaised);
  EXPECT_EQ(gate.severity(), Severity::kWarning);
}

TEST(ScoreFromThresholdRatio, MapsThresholdToOneHalfAndIsMonotonic) {
  EXPECT_DOUBLE_EQ(score_from_threshold_ratio(0), 0.0);
  EXPECT_DOUBLE_EQ(score_from_threshold_ratio(1), 0.5);
  EXPECT_DOUBLE_EQ(score_from_threshold_ratio(2), 0.9375);
  EXPECT_DOUBLE_EQ(score_from_threshold_ratio(-3), 0.0);
  EXPECT_DOUBLE_EQ(score_from_threshold_ratio(std::numeric_limits<double>::infinity()), 1.0);
  EXPECT_DOUBLE_EQ(score_from_threshold_ratio(std::numeric_limits<double>::quiet_NaN()), 0.0);
  double previous = 0;
  for (double r = 0.01; r < 10; r += 0.01) {
    const double s = score_from_threshold_ratio(r);
    EXPECT_GE(s, previous);
    EXPECT_LE(s, 1.0);
    previous = s;
  }
}

}  // namespace
}  // namespace tickguard
