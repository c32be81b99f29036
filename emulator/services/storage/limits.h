// Cloud Storage limits and fixed values, in one place (the real service's documented numbers).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/time.h"

namespace gcpsim::services::storage::limits {

using namespace std::chrono_literals;

constexpr size_t kMaxComposeSources = 32;
constexpr size_t kMaxObjectNameBytes = 1024;
constexpr size_t kDefaultListResults = 1000;
constexpr size_t kMaxListResults = 1000;
// Resumable chunks other than the last must hold at least this (and should be multiples of it).
constexpr uint64_t kResumableGranularity = 256 * 1024;
constexpr core::Duration kResumableSessionTtl = 7 * 24h;
// A rewrite copies at most this much per call unless the caller asks for less.
constexpr uint64_t kRewriteBytesPerCall = 256ull * 1024 * 1024;
constexpr uint64_t kRewriteGranularity = 1024 * 1024;
constexpr int64_t kMaxSignedUrlExpiry = 7 * 24 * 3600;  // seconds
// Lifecycle rules are evaluated once a day on the clock.
constexpr core::Duration kLifecycleSweepPeriod = 24h;
constexpr size_t kMaxNotificationsPerBucket = 100;
constexpr size_t kMaxLabels = 64;

}  // namespace gcpsim::services::storage::limits
