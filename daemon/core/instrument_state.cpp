#include "core/instrument_state.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/log.h"

namespace tickguard {
namespace {

std::string format_anomaly_message(const std::string& detector, const Observation& o) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %s %.6g outside expected band [%.6g, %.6g] (%.2fx threshold)",
                detector.c_str(), o.quantity, o.observed, o.expected_low, o.expected_high, o.ratio);
  return buf;
}

}  // namespace

double ensemble_score(std::span<const double> scores) {
  if (scores.empty()) return 0;
  if (scores.size() == 1) return scores[0];
  double first = 0, second = 0;
  for (const double s : scores) {
    if (s > first) {
      second = first;
      first = s;
    } else if (s > second) {
      second = s;
    }
  }
  return std::sqrt(first * second);
}

double ensemble_score(std::span<const double> scores, std::span<const bool> trusted) {
  double score = ensemble_score(scores);
  for (std::size_t i = 0; i < scores.size() && i < trusted.size(); ++i) {
    if (trusted[i]) score = std::max(score, scores[i]);
  }
  return score;
}

// One detector bound to its alert gate; receives the detector's observations.
struct InstrumentState::Slot final : ObservationSink {
  Slot(InstrumentState& owner, const Instrument& instrument, const DetectorSpec& spec, std::size_t index,
       InstrumentSink& sink, DetectorContext& context)
      : owner(owner),
        instrument(instrument),
        name(spec.name),
        index(index),
        sink(sink),
        gate(spec.alert),
        detector(spec.create(instrument, context)) {}

  void observe(const Observation& o) override {
    sink.on_score(index, o.score);
    owner.on_score(index, o.score);
    switch (gate.update(o)) {
      case AlertGate::Change::kRaised: {
        AnomalyEvent event{instrument.exchange,
                           instrument.symbol,
                           name,
                           gate.severity(),
                           o.time,
                           o.score,
                           o.observed,
                           o.expected_low,
                           o.expected_high,
                           format_anomaly_message(name, o)};
        log::info("anomaly raised", {{"exchange", instrument.exchange},
                                     {"symbol", instrument.symbol},
                                     {"detector", name},
                                     {"severity", severity_name(event.severity)},
                                     {"event_time", to_unix_seconds(o.time)},
                                     {"score", o.score},
                                     {"observed", o.observed},
                                     {"expected_low", o.expected_low},
                                     {"expected_high", o.expected_high}});
        sink.on_active(index, true);
        sink.on_anomaly(index, event);
        break;
      }
      case AlertGate::Change::kCleared:
        log::debug("anomaly cleared",
                   {{"exchange", instrument.exchange}, {"symbol", instrument.symbol}, {"detector", name}});
        sink.on_active(index, false);
        break;
      case AlertGate::Change::kNone:
        break;
    }
  }

  InstrumentState& owner;
  const Instrument& instrument;
  const std::string name;
  const std::size_t index;
  InstrumentSink& sink;
  AlertGate gate;
  std::unique_ptr<Detector> detector;
};

InstrumentState::InstrumentState(const Instrument& instrument, const std::vector<DetectorSpec>& specs,
                                 std::unique_ptr<InstrumentSink> sink, DetectorContext* context)
    : sink_(std::move(sink)), scores_(specs.size(), 0.0) {
  if (context == nullptr) {
    own_context_ = std::make_unique<DetectorContext>();
    context = own_context_.get();
  }
  trusted_ = std::make_unique<bool[]>(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) trusted_[i] = specs[i].alert.trusted;
  slots_.reserve(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    slots_.push_back(std::make_unique<Slot>(*this, instrument, specs[i], i, *sink_, *context));
  }
}

InstrumentState::~InstrumentState() = default;

void InstrumentState::on_score(std::size_t index, double score) {
  scores_[index] = score;
  // Within handle() the ensemble is updated once, after every detector has seen the event. A
  // cross-venue detector may also score this instrument during a peer's event: update it now.
  if (handling_) {
    scores_changed_ = true;
  } else {
    update_ensemble();
  }
}

void InstrumentState::update_ensemble() {
  ensemble_ = ensemble_score(scores_, std::span<const bool>(trusted_.get(), scores_.size()));
  sink_->on_ensemble(ensemble_);
}

void InstrumentState::handle(const MarketEvent& event) {
  handling_ = true;
  scores_changed_ = false;
  std::visit(
      [this](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Trade>) {
          sink_->on_trade(e);
          for (auto& s : slots_) s->detector->on_trade(e, *s);
        } else if constexpr (std::is_same_v<T, Ticker>) {
          sink_->on_ticker(e);
          for (auto& s : slots_) s->detector->on_ticker(e, *s);
        } else if constexpr (std::is_same_v<T, BookSnapshot>) {
          for (auto& s : slots_) s->detector->on_book(e, *s);
        } else {
          for (auto& s : slots_) s->detector->on_candle(e, *s);
        }
      },
      event);
  handling_ = false;
  if (scores_changed_) update_ensemble();
}

}  // namespace tickguard
