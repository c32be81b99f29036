// A managed instance group's instances and their processes (see group.h). Health checks
// are paced by core::Clock; a probe's own I/O is real and counted while in flight, so the
// harness waits for it before moving the clock again.
#include "services/compute/group.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>

#include "core/env.h"
#include "core/events.h"
#include "core/ids.h"
#include "proc/limits.h"
#include "proc/logs.h"
#include "proc/probe.h"
#include "proc/restart.h"

namespace gcpsim::services::compute {

namespace {
constexpr uint32_t kFirstAddress = 0x7f000102;  // 127.0.1.2 (127.0.1.1 is often the host's name)
constexpr uint32_t kLastAddress = 0x7f0001fe;   // 127.0.1.254
constexpr core::Duration kStartupProbeTimeout = std::chrono::seconds(240);
}  // namespace

core::StatusOr<uint32_t> Addresses::take() {
  for (uint32_t a = kFirstAddress; a <= kLastAddress; ++a)
    if (used_.insert(a).second) return a;
  return core::Status::resource_exhausted("no free instance address in 127.0.1.0/24");
}

std::string address_text(uint32_t address) {
  in_addr a{htonl(address)};
  char buf[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

Group::Group(GroupDeps& deps, std::string name, GroupConfig config)
    : deps_(deps), name_(std::move(name)), config_(std::move(config)), order_(start_order(config_)), target_(config_.size) {}

// Timers outlive nothing: one that fires after the group is gone (a reset) does nothing.
core::Clock::TimerId Group::later(core::Duration d, std::function<void()> fn) {
  return deps_.env.clock.schedule_in(d, [alive = std::weak_ptr<int>(alive_), fn = std::move(fn)] {
    if (alive.lock()) fn();
  });
}

Group::~Group() {
  stopped_ = true;
  if (autoscale_timer_) deps_.env.clock.cancel(*autoscale_timer_);
  for (auto& [name, inst] : instances_) {
    for (auto* t : {&inst.check_timer, &inst.drain_timer})
      if (*t) deps_.env.clock.cancel(**t);
    for (auto& [p, proc] : inst.procs)
      if (proc.restart_timer) deps_.env.clock.cancel(*proc.restart_timer);
  }
}

namespace {
// The autoscaler looks at load-balancing utilisation over this window.
constexpr core::Duration kAutoscaleWindow = std::chrono::seconds(60);
}  // namespace

void Group::start() {
  for (int i = 0; i < target_; ++i) create_instance();
  if (config_.target_requests_per_instance)
    autoscale_timer_ = later(kAutoscaleWindow, [this] { autoscale(); });
}

// Load-balancing utilisation: enough instances for the window's request rate at
// max_rate_per_instance each, within min and max.
void Group::autoscale() {
  double rate = static_cast<double>(window_requests_) / std::chrono::duration<double>(kAutoscaleWindow).count();
  window_requests_ = 0;
  int want = static_cast<int>(std::ceil(rate / *config_.target_requests_per_instance - 1e-9));
  want = std::clamp(want, std::max(config_.min, 1), config_.max);
  if (want != target_) {
    deps_.env.events.record("compute.autoscaler.resize", name_,
                            {{"from", int64_t{target_}}, {"to", int64_t{want}}, {"rate", rate}});
    resize(want);
  }
  autoscale_timer_ = later(kAutoscaleWindow, [this] { autoscale(); });
}

void Group::record(const std::string& kind, const Instance& inst, core::Attrs attrs) {
  attrs["instance"] = inst.name;
  attrs["address"] = address_text(inst.address);
  deps_.env.events.record(kind, name_, std::move(attrs));
}

Group::Instance* Group::find(const std::string& instance) {
  auto it = instances_.find(instance);
  return it == instances_.end() ? nullptr : &it->second;
}

void Group::create_instance() {
  auto address = deps_.addresses.take();
  if (!address.ok()) {
    deps_.env.events.record("compute.instance.error", name_, {{"error", address.status().message()}});
    return;
  }
  Instance inst;
  // Compute Engine names a group's instances BASE-xxxx.
  do {
    inst.name = name_ + "-" + deps_.env.ids.hex("compute.instance", 2);
  } while (instances_.count(inst.name));
  inst.id = 1000000000000000000ull + deps_.env.ids.next_numeric("compute.instance.id");
  inst.address = *address;
  auto& ref = instances_.emplace(inst.name, std::move(inst)).first->second;
  record("compute.instance.create", ref, {{"id", std::to_string(ref.id)}});
  boot(ref);
}

// A (re)started VM: the startup script first, then the processes as their dependencies
// become ready; health checks from creation on, as on a real VM.
void Group::boot(Instance& inst) {
  inst.state = State::kStarting;
  inst.created = deps_.env.clock.now();
  inst.ok_streak = inst.fail_streak = 0;
  inst.healthy.reset();
  inst.procs.clear();
  for (const auto& p : order_) inst.procs[p];
  if (config_.health_check && !inst.check_timer) schedule_check(inst);
  if (config_.startup_script.empty()) return start_ready_processes(inst);
  proc::LaunchSpec spec;
  auto env = deps_.process_env(ProcessConfig{}, inst.address);
  if (!env.ok()) return record("compute.instance.error", inst, {{"error", env.status().message()}});
  spec.spawn = proc::SpawnSpec{config_.startup_script, "/", std::move(env).value()};
  proc::ProcessCallbacks cb;
  std::string name = inst.name;
  uint64_t gen = inst.generation;
  cb.lines = [this, name](proc::Stream stream, std::vector<std::string> lines) {
    for (const auto& line : lines) {
      auto attrs = proc::parse_log_line(line, stream);
      attrs["instance"] = name;
      attrs["process"] = "startup-script";
      deps_.env.events.record("log", name_, std::move(attrs));
    }
  };
  cb.exited = [this, name, gen](proc::ExitStatus st) {
    Instance* i = find(name);
    if (!i || i->generation != gen) return;
    i->startup.reset();
    record("compute.instance.startup_script", *i, {{"code", int64_t{st.code}}});
    if (i->state == State::kStopping) return process_exited(name, gen, "", st);
    start_ready_processes(*i);
  };
  auto handle = deps_.supervisor.launch(std::move(spec), std::move(cb));
  if (!handle.ok()) {
    record("compute.instance.error", inst, {{"error", "startup script: " + handle.status().message()}});
    return start_ready_processes(inst);
  }
  inst.startup = *handle;
}

void Group::start_ready_processes(Instance& inst) {
  if (inst.state == State::kStopping || inst.startup) return;
  bool all_ready = true;
  std::vector<std::string> to_start;
  for (const auto& name : order_) {
    Process& p = inst.procs[name];
    all_ready = all_ready && p.ready;
    if (p.handle || p.ready || p.restart_timer) continue;
    bool deps_ready = true;
    for (const auto& d : config_.processes.at(name).depends_on) deps_ready = deps_ready && inst.procs[d].ready;
    if (deps_ready) to_start.push_back(name);
  }
  if (all_ready && inst.state == State::kStarting) {
    inst.state = State::kRunning;
    record("compute.instance.running", inst);
    maybe_continue_rollout();
    return;
  }
  std::string name = inst.name;
  for (const auto& p : to_start) {
    Instance* i = find(name);
    if (!i || i->state == State::kStopping) return;
    // A process with no readiness probe is ready at once, which may already have started
    // the rest from within launch().
    const Process& pr = i->procs[p];
    if (pr.handle || pr.ready || pr.restart_timer) continue;
    launch(*i, p);
  }
}

void Group::launch(Instance& inst, const std::string& process) {
  const ProcessConfig& cfg = config_.processes.at(process);
  Process& p = inst.procs[process];
  std::string name = inst.name;
  uint64_t gen = inst.generation;
  auto env = deps_.process_env(cfg, inst.address);
  if (!env.ok()) {
    record("compute.process.error", inst, {{"process", process}, {"error", env.status().message()}});
    return;
  }
  proc::LaunchSpec spec;
  spec.spawn = proc::SpawnSpec{cfg.command, cfg.cwd, std::move(env).value()};
  if (cfg.ready) {
    spec.host = inst.address;
    spec.port = static_cast<uint16_t>(cfg.ready->port);
    spec.probe_path = cfg.ready->path;
    spec.probe_timeout = kStartupProbeTimeout;
  }
  proc::ProcessCallbacks cb;
  cb.lines = [this, name, process](proc::Stream stream, std::vector<std::string> lines) {
    for (const auto& line : lines) {
      auto attrs = proc::parse_log_line(line, stream);
      attrs["instance"] = name;
      attrs["process"] = process;
      deps_.env.events.record("log", name_, std::move(attrs));
    }
  };
  cb.ready = [this, name, gen, process] { process_ready(name, gen, process); };
  cb.probe_failed = [this, name, gen, process] {
    Instance* i = find(name);
    if (!i || i->generation != gen) return;
    auto& pr = i->procs[process];
    if (pr.handle) deps_.supervisor.kill(*pr.handle);
  };
  cb.exited = [this, name, gen, process](proc::ExitStatus st) { process_exited(name, gen, process, st); };
  auto handle = deps_.supervisor.launch(std::move(spec), std::move(cb));
  if (!handle.ok()) {
    record("compute.process.error", inst, {{"process", process}, {"error", handle.status().message()}});
    return;
  }
  p.handle = *handle;
  // No pid in the event (the OS picks it, so a replay would differ); /_gcpsim/compute has it.
  record("compute.process.start", inst, {{"process", process}, {"restarts", int64_t{p.restarts}}});
  if (!cfg.ready) process_ready(name, gen, process);
}

void Group::process_ready(const std::string& instance, uint64_t generation, const std::string& process) {
  Instance* inst = find(instance);
  if (!inst || inst->generation != generation || inst->state == State::kStopping) return;
  Process& p = inst->procs[process];
  if (!p.handle || p.ready) return;
  p.ready = true;
  p.crash_streak = 0;
  record("compute.process.ready", *inst, {{"process", process}});
  start_ready_processes(*inst);
}

// An exit while the instance runs follows the process's restart policy, with the shared
// backoff after repeated crashes; while it stops, the last exit completes the stop.
void Group::process_exited(const std::string& instance, uint64_t generation, const std::string& process,
                           proc::ExitStatus st) {
  Instance* inst = find(instance);
  if (!inst || inst->generation != generation) return;
  if (!process.empty()) {
    Process& p = inst->procs[process];
    p.handle.reset();
    p.ready = false;
    core::Attrs attrs{{"process", process}, {"code", int64_t{st.code}}};
    if (st.signal) attrs["signal"] = int64_t{st.signal};
    record("compute.process.exit", *inst, std::move(attrs));
  }
  if (inst->state == State::kStopping) {
    bool any = inst->startup.has_value();
    for (auto& [n, p] : inst->procs) any = any || p.handle.has_value();
    if (any) return;
    if (inst->remove_when_stopped) return finish_removal(instance);
    ++inst->generation;
    return boot(*inst);
  }
  if (process.empty()) return;
  Restart policy = config_.processes.at(process).restart;
  bool again = policy == Restart::kAlways || (policy == Restart::kOnFailure && st.code != 0);
  if (!again || stopped_) return;
  Process& p = inst->procs[process];
  ++p.crash_streak;
  ++p.restarts;
  auto delay = proc::restart_backoff(p.crash_streak);
  p.restart_timer = later(delay, [this, instance, generation, process] {
    Instance* i = find(instance);
    if (!i || i->generation != generation || i->state == State::kStopping) return;
    i->procs[process].restart_timer.reset();
    launch(*i, process);
  });
}

void Group::schedule_check(Instance& inst) {
  std::string name = inst.name;
  inst.check_timer = later(config_.health_check->interval, [this, name] { check(name); });
}

void Group::check(const std::string& instance) {
  Instance* inst = find(instance);
  if (!inst) return;
  inst->check_timer.reset();
  if (inst->remove_when_stopped) return;
  schedule_check(*inst);
  if (inst->probing || inst->state == State::kStopping) return;
  inst->probing = true;
  ++probes_in_flight_;
  const auto& hc = *config_.health_check;
  proc::ProbeTarget target{inst->address, static_cast<uint16_t>(hc.port), hc.path};
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(hc.timeout);
  std::weak_ptr<int> alive = alive_;
  uint64_t gen = inst->generation;
  proc::probe(*deps_.io, target, timeout, [this, alive, instance, gen](bool ok) {
    if (alive.lock()) check_result(instance, gen, ok);
  });
}

void Group::check_result(const std::string& instance, uint64_t generation, bool ok) {
  --probes_in_flight_;
  Instance* inst = find(instance);
  if (!inst) return;
  inst->probing = false;
  if (inst->generation != generation || inst->state == State::kStopping) return;
  const auto& hc = *config_.health_check;
  if (ok) {
    ++inst->ok_streak;
    inst->fail_streak = 0;
    if (inst->healthy != true && inst->ok_streak >= hc.healthy_threshold) {
      inst->healthy = true;
      record("healthcheck.healthy", *inst);
      maybe_continue_rollout();
    }
    return;
  }
  ++inst->fail_streak;
  inst->ok_streak = 0;
  if (inst->healthy != false && inst->fail_streak >= hc.unhealthy_threshold) {
    inst->healthy = false;
    record("healthcheck.unhealthy", *inst);
  }
  // Auto-healing leaves an instance alone during its initial delay after (re)creation.
  if (inst->healthy == false && config_.auto_healing_delay &&
      deps_.env.clock.now() - inst->created >= *config_.auto_healing_delay) {
    recreate(*inst, "unhealthy");
  }
}

bool Group::is_serving(const Instance& inst) const {
  if (inst.state != State::kRunning || inst.remove_when_stopped) return false;
  return !config_.health_check || inst.healthy == true;
}

std::vector<std::pair<std::string, uint32_t>> Group::serving() const {
  std::vector<std::pair<std::string, uint32_t>> out;
  for (const auto& [name, inst] : instances_)
    if (is_serving(inst)) out.emplace_back(name, inst.address);
  return out;
}

// Recreation keeps the instance's name, id and address (as a MIG's recreate does) and
// kills its whole process tree at once, like a VM reset.
void Group::recreate(Instance& inst, const std::string& reason) {
  if (inst.state == State::kStopping) return;
  record("compute.instance.recreate", inst, {{"reason", reason}});
  inst.state = State::kStopping;
  stop_processes(inst, true);
}

void Group::stop_processes(Instance& inst, bool kill) {
  bool any = false;
  for (auto& [n, p] : inst.procs) {
    if (p.restart_timer) deps_.env.clock.cancel(*p.restart_timer);
    p.restart_timer.reset();
    if (!p.handle) continue;
    any = true;
    kill ? deps_.supervisor.kill(*p.handle) : deps_.supervisor.terminate(*p.handle);
  }
  if (inst.startup) {
    any = true;
    deps_.supervisor.kill(*inst.startup);
  }
  std::string name = inst.name;
  uint64_t gen = inst.generation;
  if (!any) return process_exited(name, gen, "", proc::ExitStatus{});
  if (kill) return;
  later(proc::kTerminationGrace, [this, name, gen] {
    Instance* i = find(name);
    if (!i || i->generation != gen || i->state != State::kStopping) return;
    for (auto& [n, p] : i->procs)
      if (p.handle) deps_.supervisor.kill(*p.handle);
  });
}

core::Status Group::resize(int size) {
  if (size < 0 || size > 1000) return core::Status::invalid_argument("Invalid value for field 'size': '" + std::to_string(size) + "'.");
  target_ = size;
  int live = 0;
  for (auto& [n, inst] : instances_) live += !inst.remove_when_stopped;
  for (; live < target_; ++live) create_instance();
  // Newest first: Compute Engine picks which to delete; gcpsim picks the last created.
  while (live > target_) {
    Instance* victim = nullptr;
    for (auto& [n, inst] : instances_)
      if (!inst.remove_when_stopped && (!victim || inst.id > victim->id)) victim = &inst;
    if (!victim) break;
    remove(*victim);
    --live;
  }
  deps_.env.events.record("compute.group.resize", name_, {{"size", int64_t{target_}}});
  return core::Status::ok();
}

// Connection draining: no new requests; the instance stops once its in-flight requests end
// or the draining timeout passes, whichever comes first.
void Group::remove(Instance& inst) {
  inst.remove_when_stopped = true;
  record("compute.instance.delete", inst);
  std::string name = inst.name;
  auto stop = [this, name] {
    Instance* i = find(name);
    if (!i || i->state == State::kStopping) return;
    if (i->drain_timer) deps_.env.clock.cancel(*i->drain_timer);
    i->drain_timer.reset();
    i->state = State::kStopping;
    stop_processes(*i, false);
  };
  if (inst.in_flight == 0 || draining_timeout_.count() == 0) return stop();
  record("compute.instance.draining", inst, {{"in_flight", int64_t{inst.in_flight}}});
  inst.drain_timer = later(draining_timeout_, stop);
}

void Group::finish_removal(const std::string& instance) {
  auto it = instances_.find(instance);
  if (it == instances_.end()) return;
  Instance& inst = it->second;
  for (auto* t : {&inst.check_timer, &inst.drain_timer})
    if (*t) deps_.env.clock.cancel(**t);
  record("compute.instance.deleted", inst);
  deps_.addresses.give_back(inst.address);
  instances_.erase(it);
}

void Group::begin_request(const std::string& instance) {
  ++window_requests_;
  if (Instance* i = find(instance)) ++i->in_flight;
}

void Group::end_request(const std::string& instance) {
  Instance* i = find(instance);
  if (!i || i->in_flight == 0) return;
  if (--i->in_flight == 0 && i->remove_when_stopped && i->drain_timer) {
    deps_.env.clock.cancel(*i->drain_timer);
    i->drain_timer.reset();
    i->state = State::kStopping;
    stop_processes(*i, false);
  }
}

// One instance at a time (maxUnavailable 1, maxSurge 0): the next is recreated once the
// previous one serves again.
void Group::rolling_restart() {
  rollout_.clear();
  for (const auto& [n, inst] : instances_)
    if (!inst.remove_when_stopped) rollout_.push_back(n);
  rolling_.reset();
  deps_.env.events.record("compute.group.rolling_restart", name_, {{"instances", int64_t(rollout_.size())}});
  maybe_continue_rollout();
}

void Group::maybe_continue_rollout() {
  if (rolling_) {
    Instance* cur = find(*rolling_);
    if (cur && !is_serving(*cur)) return;
    rolling_.reset();
  }
  while (!rollout_.empty()) {
    std::string next = rollout_.front();
    rollout_.erase(rollout_.begin());
    Instance* inst = find(next);
    if (!inst || inst->remove_when_stopped) continue;
    rolling_ = next;
    recreate(*inst, "rolling restart");
    return;
  }
}

core::Status Group::recreate(const std::string& instance) {
  Instance* inst = find(instance);
  if (!inst || inst->remove_when_stopped)
    return core::Status::not_found("The resource 'projects/-/zones/" + deps_.zone + "/instances/" + instance + "' was not found");
  recreate(*inst, "requested");
  return core::Status::ok();
}

core::Status Group::kill_process(const std::string& instance, const std::string& process) {
  Instance* inst = find(instance);
  if (!inst) return core::Status::not_found("instance '" + instance + "' not found in group '" + name_ + "'");
  auto it = inst->procs.find(process);
  if (it == inst->procs.end()) return core::Status::not_found("instance '" + instance + "' has no process '" + process + "'");
  if (!it->second.handle) return core::Status::failed_precondition("process '" + process + "' is not running");
  deps_.supervisor.kill(*it->second.handle);
  // Dying until its exit is seen: booting() holds the clock meanwhile, so health checks do
  // not run ahead on virtual time while the exit is still on its way (a loaded machine).
  it->second.ready = false;
  return core::Status::ok();
}

size_t Group::booting() const {
  size_t n = 0;
  for (const auto& [name, inst] : instances_) {
    if (inst.remove_when_stopped) continue;
    bool starting = inst.state != State::kRunning;
    for (const auto& [p, proc] : inst.procs) starting = starting || (proc.handle && !proc.ready);
    n += starting;
  }
  return n;
}

std::optional<uint32_t> Group::address_of(const std::string& instance) const {
  auto it = instances_.find(instance);
  if (it == instances_.end()) return std::nullopt;
  return it->second.address;
}

std::optional<uint64_t> Group::id_of(const std::string& instance) const {
  auto it = instances_.find(instance);
  if (it == instances_.end()) return std::nullopt;
  return it->second.id;
}

std::vector<InstanceView> Group::instances() const {
  std::vector<InstanceView> out;
  for (const auto& [n, inst] : instances_) {
    InstanceView v;
    v.name = n;
    v.id = inst.id;
    v.address = inst.address;
    v.status = inst.state == State::kStopping ? "STOPPING" : inst.state == State::kRunning ? "RUNNING" : "STAGING";
    v.health = !config_.health_check ? (inst.state == State::kRunning ? "HEALTHY" : "UNKNOWN")
               : !inst.healthy       ? "UNKNOWN"
               : *inst.healthy       ? "HEALTHY"
                                     : "UNHEALTHY";
    v.serving = is_serving(inst);
    v.in_flight = inst.in_flight;
    for (const auto& [pn, p] : inst.procs) {
      v.pids[pn] = p.handle ? deps_.supervisor.pid(*p.handle) : std::nullopt;
      v.restarts[pn] = p.restarts;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace gcpsim::services::compute
