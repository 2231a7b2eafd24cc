// Counts heap allocations so a benchmark can show that a hot path does not allocate.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace tickguard::bench {

// Calls of the global operator new (every form, every thread) since the process started. Counted by
// the replacement operator new in allocation_counter.cpp.
std::uint64_t allocation_count();

// Counts the allocations made from construction to report(): build it just before the timed loop.
class AllocationProbe {
 public:
  AllocationProbe() : start_(allocation_count()) {}
  // Sets state.counters["allocs_per_item"] to the allocations since construction per item.
  void report(benchmark::State& state, std::int64_t items) const;

 private:
  std::uint64_t start_;
};

}  // namespace tickguard::bench
