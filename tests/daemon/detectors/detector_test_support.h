// Shared helpers for detector tests: a sink that records observations and a portable,
// deterministic random source (std:: distributions differ between standard libraries).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "tickguard/detector.h"

namespace tickguard::testing {

class RecordingSink final : public ObservationSink {
 public:
  void observe(const Observation& observation) override { observations.push_back(observation); }
  double max_ratio() const {
    double max = 0;
    for (const Observation& observation : observations) max = std::max(max, observation.ratio);
    return max;
  }
  std::vector<Observation> observations;
};

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Box–Muller.
  double gaussian() {
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  double exponential(double rate) { return -std::log(1.0 - uniform()) / rate; }
  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * gaussian()); }

 private:
  std::mt19937_64 engine_;
};

// Standard normal draws as a callable.
class Gaussian {
 public:
  explicit Gaussian(std::uint64_t seed) : random_(seed) {}
  double operator()() { return random_.gaussian(); }

 private:
  Random random_;
};

}  // namespace tickguard::testing
