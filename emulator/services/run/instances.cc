// A Run revision's instances: the autoscaler's start/stop hooks become processes (with the
// instance environment and secrets), their output becomes log events, their probe and exit
// go back to the autoscaler; process fault rules can block or delay cold starts.
#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "proc/environment.h"
#include "proc/logs.h"
#include "services/run/container.h"
#include "services/run/revision.h"
#include "services/secrets/service.h"

namespace gcpsim::services::run {
namespace {

int64_t millis(core::Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

}  // namespace

core::StatusOr<std::vector<std::string>> Revision::instance_env(uint16_t port) const {
  std::vector<std::string> env = deps_.base_env;
  proc::set_var(env, "PORT", std::to_string(port));
  proc::set_var(env, "K_SERVICE", name_);
  proc::set_var(env, "K_REVISION", revision_);
  proc::set_var(env, "K_CONFIGURATION", name_);
  for (const auto& [k, v] : config_.env) proc::set_var(env, k, proc::expand_port({v}, port).front());
  for (const auto& [k, ref] : config_.secret_env) {
    if (!deps_.secrets) return core::Status::failed_precondition("Secret Manager is not available for " + k);
    auto value = deps_.secrets->access(ref.secret, ref.version);
    if (!value.ok()) return core::Status(value.status().code(), "secret_env " + k + ": " + value.status().message());
    proc::set_var(env, k, *value);
  }
  return env;
}

void Revision::start_instance(uint64_t id) {
  instances_[id];
  core::FaultSubject subject{core::Boundary::kProcess, name_, "run.instance.start", revision_};
  if (auto action = env_.faults.check(subject)) {
    if (action->kind != core::FaultAction::Kind::kDelay)
      return instance_failed_start(id, "the cold start was blocked by a fault rule");
    return later(action->delay, [this, id] {
      if (instances_.count(id)) launch(id);
    });
  }
  launch(id);
}

void Revision::launch(uint64_t id) {
  auto port = proc::pick_free_port();
  if (!port.ok()) return instance_failed_start(id, port.status().message());
  auto vars = instance_env(*port);
  if (!vars.ok()) return instance_failed_start(id, vars.status().message());
  proc::LaunchSpec spec;
  if (config_.image.empty() && !config_.build.empty()) {
    return instance_failed_start(id, config_.build_at + ": the image was not built");  // prepare_images() builds it
  }
  if (config_.image.empty()) {
    spec.spawn = proc::SpawnSpec{proc::expand_port(config_.command, *port), config_.cwd, std::move(vars).value()};
  } else {
    std::vector<std::string> names = deps_.stack_vars;
    names.insert(names.end(), {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"});
    for (const auto& [k, v] : config_.env) names.push_back(k);
    for (const auto& [k, ref] : config_.secret_env) names.push_back(k);
    ContainerSpec container{"gcpsim-" + std::to_string(env_.edge_port) + "-" + name_ + "-" + std::to_string(id) + "-" +
                                std::to_string(*port),
                            name_, owner_label(), std::move(names), *port};
    auto plan = container_plan(config_, container);
    if (!plan.ok()) return instance_failed_start(id, plan.status().message());
    spec.spawn = proc::SpawnSpec{std::move(plan->argv), config_.cwd, std::move(vars).value()};
    spec.cleanup = std::move(plan->cleanup);
  }
  spec.port = *port;
  if (config_.startup_probe) {
    spec.probe_path = config_.startup_probe->path;
    spec.probe_timeout = config_.startup_probe->timeout;
  }
  proc::ProcessCallbacks cb;
  cb.lines = [this, id](proc::Stream stream, std::vector<std::string> lines) {
    for (const auto& line : lines) {
      auto attrs = proc::parse_log_line(line, stream);
      attrs["instance"] = static_cast<int64_t>(id);
      env_.events.record("log", name_, std::move(attrs));
    }
  };
  cb.ready = [this, id] { instance_ready(id); };
  cb.probe_failed = [this, id] {
    env_.events.record("process.probe_failed", name_, {{"instance", static_cast<int64_t>(id)}});
    if (auto it = instances_.find(id); it != instances_.end() && it->second.process)
      deps_.supervisor.kill(*it->second.process);
  };
  cb.exited = [this, id](proc::ExitStatus st) { instance_exited(id, st); };
  auto process = deps_.supervisor.launch(std::move(spec), std::move(cb));
  if (!process.ok()) return instance_failed_start(id, process.status().message());
  Instance& inst = instances_[id];
  inst.process = *process;
  inst.port = *port;
  inst.launched = env_.clock.now();
  env_.events.record("process.start", name_, {{"instance", static_cast<int64_t>(id)}, {"revision", revision_}});
}

void Revision::instance_ready(uint64_t id) {
  auto it = instances_.find(id);
  if (it == instances_.end()) return;
  it->second.cold_start_ms = millis(env_.clock.now() - it->second.launched);
  env_.events.record("process.ready", name_,
                     {{"instance", static_cast<int64_t>(id)}, {"coldStartMs", it->second.cold_start_ms}});
  scaler_->ready(id);
}

void Revision::instance_failed_start(uint64_t id, const std::string& why) {
  instances_.erase(id);
  env_.events.record("process.start_failed", name_, {{"instance", static_cast<int64_t>(id)}, {"error", why}});
  scaler_->exited(id, true);
}

// Scale-down or replacement: SIGTERM now, SIGKILL after the grace period on the clock.
void Revision::stop_instance(uint64_t id) {
  auto it = instances_.find(id);
  if (it == instances_.end()) return;
  Instance& inst = it->second;
  inst.stopping = true;
  if (!inst.process) {  // a delayed cold start that never launched
    instances_.erase(it);
    return scaler_->exited(id, false);
  }
  env_.events.record("process.stop", name_, {{"instance", static_cast<int64_t>(id)}});
  uint64_t process = *inst.process;
  deps_.supervisor.terminate(process);
  inst.kill_timer = env_.clock.schedule_in(kTerminationGrace, [this, id, process] {
    if (auto i = instances_.find(id); i != instances_.end()) i->second.kill_timer.reset();
    deps_.supervisor.kill(process);
  });
}

void Revision::instance_exited(uint64_t id, proc::ExitStatus status) {
  auto it = instances_.find(id);
  if (it == instances_.end()) return;
  Instance inst = std::move(it->second);
  instances_.erase(it);
  if (inst.kill_timer) env_.clock.cancel(*inst.kill_timer);
  deps_.router.forget_instance(inst.port);
  core::Attrs attrs{{"instance", static_cast<int64_t>(id)}, {"exitCode", static_cast<int64_t>(status.code)},
                    {"expected", inst.stopping}};
  if (status.signal) attrs["signal"] = static_cast<int64_t>(status.signal);
  env_.events.record("process.exit", name_, std::move(attrs));
  scaler_->exited(id, !inst.stopping);
}

// A crash fault: SIGKILL the first running instance; its exit counts as a crash.
void Revision::crash_one() {
  for (auto& [id, inst] : instances_) {
    if (inst.process && !inst.stopping) {
      deps_.supervisor.kill(*inst.process);
      return;
    }
  }
}

void Revision::kill_instances() {
  for (auto& [id, inst] : instances_)
    if (inst.process && !inst.stopping) deps_.supervisor.kill(*inst.process);
}

void Revision::restart() { scaler_->replace_all(); }

std::vector<InstanceInfo> Revision::instances() const {
  std::vector<InstanceInfo> out;
  for (const auto& [id, si] : scaler_->instances()) {
    InstanceInfo info;
    info.id = id;
    info.state = instance_state_name(si.state);
    info.in_flight = si.in_flight;
    info.served = si.served;
    if (auto it = instances_.find(id); it != instances_.end()) {
      info.port = it->second.port;
      info.cold_start_ms = it->second.cold_start_ms;
      if (it->second.process) info.pid = deps_.supervisor.pid(*it->second.process);
    }
    out.push_back(info);
  }
  return out;
}

}  // namespace gcpsim::services::run
