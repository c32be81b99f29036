// google.cloud.tasks.v2 messages ⇄ the Cloud Tasks domain types.
#pragma once
#include <google/cloud/tasks/v2/queue.pb.h>
#include <google/cloud/tasks/v2/task.pb.h>

#include "services/tasks/domain.h"

namespace gcpsim::services::tasks {

namespace v2 = ::google::cloud::tasks::v2;

// Unset (zero) fields take the service's defaults.
Queue from_proto(const v2::Queue& q);
void to_proto(const Queue& q, v2::Queue* out);
StatusOr<TaskSpec> from_proto(const v2::Task& t);
void to_proto(const Task& t, v2::Task::View view, v2::Task* out);

}  // namespace gcpsim::services::tasks
