// gcpsim's timings for supervised processes (Cloud Run instances, backing servers, Compute
// instances), in one place. Domain timings run on core::Clock; the wall-clock ones only pace
// local I/O.
#pragma once
#include <cstddef>

#include "core/time.h"

namespace gcpsim::proc {

// SIGTERM on stop, SIGKILL this long after (Cloud Run's and Compute Engine's shutdown grace).
constexpr core::Duration kTerminationGrace = std::chrono::seconds(10);
// Restart backoff after consecutive crashes: 0, 1s, 2s, 4s, … capped.
constexpr core::Duration kFirstRestartBackoff = std::chrono::seconds(1);
constexpr core::Duration kMaxRestartBackoff = std::chrono::seconds(32);

// Wall-clock pacing of local I/O (never domain time).
constexpr int kProbeFirstRetryMs = 5;     // startup probe retries double from here…
constexpr int kProbeMaxRetryMs = 100;     // …up to this
constexpr int kExitDrainMs = 2000;        // wait this long for a dead process's last log lines
constexpr size_t kMaxLogLine = 256 * 1024;  // Cloud Logging's entry size limit

}  // namespace gcpsim::proc
