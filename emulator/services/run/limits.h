// Cloud Run's documented limits and gcpsim's timings for the router, in one place (process
// timings shared with other supervised processes are in proc/limits.h). Domain timings run on
// core::Clock; the wall-clock ones only pace local I/O.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/time.h"
#include "proc/limits.h"

namespace gcpsim::services::run {

// Cloud Run (HTTP/1) refuses request bodies over 32 MiB with 413.
constexpr uint64_t kMaxRequestBytes = 32ull * 1024 * 1024;
// At max instances, a request waits this long for a free slot before 429.
constexpr core::Duration kPendingTimeout = std::chrono::seconds(60);
// An idle instance is kept this long before it is scaled down (min instances stay).
constexpr core::Duration kIdleTimeout = std::chrono::minutes(15);
// SIGTERM on scale-down, SIGKILL this long after.
using proc::kTerminationGrace;

// Wall-clock pacing of local I/O (never domain time).
constexpr size_t kMaxIdleUpstreams = 256;   // pooled keep-alive connections per instance

}  // namespace gcpsim::services::run
