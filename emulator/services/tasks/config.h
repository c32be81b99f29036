// Cloud Tasks' stack-file section: the queues created before serving (`tasks.queues`).
#pragma once
#include <map>
#include <string>

#include "core/stack_section.h"
#include "core/time.h"

namespace gcpsim::services::tasks {

struct QueueRetry {
  int max_attempts = 100;            // -1: unlimited
  core::Duration min_backoff = std::chrono::milliseconds(100);
  core::Duration max_backoff = std::chrono::seconds(3600);
  int max_doublings = 16;
  core::Duration max_retry_duration{};  // zero: unlimited
};

struct QueueConfig {
  double max_dispatches_per_second = 500;
  int max_burst_size = 100;
  int max_concurrent_dispatches = 1000;
  QueueRetry retry;
};

struct TasksConfig {
  std::map<std::string, QueueConfig> queues;
};

// The `tasks` section; its result is ctx.stack.section<TasksConfig>("tasks").
core::StackSection stack_section();

}  // namespace gcpsim::services::tasks
