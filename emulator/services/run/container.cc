// The Docker CLI command of an image-based Run instance, and the owners of its containers
// (see container.h).
#include "services/run/container.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "proc/command.h"
#include "proc/limits.h"
#include "proc/spawn.h"

namespace gcpsim::services::run {
namespace {

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot.
std::string start_time(const std::string& pid) {
  std::string stat = read_line("/proc/" + pid + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
  return f.size() > 19 ? f[19] : "";  // fields from 3 (state) on
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

// "0.167", "1", "2": what --cpus takes.
std::string cpus(double cpu) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", cpu);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::vector<std::string> container_argv(const RunServiceConfig& config, const ContainerSpec& spec) {
  std::string memory = std::to_string(config.memory_bytes);
  std::string grace = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(proc::kTerminationGrace).count());
  // --init: a PID 1 that passes on the SIGTERM the CLI forwards and reaps; --pull never: the
  // image must be local, as nothing here reaches a registry. Cloud Run's instance: /tmp in
  // memory (counted against the memory limit, executable as there), no swap beyond the
  // memory limit, and SIGTERM then SIGKILL 10 s later also when Docker itself stops it.
  std::vector<std::string> argv = {
      kDockerCli, "run", "--rm", "--init", "--pull", "never", "--network", "host", "--name", spec.name,
      "--label", std::string(kOwnerLabel) + "=" + spec.owner, "--label", "gcpsim.service=" + spec.service,
      "--tmpfs", "/tmp:rw,exec,mode=1777", "--memory", memory, "--memory-swap", memory, "--cpus", cpus(config.cpu),
      "--stop-signal", "SIGTERM", "--stop-timeout", grace};
  for (const auto& name : spec.forwarded) {
    argv.push_back("--env");
    argv.push_back(name);  // a bare name: the value comes from the CLI's environment
  }
  // Cloud Run's command replaces the image's ENTRYPOINT and drops its CMD, like Docker's
  // --entrypoint; args replace CMD.
  std::vector<std::string> command = proc::expand_port(config.command, spec.port);
  if (!command.empty()) {
    argv.push_back("--entrypoint");
    argv.push_back(command[0]);
  }
  argv.push_back(config.image);
  if (command.size() > 1) argv.insert(argv.end(), command.begin() + 1, command.end());
  auto args = proc::expand_port(config.args, spec.port);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

core::StatusOr<ContainerPlan> container_plan(const RunServiceConfig& config, const ContainerSpec& spec) {
  if (::access(kDockerCli, X_OK) != 0) {
    return core::Status::failed_precondition("image " + config.image + " needs Docker: " + kDockerCli +
                                             " (Debian's docker.io) is not installed");
  }
  return ContainerPlan{container_argv(config, spec), {kDockerCli, "rm", "--force", spec.name}};
}

const std::string& owner_label() {
  static const std::string label = [] {
    std::string pid = std::to_string(::getpid());
    std::string ns;
    char buf[64];
    ssize_t n = ::readlink("/proc/self/ns/pid", buf, sizeof buf - 1);
    if (n > 0) ns.assign(buf, static_cast<size_t>(n));  // "pid:[4026531836]"
    std::string inode = ns.substr(ns.find('[') == std::string::npos ? 0 : ns.find('[') + 1);
    if (!inode.empty() && inode.back() == ']') inode.pop_back();
    return read_line("/proc/sys/kernel/random/boot_id") + "/" + inode + "/" + pid + "/" + start_time(pid);
  }();
  return label;
}

bool owner_gone(const std::string& owner, const std::string& self) {
  auto o = split(owner, '/'), s = split(self, '/');
  if (o.size() != 4 || s.size() != 4 || o[0].empty() || o[1].empty()) return false;
  if (o[0] != s[0] || o[1] != s[1] || owner == self) return false;
  if (o[2].empty() || o[2].find_first_not_of("0123456789") != std::string::npos) return false;
  return start_time(o[2]) != o[3];  // not running, or its pid is another process's now
}

std::vector<std::string> remove_leftover_containers() {
  std::vector<std::string> removed;
  if (::access(kDockerCli, X_OK) != 0) return removed;
  auto listed = proc::run_command({kDockerCli, "ps", "--all", "--filter", std::string("label=") + kOwnerLabel, "--format",
                                   std::string("{{.Names}} {{.Label \"") + kOwnerLabel + "\"}}"});
  if (!listed.ok() || listed->exit_code != 0) return removed;
  std::vector<std::string> rm = {kDockerCli, "rm", "--force"};
  std::istringstream lines(listed->output);
  for (std::string line; std::getline(lines, line);) {
    auto space = line.find(' ');
    if (space == std::string::npos || !owner_gone(line.substr(space + 1))) continue;
    removed.push_back(line.substr(0, space));
    rm.push_back(removed.back());
  }
  if (!removed.empty()) {
    auto done = proc::run_command(rm);
    if (!done.ok() || done->exit_code != 0) removed.clear();
  }
  return removed;
}

}  // namespace gcpsim::services::run
