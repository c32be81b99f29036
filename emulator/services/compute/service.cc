// Builds the groups and load balancers of the `compute:` section on start, gives every
// instance its environment (gcpsim's client variables, its metadata host, secret env) and
// its metadata view, and serves /_gcpsim/compute.
#include "services/compute/service.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "net/http.h"
#include "proc/environment.h"
#include "proc/limits.h"
#include "proc/supervisor.h"
#include "services/backing/service.h"
#include "services/compute/group.h"
#include "services/compute/lb.h"
#include "services/compute/metadata.h"
#include "services/run/router.h"
#include "services/run/service.h"
#include "services/secrets/service.h"

namespace gcpsim::services::compute {
namespace {

using nlohmann::json;

json describe(const Group& g) {
  json instances = json::array();
  for (const auto& i : g.instances()) {
    json procs = json::object();
    for (const auto& [p, pid] : i.pids) {
      procs[p] = {{"restarts", i.restarts.at(p)}};
      if (pid) procs[p]["pid"] = *pid;
    }
    instances.push_back({{"name", i.name}, {"id", std::to_string(i.id)}, {"address", address_text(i.address)},
                         {"status", i.status}, {"health", i.health}, {"serving", i.serving},
                         {"inFlight", i.in_flight}, {"processes", std::move(procs)}});
  }
  return {{"name", g.name()}, {"targetSize", g.target_size()}, {"instances", std::move(instances)}};
}

// "NAME:verb" → (NAME, verb)
std::pair<std::string, std::string> split_verb(const std::string& target) {
  auto colon = target.rfind(':');
  if (colon == std::string::npos) return {target, ""};
  return {target.substr(0, colon), target.substr(colon + 1)};
}

}  // namespace

std::unique_ptr<Service> ComputeService::create(Context& ctx) {
  std::unique_ptr<ComputeService> svc(new ComputeService(ctx));
  svc->add_routes(ctx.router);
  return svc;
}

ComputeService::ComputeService(Context& ctx) : ctx_(ctx) {}

ComputeService::~ComputeService() { stop(); }

Group* ComputeService::group(const std::string& name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

std::optional<InstanceIdentity> ComputeService::identity(uint32_t address) const {
  for (const auto& [gname, g] : groups_) {
    for (const auto& i : g->instances()) {
      if (i.address != address) continue;
      return InstanceIdentity{i.name, gname, config_->zone, i.id, i.address, g->metadata()};
    }
  }
  return std::nullopt;
}

// gcpsim listens for the instance's metadata on its own address, at the edge's port number
// (a free port when that one is taken); the listener stays for the address's next instance.
uint16_t ComputeService::metadata_port(uint32_t address) {
  if (auto it = metadata_.find(address); it != metadata_.end()) return it->second.second;
  auto view = std::make_shared<MetadataView>(ctx_.env, address, [this](uint32_t a) { return identity(a); },
                                             config_->project_metadata);
  auto port = router_->listen(ctx_.env.edge_port, view, address);
  if (!port.ok()) port = router_->listen(0, view, address);
  uint16_t p = port.ok() ? *port : 0;
  metadata_[address] = {view, p};
  return p;
}

void ComputeService::start() {
  config_ = ctx_.stack.section<ComputeConfig>("compute");
  if (!config_) return;
  auto* backing = ctx_.registry.get<backing::BackingService>("backing");
  if (backing) backing_env_ = backing->env_vars();
  auto* secrets = ctx_.registry.get<secrets::SecretsService>("secrets");
  supervisor_ = std::make_unique<proc::Supervisor>(ctx_.runtime.engine);
  router_ = std::make_unique<run::Router>(ctx_.runtime);
  addresses_ = std::make_unique<Addresses>();
  auto process_env = [this, secrets](const ProcessConfig& p, uint32_t address) -> core::StatusOr<std::vector<std::string>> {
    auto env = proc::base_environment(ctx_.env, backing_env_);
    std::string md = address_text(address) + ":" + std::to_string(metadata_port(address));
    proc::set_var(env, "GCE_METADATA_HOST", md);
    proc::set_var(env, "GCE_METADATA_IP", md);
    // What a process binds instead of 0.0.0.0: its VM's own address.
    proc::set_var(env, "INSTANCE_IP", address_text(address));
    if (auto who = identity(address)) proc::set_var(env, "INSTANCE_NAME", who->name);
    for (const auto& [k, v] : p.env) proc::set_var(env, k, v);
    for (const auto& [k, ref] : p.secret_env) {
      if (!secrets) return core::Status::failed_precondition("Secret Manager is not available for " + k);
      auto value = secrets->access(ref.secret, ref.version);
      if (!value.ok()) return core::Status(value.status().code(), "secret_env " + k + ": " + value.status().message());
      proc::set_var(env, k, *value);
    }
    return env;
  };
  group_deps_ = std::make_unique<GroupDeps>(GroupDeps{ctx_.env, *supervisor_, ctx_.runtime.engine, *addresses_,
                                                      config_->zone, process_env});
  auto* run = ctx_.registry.get<run::RunService>("run");
  auto run_port = [run](const std::string& service) -> std::optional<uint16_t> {
    auto url = run ? run->url(service) : std::nullopt;
    if (!url) return std::nullopt;
    return static_cast<uint16_t>(std::stoi(url->substr(url->rfind(':') + 1)));
  };
  lb_deps_ = std::make_unique<LbDeps>(LbDeps{ctx_.env, *router_, [this](const std::string& n) { return group(n); }, run_port});
  for (const auto& [name, g] : config_->groups) groups_[name] = std::make_unique<Group>(*group_deps_, name, g);
  for (const auto& [name, lb] : config_->load_balancers) {
    for (const auto& b : {lb.default_backend})
      if (Group* g = group(b.group)) g->set_draining_timeout(lb.draining_timeout);
    for (const auto& h : lb.host_rules)
      for (const auto& r : h.path_rules)
        if (Group* g = group(r.backend.group)) g->set_draining_timeout(lb.draining_timeout);
    lbs_[name] = std::make_shared<LoadBalancer>(*lb_deps_, name, lb);
  }
  for (auto& [name, g] : groups_) g->start();
  for (auto& [name, lb] : lbs_) {
    auto st = lb->start();
    if (st.is_ok()) continue;
    ctx_.env.events.record("lb.error", name, {{"error", st.message()}});
    std::cerr << "gcpsim: load balancer " << name << ": " << st.message() << std::endl;
  }
}

// Processes first (no callback may reach a group being destroyed), then groups and load
// balancers, then the listeners.
void ComputeService::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (supervisor_) supervisor_->stop_all(proc::kTerminationGrace);
  lbs_.clear();
  groups_.clear();
  router_.reset();
  metadata_.clear();
  supervisor_.reset();
}

size_t ComputeService::requests_in_processes() const {
  size_t n = 0;
  for (const auto& [name, lb] : lbs_) n += lb->in_flight();
  return n;
}

// Not folded into requests_in_processes: there a request some process holds on a timer
// (even one whose process was killed meanwhile) would offset a booting process, and the
// clock would run ahead while it boots (knowledge/worker-crash: a restarted worker was
// ready at 09:00:05, 09:00:10 or 09:00:35 from run to run).
size_t ComputeService::background_work() const {
  size_t n = 0;
  for (const auto& [name, g] : groups_) n += g->probes_in_flight() + g->booting();
  return n;
}

void ComputeService::add_routes(net::Router& router) {
  router.add_guarded("GET", "/_gcpsim/compute", [this](net::HttpRequest&, net::Reply reply) {
    json groups = json::array(), lbs = json::array();
    for (const auto& [name, g] : groups_) groups.push_back(describe(*g));
    for (const auto& [name, lb] : lbs_) lbs.push_back({{"name", name}, {"port", lb->port()}});
    reply(net::HttpResponse::json(200, json{{"instanceGroups", groups}, {"loadBalancers", lbs}}.dump()));
  });
  // POST /_gcpsim/compute/groups/{group}:resize {"size": N} | :rollingRestart
  router.add_guarded("POST", "/_gcpsim/compute/groups/{target}", [this](net::HttpRequest& req, net::Reply reply) {
    auto [name, verb] = split_verb(req.param("target"));
    Group* g = group(name);
    if (!g) return reply(net::HttpResponse::error(core::Status::not_found("The resource 'projects/" + ctx_.env.project + "/zones/" + (config_ ? config_->zone : "-") + "/instanceGroupManagers/" + name + "' was not found")));
    if (verb == "resize") {
      json body = json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.contains("size") || !body["size"].is_number_integer())
        return reply(net::HttpResponse::error(core::Status::invalid_argument("Required field 'size' not specified")));
      auto st = g->resize(body["size"].get<int>());
      if (!st.is_ok()) return reply(net::HttpResponse::error(st));
    } else if (verb == "rollingRestart") {
      g->rolling_restart();
    } else {
      return reply(net::HttpResponse::error(core::Status::invalid_argument("expected :resize or :rollingRestart, got :" + verb)));
    }
    reply(net::HttpResponse::json(200, describe(*g).dump()));
  });
  // POST /_gcpsim/compute/instances/{instance}:recreate | :killProcess {"process": NAME}
  router.add_guarded("POST", "/_gcpsim/compute/instances/{target}", [this](net::HttpRequest& req, net::Reply reply) {
    auto [name, verb] = split_verb(req.param("target"));
    for (auto& [gname, g] : groups_) {
      if (!g->address_of(name)) continue;
      core::Status st;
      if (verb == "recreate") {
        st = g->recreate(name);
      } else if (verb == "killProcess") {
        json body = json::parse(req.body, nullptr, false);
        std::string process = body.is_object() && body.contains("process") && body["process"].is_string() ? body["process"].get<std::string>() : "";
        st = g->kill_process(name, process);
      } else {
        st = core::Status::invalid_argument("expected :recreate or :killProcess, got :" + verb);
      }
      if (!st.is_ok()) return reply(net::HttpResponse::error(st));
      return reply(net::HttpResponse::json(200, describe(*g).dump()));
    }
    reply(net::HttpResponse::error(core::Status::not_found("The resource 'projects/" + ctx_.env.project + "/zones/" + (config_ ? config_->zone : "-") + "/instances/" + name + "' was not found")));
  });
}

}  // namespace gcpsim::services::compute
