#include "core/memory.h"

#include <malloc.h>

#include <atomic>

#if defined(GCPSIM_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

namespace gcpsim::core {
namespace {

constexpr size_t kTrimEvery = size_t{8} << 20;
std::atomic<size_t> pending{0};

#define GCPSIM_STR2(x) #x
#define GCPSIM_STR(x) GCPSIM_STR2(x)

}  // namespace

#if defined(GCPSIM_JEMALLOC)
// jemalloc maps large allocations on their own already, and returns freed pages as they decay.
void tune_allocator() {}

void released(size_t bytes) {
  if (pending.fetch_add(bytes, std::memory_order_relaxed) + bytes < kTrimEvery) return;
  pending.store(0, std::memory_order_relaxed);
  // Every arena's unused dirty pages back to the OS now, rather than over the decay time.
  mallctl("arena." GCPSIM_STR(MALLCTL_ARENAS_ALL) ".purge", nullptr, nullptr, nullptr, 0);
}
#else
void tune_allocator() { mallopt(M_MMAP_THRESHOLD, 64 * 1024); }

void released(size_t bytes) {
  if (pending.fetch_add(bytes, std::memory_order_relaxed) + bytes < kTrimEvery) return;
  pending.store(0, std::memory_order_relaxed);
  malloc_trim(0);
}
#endif

}  // namespace gcpsim::core
