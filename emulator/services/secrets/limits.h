// Secret Manager's documented limits, in one place.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/time.h"

namespace gcpsim::services::secrets::limits {

using namespace std::chrono_literals;

inline constexpr size_t kMaxPayloadBytes = 64 * 1024;
inline constexpr size_t kMaxSecretIdLength = 255;
inline constexpr size_t kMaxAliasLength = 63;
inline constexpr size_t kMaxAliases = 50;
inline constexpr size_t kMaxTopics = 10;
inline constexpr size_t kMaxLabels = 64;
inline constexpr size_t kMaxLabelLength = 63;
inline constexpr size_t kMaxAnnotationBytes = 16 * 1024;
inline constexpr int32_t kMaxPageSize = 25000;

// Rotation: the period is 1 hour to 100 years; the next rotation at least 5 minutes ahead.
inline constexpr core::Duration kMinRotationPeriod = 1h;
inline constexpr core::Duration kMaxRotationPeriod = std::chrono::hours(24 * 365 * 100);
inline constexpr core::Duration kMinRotationLead = 5min;

// Delayed destruction of versions: 1 to 1000 days.
inline constexpr core::Duration kMinVersionDestroyTtl = 24h;
inline constexpr core::Duration kMaxVersionDestroyTtl = std::chrono::hours(24 * 1000);

}  // namespace gcpsim::services::secrets::limits
