// Cloud Run's stack-file section: the services started before serving (`run:`), each from
// its own keys or a Knative service.yaml (knative.h). Cloud Functions reuse the service reader
// (a 2nd-gen function is a Run service), and other sections address both by name.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/stack_section.h"
#include "core/time.h"
#include "services/secrets/service.h"

namespace gcpsim::core { struct StackConfig; }
namespace gcpsim::core::stackfile { class Map; }

namespace gcpsim::services::run {

struct StartupProbe {
  std::string path;                   // HTTP GET that must answer 2xx before traffic is routed
  core::Duration timeout = std::chrono::seconds(240);  // how long the instance may take to pass it
};

using secrets::SecretRef;

enum class Ingress { kAll, kInternal };

struct RunServiceConfig {
  // argv; "${PORT}" is expanded at start. With an image: the entrypoint (empty: the image's).
  std::vector<std::string> command;
  std::string image;                              // a local container image, run by Docker
  std::string build;                              // a directory with a Dockerfile: built into `image` at start-up
  std::string build_at;                           // "gcpsim.yaml:7: run.api.build", for the build's errors
  std::vector<std::string> args;                  // with an image: its arguments (empty: the image's CMD)
  std::string cwd;                                // absolute; the stack file's dir by default
  std::map<std::string, std::string> env;
  std::map<std::string, SecretRef> secret_env;    // env var → declared secret's version
  std::optional<int> port;                        // stable URL port; gcpsim picks one if unset
  int concurrency = 80;
  int min_instances = 0;
  int max_instances = 100;
  core::Duration timeout = std::chrono::seconds(300);
  std::optional<StartupProbe> startup_probe;
  bool allow_unauthenticated = true;
  Ingress ingress = Ingress::kAll;
  // A container's limits (Cloud Run's --memory and --cpu; a command's process has none).
  uint64_t memory_bytes = uint64_t{512} << 20;  // Cloud Run's default, 512Mi
  double cpu = 1;                                // vCPUs
  // From a Knative service.yaml (services/run/knative.h).
  std::map<std::string, std::string> labels;
  std::string service_account;       // serviceAccountName, as an email; empty: the default account
  std::vector<std::string> notices;  // "service.yaml:12: field: why it has no effect here"
};

using RunServices = std::map<std::string, RunServiceConfig>;

// The `run` section; its result is stack_run(stack).
core::StackSection stack_section();
// The declared Run services (none without a `run` section).
const RunServices& stack_run(const core::StackConfig& stack);

// What a section naming a service (push subscriptions, load balancer backends, the harness)
// asks: whether `name` is a declared Run service or function, and its stable port.
bool declares_service(const core::StackConfig& stack, const std::string& name);
std::optional<int> service_port(const core::StackConfig& stack, const std::string& name);

// For the `functions` reader: the keys a Run service entry may hold, the name rule
// (max_len 49 for services, 63 for functions), and the entry's reader over `base`.
// `function`: Cloud Functions' CPU follows the memory when only the memory is set.
const std::vector<std::string_view>& service_keys();
void check_service_name(const core::stackfile::Field& f, const std::string& name, size_t max_len);
RunServiceConfig read_service(const core::stackfile::Map& m, RunServiceConfig base, core::SectionContext& ctx,
                              bool function = false);

// Cloud Run's container limits (config_limits.cc): memory as a Kubernetes quantity (512Mi,
// 2Gi, 1G), 128Mi to 32Gi; CPU as a count (1, 2, 4, 6, 8), a fraction from 0.08 below 1, or
// millicores (500m).
uint64_t memory_limit(const core::stackfile::Field& f);
double cpu_limit(const core::stackfile::Field& f);
// Cloud Run's memory range for a CPU count; empty when `memory` fits `cpu`.
std::string cpu_memory_mismatch(double cpu, uint64_t memory);
// Cloud Functions' CPU for a memory size when only the memory is set (256Mi → 0.167).
double function_cpu(uint64_t memory);

}  // namespace gcpsim::services::run
