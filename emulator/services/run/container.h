// A Run instance of a container image: the Docker CLI command that runs it on the host
// network (no bridges: the instance listens on its PORT on the host, like a command does),
// and the keeper's cleanup that removes the container however the instance ends.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "services/run/config.h"
#include "core/status.h"

namespace gcpsim::services::run {

inline constexpr const char* kDockerCli = "/usr/bin/docker";  // Debian's docker.io

struct ContainerPlan {
  std::vector<std::string> argv;     // docker run …, attached: the container's output is the CLI's
  std::vector<std::string> cleanup;  // docker rm -f NAME
};

// `forwarded` are the variable names the instance's environment sets for it (PORT, K_*,
// the service's env and secrets, gcpsim's client variables); their values reach the container
// through the CLI's environment, never its argv. `container` names it uniquely on the host.
core::StatusOr<ContainerPlan> container_plan(const RunServiceConfig& config, const std::string& container,
                                             const std::vector<std::string>& forwarded, uint16_t port);

}  // namespace gcpsim::services::run
