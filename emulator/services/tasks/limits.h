// Cloud Tasks' documented limits and defaults, in one place.
#pragma once
#include <chrono>
#include <cstddef>

namespace gcpsim::services::tasks::limits {

using namespace std::chrono_literals;

constexpr auto kMaxScheduleAhead = std::chrono::hours(24 * 30);
constexpr auto kMinDispatchDeadline = 15s;
constexpr auto kMaxDispatchDeadline = std::chrono::minutes(30);
constexpr size_t kMaxTaskBytes = 100 * 1024;
// A deleted or executed task's name cannot be reused for about an hour.
constexpr auto kTaskNameReuse = std::chrono::hours(1);
// A deleted queue's name cannot be reused for three days.
constexpr auto kQueueNameReuse = std::chrono::hours(72);
constexpr double kMaxDispatchesPerSecond = 500;
constexpr int kMaxConcurrentDispatches = 5000;
constexpr int kDefaultBurst = 100;
constexpr int kMaxQueuePage = 9800;
constexpr int kMaxTaskPage = 1000;

}  // namespace gcpsim::services::tasks::limits
