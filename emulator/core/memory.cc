#include "core/memory.h"

#include <malloc.h>

#include <atomic>

namespace gcpsim::core {
namespace {

constexpr size_t kTrimEvery = size_t{8} << 20;
std::atomic<size_t> pending{0};

}  // namespace

void tune_allocator() { mallopt(M_MMAP_THRESHOLD, 64 * 1024); }

void released(size_t bytes) {
  if (pending.fetch_add(bytes, std::memory_order_relaxed) + bytes < kTrimEvery) return;
  pending.store(0, std::memory_order_relaxed);
  malloc_trim(0);
}

}  // namespace gcpsim::core
