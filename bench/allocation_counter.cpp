// Replacement global operator new/delete that count allocations. Only the plain and aligned
// throwing forms are replaced: libstdc++ implements the array and nothrow forms by calling these,
// so they are counted too. Memory comes from malloc/aligned_alloc and goes back with free, which
// is also what the default deletes do, so every new/delete pairing stays valid.
#include "allocation_counter.h"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace tickguard::bench {
namespace {

constinit std::atomic<std::uint64_t> allocations{0};

void* allocate(std::size_t size, std::size_t alignment) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  void* memory = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    memory = std::malloc(size);
  } else {
    // aligned_alloc wants the size to be a multiple of the alignment.
    memory = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  }
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}

}  // namespace

std::uint64_t allocation_count() { return allocations.load(std::memory_order_relaxed); }

void AllocationProbe::report(benchmark::State& state, std::int64_t items) const {
  const auto made = static_cast<double>(allocation_count() - start_);
  state.counters["allocs_per_item"] = items > 0 ? made / static_cast<double>(items) : made;
}

}  // namespace tickguard::bench

void* operator new(std::size_t size) { return tickguard::bench::allocate(size, alignof(std::max_align_t)); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  return tickguard::bench::allocate(size, static_cast<std::size_t>(alignment));
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
