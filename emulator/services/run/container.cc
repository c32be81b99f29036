// The Docker CLI command of an image-based Run instance (see container.h).
#include "services/run/container.h"

#include <unistd.h>

#include "proc/spawn.h"

namespace gcpsim::services::run {

core::StatusOr<ContainerPlan> container_plan(const RunServiceConfig& config, const std::string& container,
                                             const std::vector<std::string>& forwarded, uint16_t port) {
  if (::access(kDockerCli, X_OK) != 0) {
    return core::Status::failed_precondition("image " + config.image + " needs Docker: " + kDockerCli +
                                             " (Debian's docker.io) is not installed");
  }
  ContainerPlan plan;
  // --init: a PID 1 that passes on the SIGTERM the CLI forwards and reaps; --pull never: the
  // image must be local, as nothing here reaches a registry.
  plan.argv = {kDockerCli, "run", "--rm", "--init", "--pull", "never", "--network", "host",
               "--name", container, "--label", "gcpsim.instance=" + container};
  for (const auto& name : forwarded) {
    plan.argv.push_back("--env");
    plan.argv.push_back(name);  // a bare name: the value comes from the CLI's environment
  }
  // Cloud Run's command replaces the image's ENTRYPOINT and drops its CMD, like Docker's
  // --entrypoint; args replace CMD.
  std::vector<std::string> command = proc::expand_port(config.command, port);
  if (!command.empty()) {
    plan.argv.push_back("--entrypoint");
    plan.argv.push_back(command[0]);
  }
  plan.argv.push_back(config.image);
  if (command.size() > 1) plan.argv.insert(plan.argv.end(), command.begin() + 1, command.end());
  auto args = proc::expand_port(config.args, port);
  plan.argv.insert(plan.argv.end(), args.begin(), args.end());
  plan.cleanup = {kDockerCli, "rm", "--force", container};
  return plan;
}

}  // namespace gcpsim::services::run
