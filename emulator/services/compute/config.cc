// Reads the `compute:` section (see config.h and docs/stack-file.md): every error names the
// file, line and key, and references to groups, Run services, buckets and secrets are
// checked once the whole file is read.
#include "services/compute/config.h"

#include <functional>
#include <set>

#include "core/stack_yaml.h"
#include "services/run/service.h"
#include "services/storage/service.h"

namespace gcpsim::services::compute {
namespace {

namespace sf = core::stackfile;
using sf::Field;
using sf::Map;

void check_name(const Field& f, const std::string& name, const char* what) {
  bool ok = !name.empty() && name.size() <= 63 && name[0] >= 'a' && name[0] <= 'z' && name.back() != '-';
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok) sf::fail_under(f, std::string("invalid ") + what + " name '" + name + "': 1-63 lowercase letters, digits and hyphens, starting with a letter");
}

std::vector<std::string> command(const Field& f) {
  if (f.node.IsScalar()) return {"/bin/sh", "-c", sf::text(f)};
  auto argv = sf::strings(f);
  if (argv.empty()) sf::fail(f, "must name a program to run");
  return argv;
}

secrets::SecretRef secret_ref(const Field& f) {
  std::string v = sf::text(f);
  auto colon = v.rfind(':');
  return secrets::SecretRef{v.substr(0, colon), colon == std::string::npos ? "latest" : v.substr(colon + 1)};
}

ProcessConfig read_process(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"command", "cwd", "env", "secret_env", "depends_on", "ready", "restart"});
  ProcessConfig p;
  p.command = command(m.require("command"));
  p.cwd = ctx.resolve(m.has("cwd") ? sf::text(*m.get("cwd")) : ".");
  if (auto e = m.get("env")) p.env = sf::string_map(*e);
  if (auto e = m.get("secret_env")) {
    for (auto& [name, v] : sf::entries(*e)) {
      if (p.env.count(name)) sf::fail_under(v, "'" + name + "' is also set under env");
      p.secret_env[name] = secret_ref(v);
      ctx.later([&ctx, node = v, ref = p.secret_env[name]] {
        if (!secrets::declares_secret(ctx.stack(), ref.secret)) sf::fail(node, "no secret '" + ref.secret + "' is declared under secrets");
      });
    }
  }
  if (auto d = m.get("depends_on")) p.depends_on = sf::strings(*d);
  if (auto r = m.get("ready")) {
    Map rm(*r, {"port", "path"});
    p.ready = ReadyProbe{sf::small_int(rm.require("port"), 1, 65535), rm.has("path") ? sf::text(*rm.get("path")) : ""};
    if (!p.ready->path.empty() && p.ready->path[0] != '/') sf::fail(*rm.get("path"), "must start with '/'");
  }
  if (auto r = m.get("restart")) {
    auto v = sf::one_of(*r, {"always", "on-failure", "no"});
    p.restart = v == "always" ? Restart::kAlways : v == "on-failure" ? Restart::kOnFailure : Restart::kNever;
  }
  return p;
}

HealthCheckConfig read_health_check(const Field& f) {
  Map m(f, {"port", "path", "interval", "timeout", "healthy_threshold", "unhealthy_threshold"});
  HealthCheckConfig h;
  if (auto v = m.get("port")) h.port = sf::small_int(*v, 1, 65535);
  if (auto v = m.get("path")) {
    h.path = sf::text(*v);
    if (h.path.empty() || h.path[0] != '/') sf::fail(*v, "must start with '/'");
  }
  // Compute Engine's bounds: checkIntervalSec and timeoutSec 1-300, thresholds 1-10.
  if (auto v = m.get("interval")) h.interval = sf::duration(*v, std::chrono::seconds(1), std::chrono::seconds(300));
  if (auto v = m.get("timeout")) h.timeout = sf::duration(*v, std::chrono::seconds(1), std::chrono::seconds(300));
  if (h.timeout > h.interval) sf::fail(*m.get(m.has("timeout") ? "timeout" : "interval"), "timeout must not be greater than interval");
  if (auto v = m.get("healthy_threshold")) h.healthy_threshold = sf::small_int(*v, 1, 10);
  if (auto v = m.get("unhealthy_threshold")) h.unhealthy_threshold = sf::small_int(*v, 1, 10);
  return h;
}

void check_dependencies(const Field& procs_field, const GroupConfig& g) {
  for (const auto& [name, p] : g.processes)
    for (const auto& d : p.depends_on)
      if (!g.processes.count(d)) sf::fail_under(procs_field, "process '" + name + "' depends on '" + d + "', which is not a process of this group");
  // A cycle leaves some process out of the start order.
  if (start_order(g).size() != g.processes.size()) sf::fail_under(procs_field, "depends_on forms a cycle");
}

GroupConfig read_group(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"size", "min", "max", "named_ports", "metadata", "startup_script", "processes", "health_check",
            "auto_healing", "autoscaling"});
  GroupConfig g;
  if (auto v = m.get("min")) g.min = sf::small_int(*v, 0, 100);
  if (auto v = m.get("max")) g.max = sf::small_int(*v, 1, 100);
  if (g.max < g.min) sf::fail(*m.get("max"), "must be at least min (" + std::to_string(g.min) + ")");
  g.size = m.has("size") ? sf::small_int(*m.get("size"), 0, 100) : std::max(g.min, 1);
  if (g.size < g.min || g.size > g.max)
    sf::fail(*m.get("size"), "must be between min (" + std::to_string(g.min) + ") and max (" + std::to_string(g.max) + ")");
  if (auto v = m.get("named_ports"))
    for (auto& [name, p] : sf::entries(*v)) g.named_ports[name] = sf::small_int(p, 1, 65535);
  if (auto v = m.get("metadata")) g.metadata = sf::string_map(*v);
  if (auto v = m.get("startup_script")) g.startup_script = command(*v);
  Field procs = m.require("processes");
  for (auto& [name, p] : sf::entries(procs)) {
    check_name(p, name, "process");
    g.processes[name] = read_process(p, ctx);
  }
  if (g.processes.empty()) sf::fail(procs, "must declare at least one process");
  check_dependencies(procs, g);
  if (auto v = m.get("health_check")) g.health_check = read_health_check(*v);
  if (auto v = m.get("auto_healing")) {
    Map a(*v, {"initial_delay"});
    g.auto_healing_delay = a.has("initial_delay")
                               ? sf::duration(*a.get("initial_delay"), std::chrono::seconds(0), std::chrono::hours(1))
                               : std::chrono::seconds(300);
    if (!g.health_check) sf::fail(*v, "auto_healing needs the group's health_check");
  }
  if (auto v = m.get("autoscaling")) {
    Map a(*v, {"max_rate_per_instance"});
    g.target_requests_per_instance = sf::number(a.require("max_rate_per_instance"), 0.01, 1e6);
  }
  return g;
}

Backend read_backend(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"group", "run", "bucket", "port_name"});
  Backend b;
  int kinds = m.has("group") + m.has("run") + m.has("bucket");
  if (kinds != 1) sf::fail(f, "a backend names exactly one of group, run or bucket");
  if (auto v = m.get("group")) b.group = sf::text(*v);
  if (auto v = m.get("run")) b.run = sf::text(*v);
  if (auto v = m.get("bucket")) b.bucket = sf::text(*v);
  if (auto v = m.get("port_name")) b.port_name = sf::text(*v);
  ctx.later([&ctx, f, b] {
    const auto& st = ctx.stack();
    if (!b.run.empty() && !run::declares_service(st, b.run))
      sf::fail(f, "no Cloud Run service '" + b.run + "' is declared under run");
    if (!b.bucket.empty() && !storage::declares_bucket(st, b.bucket))
      sf::fail(f, "no bucket '" + b.bucket + "' is declared under storage.buckets");
  });
  return b;
}

std::vector<PathRule> read_path_rules(const Field& f, core::SectionContext& ctx) {
  std::vector<PathRule> rules;
  for (const Field& item : sf::items(f)) {
    Map m(item, {"paths", "backend"});
    PathRule r;
    r.paths = sf::strings(m.require("paths"));
    for (const auto& p : r.paths)
      if (p.empty() || p[0] != '/') sf::fail(*m.get("paths"), "a path must start with '/', got '" + p + "'");
    r.backend = read_backend(m.require("backend"), ctx);
    rules.push_back(std::move(r));
  }
  return rules;
}

LoadBalancerConfig read_lb(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"port", "default_backend", "path_rules", "host_rules", "session_affinity", "affinity_cookie_ttl",
            "connection_draining"});
  LoadBalancerConfig lb;
  lb.port = ctx.port(m.require("port"));
  lb.default_backend = read_backend(m.require("default_backend"), ctx);
  if (auto v = m.get("path_rules")) lb.host_rules.push_back(HostRule{{"*"}, read_path_rules(*v, ctx), std::nullopt});
  if (auto v = m.get("host_rules")) {
    for (const Field& item : sf::items(*v)) {
      Map hm(item, {"hosts", "path_rules", "default_backend"});
      HostRule h;
      h.hosts = sf::strings(hm.require("hosts"));
      if (auto p = hm.get("path_rules")) h.path_rules = read_path_rules(*p, ctx);
      if (auto d = hm.get("default_backend")) h.default_backend = read_backend(*d, ctx);
      lb.host_rules.push_back(std::move(h));
    }
  }
  if (auto v = m.get("session_affinity")) {
    auto a = sf::one_of(*v, {"NONE", "CLIENT_IP", "GENERATED_COOKIE"});
    lb.affinity = a == "NONE" ? Affinity::kNone : a == "CLIENT_IP" ? Affinity::kClientIp : Affinity::kGeneratedCookie;
  }
  if (auto v = m.get("affinity_cookie_ttl")) lb.cookie_ttl = sf::duration(*v, std::chrono::seconds(0), std::chrono::hours(24 * 14));
  if (auto v = m.get("connection_draining")) lb.draining_timeout = sf::duration(*v, std::chrono::seconds(0), std::chrono::hours(1));
  return lb;
}

ComputeConfig read_compute(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"zone", "project_metadata", "instance_groups", "load_balancers"});
  ComputeConfig c;
  c.zone = m.has("zone") ? sf::text(*m.get("zone")) : ctx.stack().region + "-a";
  if (auto v = m.get("project_metadata")) c.project_metadata = sf::string_map(*v);
  if (auto v = m.get("instance_groups")) {
    for (auto& [name, g] : sf::entries(*v)) {
      check_name(g, name, "instance group");
      c.groups[name] = read_group(g, ctx);
    }
  }
  if (auto v = m.get("load_balancers")) {
    for (auto& [name, lbf] : sf::entries(*v)) {
      check_name(lbf, name, "load balancer");
      c.load_balancers[name] = read_lb(lbf, ctx);
    }
  }
  // Group references point into this section: checked here, once all groups are read.
  auto check = [&c](const Field& at, const Backend& b) {
    if (b.group.empty()) return;
    auto it = c.groups.find(b.group);
    if (it == c.groups.end()) sf::fail(at, "no instance group '" + b.group + "' is declared under compute.instance_groups");
    if (!it->second.named_ports.count(b.port_name))
      sf::fail(at, "instance group '" + b.group + "' has no named port '" + b.port_name + "'");
  };
  if (auto v = m.get("load_balancers")) {
    for (auto& [name, lbf] : sf::entries(*v)) {
      const auto& lb = c.load_balancers[name];
      check(lbf, lb.default_backend);
      for (const auto& h : lb.host_rules) {
        if (h.default_backend) check(lbf, *h.default_backend);
        for (const auto& r : h.path_rules) check(lbf, r.backend);
      }
    }
  }
  return c;
}

}  // namespace

std::vector<std::string> start_order(const GroupConfig& g) {
  std::vector<std::string> order;
  std::set<std::string> placed;
  for (bool progress = true; progress && order.size() < g.processes.size();) {
    progress = false;
    for (const auto& [name, p] : g.processes) {
      if (placed.count(name)) continue;
      bool ready = true;
      for (const auto& d : p.depends_on) ready = ready && placed.count(d);
      if (!ready) continue;
      order.push_back(name);
      placed.insert(name);
      progress = true;
    }
  }
  return order;
}

core::StackSection compute_section() {
  return {"compute", [](const Field& f, core::SectionContext& ctx) -> std::any { return read_compute(f, ctx); }};
}

}  // namespace gcpsim::services::compute
