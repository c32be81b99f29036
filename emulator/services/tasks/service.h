// The Cloud Tasks service as the emulator hosts it: owns TaskQueues, registers the RPCs,
// creates the stack file's queues and mints tokens for OIDC/OAuth targets through IAM.
#pragma once
#include <memory>

#include "services/service.h"
#include "services/tasks/config.h"
#include "services/tasks/domain.h"

namespace gcpsim::services::tasks {

class TasksService final : public Service {
 public:
  // Throws std::runtime_error when the store cannot be migrated (a broken data directory).
  explicit TasksService(Context& ctx);
  void start() override;
  TaskQueues& queues() { return *queues_; }

 private:
  void seed(const core::StackConfig& stack);

  core::Env& env_;
  Registry& registry_;
  std::unique_ptr<TaskQueues> queues_;
};

void register_methods(net::MethodTable& m, TaskQueues& queues);
std::unique_ptr<Service> create(Context& ctx);

}  // namespace gcpsim::services::tasks
