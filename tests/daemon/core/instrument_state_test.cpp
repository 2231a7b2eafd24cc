#include "core/instrument_state.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

namespace tickguard {
namespace {

TEST(EnsembleScore, ATrustedDetectorCountsOnItsOwn) {
  const std::vector<double> scores = {0.9, 0.1, 0.6};
  const std::array<bool, 3> none = {false, false, false};
  const std::array<bool, 3> last = {false, false, true};
  const std::array<bool, 3> first = {true, false, false};
  EXPECT_NEAR(ensemble_score(scores, none), std::sqrt(0.9 * 0.6), 1e-12);  // the vote alone
  EXPECT_NEAR(ensemble_score(scores, last), std::sqrt(0.9 * 0.6), 1e-12);  // 0.6 < the vote: no change
  EXPECT_DOUBLE_EQ(ensemble_score(scores, first), 0.9);                    // 0.9 on its own
  const std::vector<double> alone = {0.0, 0.8, 0.0};
  EXPECT_DOUBLE_EQ(ensemble_score(alone, none), 0.0);
  EXPECT_DOUBLE_EQ(ensemble_score(alone, std::array<bool, 3>{false, true, false}), 0.8);
}

TEST(EnsembleScore, GeometricMeanOfTheTwoHighestScores) {
  EXPECT_DOUBLE_EQ(ensemble_score(std::vector<double>{}), 0);
  EXPECT_DOUBLE_EQ(ensemble_score(std::vector<double>{0.7}), 0.7);
  EXPECT_DOUBLE_EQ(ensemble_score(std::vector<double>{0.5, 0.5}), 0.5);
  EXPECT_DOUBLE_EQ(ensemble_score(std::vector<double>{0.1, 0.9, 0.4}), 0.6);
  // One detector alone, however sure, does not page: the others at zero keep the ensemble at zero.
  EXPECT_DOUBLE_EQ(ensemble_score(std::vector<double>{1.0, 0.0, 0.0}), 0);
  EXPECT_LT(ensemble_score(std::vector<double>{1.0, 0.2, 0.1}), 0.5);
}

// A detector whose score is the trade's quantity, to drive scores from a test.
class QuantityScore final : public Detector {
 public:
  void on_trade(const Trade& trade, ObservationSink& sink) override {
    Observation o;
    o.time = trade.exchange_time;
    o.score = trade.quantity;
    o.ratio = trade.quantity * 2;
    o.quantity = "quantity";
    sink.observe(o);
  }
};

class EnsembleRecorder final : public InstrumentSink {
 public:
  explicit EnsembleRecorder(std::vector<double>& out) : out_(out) {}
  void on_trade(const Trade&) override {}
  void on_ticker(const Ticker&) override {}
  void on_score(std::size_t, double) override {}
  void on_ensemble(double score) override { out_.push_back(score); }
  void on_active(std::size_t, bool) override {}
  void on_anomaly(std::size_t, const AnomalyEvent&) override {}

 private:
  std::vector<double>& out_;
};

TEST(InstrumentState, KeepsEachDetectorsLatestScoreAndTheEnsemble) {
  const Instrument instrument{0, "simex", "BTC/USDT"};
  const DetectorSpec spec{"q", AlertOptions{}, [] { return std::make_unique<QuantityScore>(); }};
  std::vector<double> ensembles;
  InstrumentState state(instrument, {spec, spec}, std::make_unique<EnsembleRecorder>(ensembles));
  Trade trade;
  trade.price = 100;
  trade.quantity = 0.25;
  state.handle(trade);
  ASSERT_EQ(state.scores().size(), 2U);
  EXPECT_DOUBLE_EQ(state.scores()[0], 0.25);
  EXPECT_DOUBLE_EQ(state.scores()[1], 0.25);
  EXPECT_DOUBLE_EQ(state.ensemble(), 0.25);
  // The ensemble is updated once per event, after every detector has seen it.
  ASSERT_EQ(ensembles.size(), 1U);
  EXPECT_DOUBLE_EQ(ensembles[0], 0.25);
  trade.quantity = 0.5;
  state.handle(trade);
  ASSERT_EQ(ensembles.size(), 2U);
  EXPECT_DOUBLE_EQ(ensembles[1], 0.5);
}

}  // namespace
}  // namespace tickguard
