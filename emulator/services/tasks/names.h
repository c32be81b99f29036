// Cloud Tasks resource names: locations, queues and tasks, parsed and validated once.
#pragma once
#include <string>

#include "core/status.h"

namespace gcpsim::services::tasks {

struct LocationName {
  std::string project, location;
  std::string str() const { return "projects/" + project + "/locations/" + location; }
  static core::StatusOr<LocationName> parse(const std::string& text);
};

struct QueueName {
  std::string project, location, queue;
  LocationName parent() const { return {project, location}; }
  std::string str() const { return parent().str() + "/queues/" + queue; }
  static core::StatusOr<QueueName> parse(const std::string& text);
};

struct TaskName {
  QueueName queue;
  std::string task;
  std::string str() const { return queue.str() + "/tasks/" + task; }
  static core::StatusOr<TaskName> parse(const std::string& text);
};

// Queue ids: 1–100 of [A-Za-z0-9-]. Task ids: 1–500 of [A-Za-z0-9_-].
bool valid_queue_id(const std::string& id);
bool valid_task_id(const std::string& id);

}  // namespace gcpsim::services::tasks
