// A Run instance of a container image: the Docker CLI command that runs it on the host
// network (no bridges: the instance listens on its PORT on the host, like a command does),
// with Cloud Run's /tmp, limits and stop; the keeper's cleanup that removes the container
// however the instance ends; and the labels that let a later gcpsim remove the containers
// of one that died with its keepers (kill -9 of its whole process group, a lost machine).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "services/run/config.h"

namespace gcpsim::services::run {

inline constexpr const char* kDockerCli = "/usr/bin/docker";  // Debian's docker.io
// Every instance container carries it; its value is the owner (see owner_label()).
inline constexpr const char* kOwnerLabel = "gcpsim.owner";

struct ContainerPlan {
  std::vector<std::string> argv;     // docker run …, attached: the container's output is the CLI's
  std::vector<std::string> cleanup;  // docker rm -f NAME
};

struct ContainerSpec {
  std::string name;                    // unique on the host
  std::string service;                 // the Run service or function
  std::string owner;                   // owner_label() of this gcpsim
  std::vector<std::string> forwarded;  // variable names (see container_plan)
  uint16_t port = 0;
};

// `forwarded` are the variable names the instance's environment sets for it (PORT, K_*,
// the service's env and secrets, gcpsim's client variables); their values reach the container
// through the CLI's environment, never its argv.
std::vector<std::string> container_argv(const RunServiceConfig& config, const ContainerSpec& spec);
// container_argv, once Docker's CLI is known to be installed.
core::StatusOr<ContainerPlan> container_plan(const RunServiceConfig& config, const ContainerSpec& spec);

// This gcpsim process, as no other process on the machine can be, now or later:
// "BOOT_ID/PID_NAMESPACE/PID/START_TIME" (kernel boot, pid namespace inode, pid, its start in
// clock ticks since boot: a reused pid has another start time).
const std::string& owner_label();
// A leftover: an owner of this boot and pid namespace that is no longer running. Another
// boot's or namespace's owner (a shared daemon, gcpsim in a container) is never judged.
bool owner_gone(const std::string& owner, const std::string& self = owner_label());

// Removes (docker rm --force) the containers whose owner is gone; returns their names.
// Quietly nothing when Docker is not installed or its engine does not answer.
std::vector<std::string> remove_leftover_containers();

}  // namespace gcpsim::services::run
