// fork/exec of a supervised process through a keeper process (see spawn.h). Everything between fork
// and exec is async-signal-safe: argv, envp and messages are prepared before forking.
#include "proc/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gcpsim::proc {
namespace {

constexpr int kControlFd = 3;  // where the keeper keeps its end of the socket pair

struct Plan {
  std::string path, cleanup_path;
  std::vector<char*> argv, envp, cleanup_argv;
  std::string cwd;
  std::string chdir_error, exec_error;
  int out_w = -1, err_w = -1, control = -1;
};

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// The command itself: its own process group, dies with its keeper, default signals.
[[noreturn]] void run_command(const Plan& plan, pid_t keeper) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != keeper) ::_exit(127);
  ::close(kControlFd);
  reset_signals_in_child();
  if (!plan.cwd.empty() && ::chdir(plan.cwd.c_str()) != 0) {
    write_all(2, plan.chdir_error);
    ::_exit(127);
  }
  ::execve(plan.path.c_str(), plan.argv.data(), plan.envp.data());
  write_all(2, plan.exec_error);
  ::_exit(127);
}

// The spec's cleanup command, to completion, in its own process group so that nothing
// signalled at the command's group reaches it.
void run_cleanup(const Plan& plan) {
  pid_t pid = ::fork();
  if (pid < 0) return;
  if (pid == 0) {
    ::setpgid(0, 0);
    ::close(kControlFd);
    ::execve(plan.cleanup_path.c_str(), plan.cleanup_argv.data(), plan.envp.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
}

// Waits for the command or for word from gcpsim (see spawn.h).
[[noreturn]] void run_keeper(const Plan& plan) {
  int devnull = ::open("/dev/null", O_RDWR);
  ::dup2(devnull, 0);
  ::dup2(plan.out_w, 1);
  ::dup2(plan.err_w, 2);
  ::dup2(plan.control, kControlFd);
  ::syscall(SYS_close_range, kControlFd + 1, ~0U, 0);
  pid_t self = ::getpid();
  pid_t child = ::fork();
  if (child < 0) ::_exit(127);
  if (child == 0) run_command(plan, self);
  ::setpgid(child, child);
  devnull = ::open("/dev/null", O_RDWR);
  ::dup2(devnull, 1);  // the pipes now belong to the command alone: EOF means it is gone
  ::dup2(devnull, 2);
  struct pollfd fds[2] = {{kControlFd, POLLIN, 0}, {pidfd_open(child), POLLIN, 0}};
  while (fds[1].fd >= 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    if (!fds[0].revents) continue;
    char c = 0;
    ssize_t r = ::read(kControlFd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r == 1 && c == 'T') {
      ::kill(-child, SIGTERM);
    } else {
      ::kill(-child, SIGKILL);
      if (r <= 0) fds[0].fd = -1;  // gcpsim is gone: stop listening, wait for the command
    }
  }
  // Before reaping: the exited command's pid still pins its group id, so no stranger's
  // group can own that id yet.
  ::kill(-child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  if (!plan.cleanup_path.empty()) run_cleanup(plan);
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

std::string env_value(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& kv : env)
    if (kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=')
      return kv.substr(key.size() + 1);
  return "";
}

core::StatusOr<std::string> resolve(const SpawnSpec& spec, const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) return core::Status::invalid_argument("the command is empty");
  const std::string& cmd = argv[0];
  if (cmd.find('/') != std::string::npos) {
    std::string path = cmd[0] == '/' || spec.cwd.empty() ? cmd : spec.cwd + "/" + cmd;
    if (::access(path.c_str(), X_OK) != 0) return core::Status::not_found("cannot execute " + path + ": " + std::strerror(errno));
    return path;
  }
  std::string search = env_value(spec.env, "PATH");
  if (search.empty()) search = "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= search.size()) {
    size_t end = search.find(':', start);
    if (end == std::string::npos) end = search.size();
    std::string dir = search.substr(start, end - start);
    std::string path = (dir.empty() ? "." : dir) + "/" + cmd;
    if (::access(path.c_str(), X_OK) == 0) return path;
    start = end + 1;
  }
  return core::Status::not_found("command not found on PATH: " + cmd);
}

void close_fds(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
}

}  // namespace

void reset_signals_in_child() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
}

core::StatusOr<Spawned> spawn_process(const SpawnSpec& spec, const std::vector<std::string>& cleanup) {
  auto path = resolve(spec, spec.argv);
  if (!path.ok()) return path.status();
  Plan plan;
  plan.path = *path;
  if (!cleanup.empty()) {
    auto cleanup_path = resolve(spec, cleanup);
    if (!cleanup_path.ok()) return core::Status(cleanup_path.status().code(), "cleanup: " + cleanup_path.status().message());
    plan.cleanup_path = *cleanup_path;
    for (const auto& a : cleanup) plan.cleanup_argv.push_back(const_cast<char*>(a.c_str()));
    plan.cleanup_argv.push_back(nullptr);
  }
  plan.cwd = spec.cwd;
  plan.chdir_error = "gcpsim: cannot change directory to " + spec.cwd + "\n";
  plan.exec_error = "gcpsim: cannot execute " + plan.path + "\n";
  for (const auto& a : spec.argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  for (const auto& e : spec.env) plan.envp.push_back(const_cast<char*>(e.c_str()));
  plan.envp.push_back(nullptr);

  int out[2] = {-1, -1}, err[2] = {-1, -1}, ctl[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) != 0) {
    int e = errno;
    close_fds({out[0], out[1], err[0], err[1], ctl[0], ctl[1]});
    return core::Status::internal(std::string("cannot create pipes: ") + std::strerror(e));
  }
  plan.out_w = out[1];
  plan.err_w = err[1];
  plan.control = ctl[1];
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    close_fds({out[0], out[1], err[0], err[1], ctl[0], ctl[1]});
    return core::Status::internal(std::string("fork failed: ") + std::strerror(e));
  }
  if (pid == 0) run_keeper(plan);
  close_fds({out[1], err[1], ctl[1]});
  Spawned s{pid, out[0], err[0], ctl[0], pidfd_open(pid)};
  if (s.pidfd < 0) {
    signal_group(s.control_fd, true);
    close_fds({s.stdout_fd, s.stderr_fd, s.control_fd});
    reap(pid, true);
    return core::Status::unimplemented("pidfd_open failed (Linux 5.3 or later is needed)");
  }
  return s;
}

bool signal_group(int control_fd, bool kill) {
  char c = kill ? 'K' : 'T';
  return ::send(control_fd, &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1;
}

std::optional<ExitStatus> reap(pid_t pid, bool block) {
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid) return std::nullopt;
  ExitStatus out;
  if (WIFEXITED(status)) {
    out.code = WEXITSTATUS(status);
    if (out.code > 128 && out.code < 128 + NSIG) out.signal = out.code - 128;
  } else if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
    out.code = 128 + out.signal;
  }
  return out;
}

std::vector<std::string> expand_port(const std::vector<std::string>& argv, int port) {
  std::vector<std::string> out;
  for (std::string a : argv) {
    for (size_t at; (at = a.find("${PORT}")) != std::string::npos;) a.replace(at, 7, std::to_string(port));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace gcpsim::proc
