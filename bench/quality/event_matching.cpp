#include "event_matching.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

namespace tickguard::quality {
namespace {

bool in_scope(const LabelledAnomaly& anomaly, InstrumentId instrument) {
  return std::find(anomaly.scope.begin(), anomaly.scope.end(), instrument) != anomaly.scope.end();
}

bool overlaps(const LabelledAnomaly& anomaly, const Episode& episode) {
  return episode.start <= anomaly.end + anomaly.grace && episode.end >= anomaly.start;
}

Tally::KindCounts& kind_counts(Tally& tally, const std::string& kind) {
  for (auto& counts : tally.by_kind) {
    if (counts.kind == kind) return counts;
  }
  return tally.by_kind.emplace_back(Tally::KindCounts{kind, 0, 0});
}

}  // namespace

double Tally::precision() const {
  const std::size_t flagged = found + false_positives;
  return flagged == 0 ? 0.0 : static_cast<double>(found) / static_cast<double>(flagged);
}

double Tally::recall() const {
  return anomalies == 0 ? 0.0 : static_cast<double>(found) / static_cast<double>(anomalies);
}

double Tally::f_beta(double beta) const {
  const double p = precision();
  const double r = recall();
  const double b2 = beta * beta;
  return p + r == 0 ? 0.0 : (1 + b2) * p * r / (b2 * p + r);
}

double Tally::f1_within_30s() const {
  const double p = precision();  // a late find is still a correct flag
  const double r =
      anomalies == 0 ? 0.0 : static_cast<double>(found_within_30s) / static_cast<double>(anomalies);
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

double Tally::median_delay_seconds() const {
  if (delays_seconds.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> sorted = delays_seconds;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

const Tally::KindCounts* Tally::kind(const std::string& name) const {
  for (const auto& counts : by_kind) {
    if (counts.kind == name) return &counts;
  }
  return nullptr;
}

double Tally::flagged_share() const {
  return instrument_seconds == 0 ? 0.0 : flagged_seconds / instrument_seconds;
}

void tally_run(const std::vector<LabelledAnomaly>& anomalies, const std::vector<Episode>& episodes,
               double instrument_seconds, Tally& tally) {
  tally.episodes += episodes.size();
  tally.instrument_seconds += instrument_seconds;
  for (const auto& episode : episodes) {
    tally.flagged_seconds += std::chrono::duration<double>(episode.end - episode.start).count();
  }
  for (const auto& anomaly : anomalies) {
    if (!anomaly.scored) continue;
    ++tally.anomalies;
    Tally::KindCounts& counts = kind_counts(tally, anomaly.kind);
    ++counts.anomalies;
    std::optional<Timestamp> first;
    for (const auto& episode : episodes) {
      if (!in_scope(anomaly, episode.instrument) || !overlaps(anomaly, episode)) continue;
      const Timestamp detected = std::max(episode.start, anomaly.start);
      if (!first || detected < *first) first = detected;
    }
    if (!first) continue;
    ++tally.found;
    ++counts.found;
    const double delay = std::chrono::duration<double>(*first - anomaly.start).count();
    tally.delays_seconds.push_back(delay);
    if (delay <= 30.0) ++tally.found_within_30s;
  }
  for (const auto& episode : episodes) {
    const bool explained = std::any_of(anomalies.begin(), anomalies.end(), [&](const LabelledAnomaly& a) {
      return in_scope(a, episode.instrument) && overlaps(a, episode);
    });
    if (!explained) ++tally.false_positives;
  }
}

}  // namespace tickguard::quality
