// Giving freed heap memory back to the OS. glibc keeps freed small allocations in its heap:
// after a 50,000-message Pub/Sub backlog was drained, RSS stayed at ~140 MiB although every
// message was gone; jemalloc (the default allocator, see CMakeLists.txt) returns them only as
// they decay. Nothing here touches time or randomness; it only changes RSS.
#pragma once
#include <cstddef>

namespace gcpsim::core {

// Once at start: buffers of 64 KiB and more (gRPC's batches) are mapped on their own and
// unmapped when freed, instead of raising glibc's dynamic mmap threshold for good.
void tune_allocator();

// Called when `bytes` of payload were freed; past 8 MiB since the last time, returns free
// heap pages to the OS (malloc_trim, or jemalloc's purge of every arena).
void released(size_t bytes);

}  // namespace gcpsim::core
