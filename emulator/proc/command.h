// Running a short-lived tool to completion at start-up (the Docker CLI's build, ps and rm),
// its output collected: unlike spawn.h's supervised processes, gcpsim waits for it.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gcpsim::proc {

struct CommandResult {
  int exit_code = 0;   // 128+N when it died of signal N
  std::string output;  // stdout and stderr interleaved, the last `keep` bytes
};

struct CommandOptions {
  size_t keep = 64 * 1024;                          // output kept (the tail)
  std::function<void(std::string_view line)> line;  // each output line as it comes, if set
  // When gcpsim has a stop signal pending (SIGINT, SIGTERM, SIGHUP, blocked by `gcpsim up`
  // until it serves), the command is stopped and CANCELLED returned: Ctrl-C stops a long build.
  bool stop_on_signal = true;
};

// argv[0] is an absolute path. The command runs in its own process group with gcpsim's
// environment and default signals, and dies with gcpsim (PR_SET_PDEATHSIG).
core::StatusOr<CommandResult> run_command(const std::vector<std::string>& argv, const CommandOptions& options = {});

}  // namespace gcpsim::proc
