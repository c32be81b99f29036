// Starting a supervised process (a Run instance, a backing server, a process of a Compute
// instance) so that nothing it starts can outlive gcpsim. gcpsim forks
// a small keeper that forks the command into its own process group (PR_SET_PDEATHSIG on
// the command too). The keeper holds one end of a socket pair whose other end only gcpsim
// holds: 'T' means SIGTERM the group, 'K' SIGKILL; end of file (gcpsim exited, even by
// kill -9) SIGKILLs the group. When the command exits the keeper SIGKILLs what is left of
// its group, runs the cleanup command if it was given one, and exits with the command's status
// (128+N for a signal).
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace gcpsim::proc {

struct SpawnSpec {
  std::vector<std::string> argv;   // argv[0] is looked up on the PATH in `env` (or gcpsim's)
  std::string cwd;
  std::vector<std::string> env;    // complete environment, KEY=VALUE
};

struct Spawned {
  pid_t pid = -1;      // the keeper: gcpsim's direct child, reaped with reap()
  int stdout_fd = -1;  // read ends (close-on-exec)
  int stderr_fd = -1;
  int control_fd = -1; // gcpsim's end of the keeper's socket pair
  int pidfd = -1;      // readable when the keeper has exited
};

// Which of a process's output pipes a line came from.
enum class Stream { kStdout, kStderr };

struct ExitStatus {
  int code = 0;    // the command's exit code; 128+N when it died of signal N
  int signal = 0;  // N in that case (0 otherwise)
};

// Forks the keeper; errors (command not found, no pidfd support) come back before forking.
// `cleanup`, when not empty, is an argv the keeper runs (with the spec's environment) once the
// command's group is gone, however it ended, gcpsim killed included: what the group cannot
// take down with it, such as a container the command started (`docker rm -f NAME`). Its
// output is discarded.
core::StatusOr<Spawned> spawn_process(const SpawnSpec& spec, const std::vector<std::string>& cleanup = {});

// Asks the keeper to signal the command's process group. False once the keeper is gone.
bool signal_group(int control_fd, bool kill);

// Reaps the keeper; nullopt while it still runs (non-blocking) .
std::optional<ExitStatus> reap(pid_t pid, bool block);

// In a child between fork and exec: no signal blocked and every disposition at its default,
// so gcpsim's own mask and handlers do not reach what it runs. Async-signal-safe.
void reset_signals_in_child();

// "${PORT}" → port in every argument.
std::vector<std::string> expand_port(const std::vector<std::string>& argv, int port);

}  // namespace gcpsim::proc
