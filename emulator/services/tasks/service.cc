// Cloud Tasks' row in the services table.
#include "services/tasks/service.h"

#include <stdexcept>

#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "services/tasks/config.h"
#include "services/iam/service.h"
#include "services/run/service.h"

namespace gcpsim::services::tasks {

TasksService::TasksService(Context& ctx) : env_(ctx.env), registry_(ctx.registry) {
  auto opened = TaskQueues::open(ctx.env, ctx.http);
  if (!opened.ok()) throw std::runtime_error("tasks: " + opened.status().to_string());
  queues_ = std::move(opened).value();
  register_methods(ctx.methods, *queues_);
  seed(ctx.stack);
}

// Stack-file queues are created in the emulator's project and region unless a data
// directory already holds them.
void TasksService::seed(const core::StackConfig& stack) {
  const auto* tasks = stack.section<TasksConfig>("tasks");
  if (!tasks) return;
  for (const auto& [id, config] : tasks->queues) {
    QueueName name{env_.project, env_.region, id};
    if (queues_->get_queue(name).ok()) continue;
    Queue q;
    q.name = name.str();
    q.rate = {config.max_dispatches_per_second, config.max_burst_size, config.max_concurrent_dispatches};
    const auto& r = config.retry;
    q.retry = {r.max_attempts, r.max_retry_duration, r.min_backoff, r.max_backoff, r.max_doublings};
    auto created = queues_->create_queue(name.parent(), q);
    if (!created.ok()) {
      env_.events.record("tasks.error", "tasks",
                         {{"queue", id}, {"message", "creating from the stack file: " + created.status().message()}});
    }
  }
}

void TasksService::start() {
  if (auto* iam = registry_.get<iam::IamService>("iam")) {
    queues_->set_token_minter([iam](const AuthToken& a, const std::string& url) -> core::StatusOr<std::string> {
      std::string email = a.email.empty() ? iam->default_email() : a.email;
      if (a.kind == AuthToken::Kind::kOidc) {
        std::string audience = a.audience;
        if (audience.empty()) audience = url.substr(0, url.find('?'));
        return iam->id_token(audience, email);
      }
      return iam->access_token(email, a.scope.empty() ? "https://www.googleapis.com/auth/cloud-platform" : a.scope);
    });
  }
  if (auto* run = registry_.get<run::RunService>("run")) {
    queues_->set_run_router({[run](const std::string& url) { return run->service_for_url(url); },
                             [run](const std::string& service, net::OutboundRequest req,
                                   std::function<void(net::OutboundResponse)> done) {
                               run->request(service, std::move(req), std::move(done));
                             }});
  }
  queues_->start();
}

std::unique_ptr<Service> create(Context& ctx) { return std::make_unique<TasksService>(ctx); }

}  // namespace gcpsim::services::tasks
