// Inputs the benchmarks replay: drawn once, before any timed loop, from fixed seeds, so a timed
// loop only indexes arrays and the figures do not depend on the random number generator.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tickguard/event.h"

namespace tickguard::bench {

// Length of every precomputed series: a power of two, so a timed loop can wrap with a mask, and
// long enough (512 KiB of doubles) that the branch predictor cannot learn the sequence.
inline constexpr std::size_t kSeriesLength = std::size_t{1} << 16;
inline constexpr std::size_t kSeriesMask = kSeriesLength - 1;

// Time between two trades of one instrument: the simulator's default rate of 4 trades per second.
inline constexpr Duration kTradeSpacing = std::chrono::milliseconds(250);

// Exchange time of the first trade of every benchmark.
Timestamp series_start();

// Prices of a geometric random walk whose log returns (normal, `return_stddev`) are shifted to sum
// to zero, so the step from the last price back to the first is an ordinary return: a benchmark
// can cycle through the array without a price jump at the seam.
std::vector<double> closed_random_walk(std::size_t length, double start_price, double return_stddev,
                                       std::uint64_t seed);

// Lognormal trade sizes with the given median and log standard deviation 1.
std::vector<double> lognormal_sizes(std::size_t length, double median, std::uint64_t seed);

// Standard normal values, for the rolling-window primitives.
std::vector<double> normal_values(std::size_t length, std::uint64_t seed);

// `length` trades of one instrument from a closed random walk, kTradeSpacing apart from
// series_start(), buys and sells in random order.
std::vector<Trade> trade_tape(InstrumentId instrument, double start_price, std::uint64_t seed,
                              std::size_t length = kSeriesLength);

// The default simulator market: venues simex and mockex x BTC/USDT, ETH/USDT, SOL/USDT, ids 0..5.
std::vector<Instrument> default_instruments();

}  // namespace tickguard::bench
