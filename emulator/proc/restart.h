// Restart policy shared by supervised processes: how long to wait before starting again after
// consecutive crashes (Cloud Run's and Compose's growing delay), on core::Clock.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/time.h"
#include "proc/limits.h"

namespace gcpsim::proc {

// The delay before the next start after `crash_streak` consecutive crashes: none after the
// first, then first, 2×first, 4×first, … capped at `max`.
inline core::Duration restart_backoff(int crash_streak, core::Duration first = kFirstRestartBackoff,
                                      core::Duration max = kMaxRestartBackoff) {
  if (crash_streak < 2) return core::Duration::zero();
  return std::min<core::Duration>(first * (int64_t{1} << std::min(crash_streak - 2, 20)), max);
}

}  // namespace gcpsim::proc
