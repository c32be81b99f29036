// The `compute:` section of the stack file: managed instance groups (an instance template =
// processes started together on one VM), their health checks, and HTTP load balancers with
// URL maps to groups, Cloud Run services and buckets. Parsed by the compute service itself.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/stack_section.h"
#include "services/secrets/service.h"

namespace gcpsim::services::compute {

enum class Restart { kAlways, kOnFailure, kNever };

struct ReadyProbe {
  int port = 0;          // on the instance's own address
  std::string path;      // empty: a TCP connect is the probe
};

// One process of the instance template, as a Compose service on the VM.
struct ProcessConfig {
  std::vector<std::string> command;
  std::string cwd;                                      // absolute
  std::map<std::string, std::string> env;
  std::map<std::string, secrets::SecretRef> secret_env;
  std::vector<std::string> depends_on;                  // started once these are ready
  std::optional<ReadyProbe> ready;                      // none: ready once started
  Restart restart = Restart::kAlways;
};

struct HealthCheckConfig {
  int port = 80;
  std::string path = "/";
  core::Duration interval = std::chrono::seconds(5);    // checkIntervalSec
  core::Duration timeout = std::chrono::seconds(5);     // timeoutSec
  int healthy_threshold = 2;
  int unhealthy_threshold = 2;
};

struct GroupConfig {
  int size = 1;          // target size at start
  int min = 0;           // autoscaler's bounds (and resize's)
  int max = 10;
  std::map<std::string, int> named_ports;
  std::map<std::string, std::string> metadata;          // instance/attributes/*
  std::vector<std::string> startup_script;              // argv run before the processes
  std::map<std::string, ProcessConfig> processes;       // by name; order comes from depends_on
  std::optional<HealthCheckConfig> health_check;
  std::optional<core::Duration> auto_healing_delay;     // autoHealingPolicies.initialDelaySec
  std::optional<double> target_requests_per_instance;   // autoscaling by LB utilisation, per minute
};

enum class Affinity { kNone, kClientIp, kGeneratedCookie };

// Where a path rule sends a request: exactly one of the three.
struct Backend {
  std::string group;        // an instance group
  std::string run;          // a Cloud Run service (serverless NEG)
  std::string bucket;       // a Cloud Storage bucket (backend bucket)
  std::string port_name = "http";  // the group's named port
};

struct PathRule {
  std::vector<std::string> paths;   // "/api/*" (prefix) or "/exact"
  Backend backend;
};

struct HostRule {
  std::vector<std::string> hosts;   // "*" or names; the first matching rule is used
  std::vector<PathRule> path_rules;
  std::optional<Backend> default_backend;
};

struct LoadBalancerConfig {
  int port = 0;                          // the forwarding rule's port on 127.0.0.1
  Backend default_backend;
  std::vector<HostRule> host_rules;
  Affinity affinity = Affinity::kNone;
  core::Duration cookie_ttl = std::chrono::seconds(0);  // GENERATED_COOKIE: 0 is a session cookie
  core::Duration draining_timeout = std::chrono::seconds(300);
};

struct ComputeConfig {
  std::string zone;                                   // default REGION-a
  std::map<std::string, std::string> project_metadata;  // project/attributes/*
  std::map<std::string, GroupConfig> groups;
  std::map<std::string, LoadBalancerConfig> load_balancers;
};

core::StackSection compute_section();

// The processes of a group in start order (dependencies first).
std::vector<std::string> start_order(const GroupConfig& g);

}  // namespace gcpsim::services::compute
