// A tool run to completion with its output collected (see command.h).
#include "proc/command.h"
#include "proc/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gcpsim::proc {
namespace {

bool stop_pending() {
  sigset_t pending;
  if (::sigpending(&pending) != 0) return false;
  return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGHUP) == 1;
}

[[noreturn]] void exec_child(const std::vector<char*>& argv, int out, pid_t parent) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(127);
  reset_signals_in_child();
  int devnull = ::open("/dev/null", O_RDONLY);
  ::dup2(devnull, 0);
  ::dup2(out, 1);
  ::dup2(out, 2);
  ::syscall(SYS_close_range, 3, ~0U, 0);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace

core::StatusOr<CommandResult> run_command(const std::vector<std::string>& argv, const CommandOptions& options) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') return core::Status::invalid_argument("not an absolute command");
  if (::access(argv[0].c_str(), X_OK) != 0) return core::Status::not_found("cannot execute " + argv[0] + ": " + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int pipe[2];
  if (::pipe2(pipe, O_CLOEXEC) != 0) return core::Status::internal(std::string("cannot create a pipe: ") + std::strerror(errno));
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe[0]);
    ::close(pipe[1]);
    return core::Status::internal(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) exec_child(args, pipe[1], parent);
  ::close(pipe[1]);
  CommandResult result;
  std::string line;
  bool cancelled = false;
  char buf[8192];
  for (;;) {
    // Wall-clock polling only paces the check for a pending stop signal.
    struct pollfd p {pipe[0], POLLIN, 0};
    int ready = ::poll(&p, 1, 200);
    if (ready < 0 && errno != EINTR) break;
    if (options.stop_on_signal && !cancelled && stop_pending()) {
      cancelled = true;
      ::kill(-pid, SIGTERM);
    }
    if (ready <= 0) continue;
    ssize_t n = ::read(pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, static_cast<size_t>(n));
    if (result.output.size() > options.keep) result.output.erase(0, result.output.size() - options.keep);
    if (!options.line) continue;
    line.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = line.find('\n')) != std::string::npos; line.erase(0, nl + 1)) options.line(std::string_view(line).substr(0, nl));
  }
  ::close(pipe[0]);
  if (options.line && !line.empty()) options.line(line);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  ::kill(-pid, SIGKILL);  // what the command left in its group
  if (cancelled) return core::Status::cancelled("stopped by a signal to gcpsim");
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace gcpsim::proc
