// InstrumentState: the detectors and alert gates of one instrument, and the ensemble score that
// combines them. The pipeline's shard threads and `tickguard replay` both run events through it, so
// a replay scores exactly as the daemon does. Used by one thread at a time.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/alert_gate.h"
#include "core/pipeline.h"
#include "tickguard/detector.h"
#include "tickguard/event.h"
#include "tickguard/sink.h"

namespace tickguard {

// The ensemble score of an instrument from its detectors' latest calibrated scores: the geometric
// mean of the two highest, so one detector alone (however sure) reaches at most sqrt(score × the
// runner-up): a single noisy detector cannot page anyone, two that agree at 0.5 give 0.5. With a
// single detector it is that detector's score; with none, 0. O(n), no allocation.
double ensemble_score(std::span<const double> scores);
// The same, raised to the score of any trusted detector (`trusted[i]` for scores[i]): detectors
// whose alarm alone is worth a page, such as a stale feed that no other detector can see.
double ensemble_score(std::span<const double> scores, std::span<const bool> trusted);

class InstrumentState {
 public:
  // Keeps a reference to `instrument`, which must outlive this state (anomaly events name it).
  // `context` is shared with the other instruments handled by the same thread (see
  // DetectorContext); without one, cross-instrument detectors see no peers and stay quiet.
  InstrumentState(const Instrument& instrument, const std::vector<DetectorSpec>& specs,
                  std::unique_ptr<InstrumentSink> sink, DetectorContext* context = nullptr);
  ~InstrumentState();
  InstrumentState(const InstrumentState&) = delete;
  InstrumentState& operator=(const InstrumentState&) = delete;

  // Runs one event through the sink and every detector; observations update scores, alert gates
  // and the ensemble.
  void handle(const MarketEvent& event);

  // Latest score of each detector (0 before its first observation), in spec order, and the ensemble.
  std::span<const double> scores() const { return scores_; }
  double ensemble() const { return ensemble_; }

 private:
  struct Slot;
  void on_score(std::size_t index, double score);
  void update_ensemble();

  std::unique_ptr<DetectorContext> own_context_;  // when none was given; declared before the slots
  std::unique_ptr<InstrumentSink> sink_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<double> scores_;
  std::unique_ptr<bool[]> trusted_;  // per detector, AlertOptions::trusted
  double ensemble_ = 0;
  bool handling_ = false;        // inside handle()
  bool scores_changed_ = false;  // a score changed during this handle()
};

}  // namespace tickguard
