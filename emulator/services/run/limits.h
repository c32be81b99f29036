// Cloud Run's documented limits and gcpsim's timings for the router and supervisor, in one
// place. Domain timings run on core::Clock; the wall-clock ones only pace local I/O.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/time.h"

namespace gcpsim::services::run {

// Cloud Run (HTTP/1) refuses request bodies over 32 MiB with 413.
constexpr uint64_t kMaxRequestBytes = 32ull * 1024 * 1024;
// At max instances, a request waits this long for a free slot before 429.
constexpr core::Duration kPendingTimeout = std::chrono::seconds(60);
// An idle instance is kept this long before it is scaled down (min instances stay).
constexpr core::Duration kIdleTimeout = std::chrono::minutes(15);
// SIGTERM on scale-down, SIGKILL this long after.
constexpr core::Duration kTerminationGrace = std::chrono::seconds(10);
// Restart backoff after consecutive crashes: 0, 1s, 2s, 4s, … capped.
constexpr core::Duration kFirstRestartBackoff = std::chrono::seconds(1);
constexpr core::Duration kMaxRestartBackoff = std::chrono::seconds(32);

// Wall-clock pacing of local I/O (never domain time).
constexpr int kProbeFirstRetryMs = 5;     // startup probe retries double from here…
constexpr int kProbeMaxRetryMs = 100;     // …up to this
constexpr int kExitDrainMs = 2000;        // wait this long for a dead process's last log lines
constexpr size_t kMaxLogLine = 256 * 1024;  // Cloud Logging's entry size limit
constexpr size_t kMaxIdleUpstreams = 256;   // pooled keep-alive connections per instance

}  // namespace gcpsim::services::run
