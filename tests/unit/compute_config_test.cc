// The `compute:` stack-file section as the compute service reads it, the restart backoff the
// supervised processes share, the start order depends_on gives, and libfaketime for one process.
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/stack.h"
#include "harness/faketime.h"
#include "proc/restart.h"
#include "services/compute/config.h"
#include "services/service.h"

namespace compute_config_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::compute;

namespace {

const std::string kGroup = R"(compute:
  instance_groups:
    web:
      size: 2
      max: 4
      named_ports: {http: 8080}
      metadata: {role: api}
      startup_script: "echo booted"
      processes:
        nginx: {command: [nginx], depends_on: [api], ready: {port: 8080}}
        api: {command: [python3, app.py], cwd: app, env: {A: b}, ready: {port: 5001, path: /health}, restart: on-failure}
      health_check: {port: 8080, path: /health, interval: 10s, timeout: 2s, unhealthy_threshold: 3}
      auto_healing: {initial_delay: 30s}
  load_balancers:
    lb:
      port: 18400
      default_backend: {group: web}
      path_rules: [{paths: [/static/*], backend: {bucket: assets}}]
      session_affinity: GENERATED_COOKIE
storage:
  buckets: {assets: {}}
)";

core::StatusOr<core::StackConfig> parse(const std::string& yaml) {
  return core::parse_stack(yaml, "gcpsim.yaml", "/srv/app", services::stack_sections());
}

std::string error_of(const std::string& yaml) {
  auto r = parse(yaml);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("compute: groups, processes, health checks and load balancers are read by the compute service") {
  auto r = parse(kGroup);
  INFO(r.status().message());
  REQUIRE(r.ok());
  const auto* c = r->section<ComputeConfig>("compute");
  REQUIRE(c != nullptr);
  CHECK(c->zone == "us-central1-a");
  const GroupConfig& g = c->groups.at("web");
  CHECK(g.size == 2);
  CHECK(g.min == 0);
  CHECK(g.max == 4);
  CHECK(g.named_ports.at("http") == 8080);
  CHECK(g.metadata.at("role") == "api");
  CHECK(g.startup_script == std::vector<std::string>{"/bin/sh", "-c", "echo booted"});
  CHECK(g.processes.at("api").cwd == "/srv/app/app");
  CHECK(g.processes.at("api").restart == Restart::kOnFailure);
  CHECK(g.processes.at("api").ready->path == "/health");
  CHECK(g.processes.at("nginx").restart == Restart::kAlways);
  CHECK(start_order(g) == std::vector<std::string>{"api", "nginx"});
  CHECK(g.health_check->interval == std::chrono::seconds(10));
  CHECK(g.health_check->healthy_threshold == 2);
  CHECK(g.health_check->unhealthy_threshold == 3);
  CHECK(*g.auto_healing_delay == std::chrono::seconds(30));
  const LoadBalancerConfig& lb = c->load_balancers.at("lb");
  CHECK(lb.port == 18400);
  CHECK(lb.affinity == Affinity::kGeneratedCookie);
  CHECK(lb.default_backend.group == "web");
  REQUIRE(lb.host_rules.size() == 1);
  CHECK(lb.host_rules[0].path_rules[0].backend.bucket == "assets");
}

TEST_CASE("compute: bad references and settings are errors naming the file, line and key") {
  std::string cycle = kGroup;
  cycle.replace(cycle.find("ready: {port: 5001"), 0, "depends_on: [nginx], ");
  CHECK(error_of(cycle) == "gcpsim.yaml:9: compute.instance_groups.web.processes: depends_on forms a cycle");
  std::string missing_bucket = kGroup;
  missing_bucket.replace(missing_bucket.find("assets: {}"), 6, "others");
  CHECK(error_of(missing_bucket).find("no bucket 'assets' is declared under storage.buckets") != std::string::npos);
  std::string no_port = kGroup;
  no_port.replace(no_port.find("{http: 8080}"), 12, "{web: 8080}");
  CHECK(error_of(no_port).find("instance group 'web' has no named port 'http'") != std::string::npos);
  std::string affinity = kGroup;
  affinity.replace(affinity.find("GENERATED_COOKIE"), 16, "HEADER_FIELD");
  CHECK(error_of(affinity).find("compute.load_balancers.lb.session_affinity") != std::string::npos);
  std::string timeout = kGroup;
  timeout.replace(timeout.find("timeout: 2s"), 11, "timeout: 20s");
  CHECK(error_of(timeout).find("timeout must not be greater than interval") != std::string::npos);
  CHECK(error_of("compute:\n  instance_groups:\n    web: {processes: {}}\n") ==
        "gcpsim.yaml:3: compute.instance_groups.web.processes: must declare at least one process");
}

TEST_CASE("restart backoff after consecutive crashes: none, then doubling from 1s up to 32s") {
  CHECK(proc::restart_backoff(1) == core::Duration::zero());
  CHECK(proc::restart_backoff(2) == std::chrono::seconds(1));
  CHECK(proc::restart_backoff(3) == std::chrono::seconds(2));
  CHECK(proc::restart_backoff(7) == std::chrono::seconds(32));
  CHECK(proc::restart_backoff(60) == std::chrono::seconds(32));
}

TEST_CASE("faketime: GROUP/PROCESS puts libfaketime in that process of the template only") {
  auto stack = parse(kGroup);
  REQUIRE(stack.ok());
  if (!std::filesystem::exists("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")) {
    CHECK(harness::enable_faketime(*stack, {"web/api"}, "/tmp/now").value_or("").find("missing") != std::string::npos);
    return;
  }
  CHECK_FALSE(harness::enable_faketime(*stack, {"web/api"}, "/tmp/now"));
  const auto& g = stack->section<ComputeConfig>("compute")->groups.at("web");
  CHECK(g.processes.at("api").env.at("FAKETIME_TIMESTAMP_FILE") == "/tmp/now");
  CHECK(g.processes.at("api").env.at("LD_PRELOAD").find("libfaketime") != std::string::npos);
  CHECK(g.processes.at("api").env.at("A") == "b");
  CHECK_FALSE(g.processes.at("nginx").env.count("LD_PRELOAD"));
  CHECK(harness::enable_faketime(*stack, {"web/nope"}, "/tmp/now").value_or("").find(
            "no Compute Engine instance group process 'web/nope'") != std::string::npos);
  CHECK(harness::enable_faketime(*stack, {"nope"}, "/tmp/now").value_or("").find("no Cloud Run service or function 'nope'") !=
        std::string::npos);
}

}  // namespace compute_config_test
