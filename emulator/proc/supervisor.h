// Supervised processes (Run instances, backing servers, Compute instances' processes):
// launches them (spawn.h), reads their stdout/stderr line by line and watches for their exit
// with asio on the engine thread, runs the startup probe (TCP connect or HTTP GET, retried
// with asio timers), and terminates and reaps them all on stop.
// Called on the engine thread; callbacks arrive on the engine thread.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "proc/spawn.h"

namespace boost::asio { class io_context; }

namespace gcpsim::proc {

struct LaunchSpec {
  SpawnSpec spawn;
  std::vector<std::string> cleanup;  // the keeper runs it after the process (spawn.h); empty: none
  uint16_t port = 0;               // where the probe connects; 0: no probe
  uint32_t host = 0;               // the probe's IPv4 address in host order; 0 is 127.0.0.1
  std::string probe_path;          // empty: a TCP connect is the probe
  core::Duration probe_timeout = std::chrono::seconds(240);  // wall time, like the real probe
};

struct ProcessCallbacks {
  std::function<void(Stream, std::vector<std::string> lines)> lines;
  std::function<void()> ready;         // the probe passed
  std::function<void()> probe_failed;  // it kept failing for probe_timeout
  std::function<void(ExitStatus)> exited;  // after its last output lines
};

class Supervisor {
 public:
  // Output, exits and probes are watched on `engine` (the engine thread's context); without
  // one, launch() fails.
  explicit Supervisor(boost::asio::io_context* engine);
  ~Supervisor();  // stop_all() when not done yet
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  core::StatusOr<uint64_t> launch(LaunchSpec spec, ProcessCallbacks callbacks);
  void terminate(uint64_t process);  // SIGTERM to its group
  void kill(uint64_t process);       // SIGKILL to its group
  std::optional<int> pid(uint64_t process) const;
  size_t running() const;
  // Blocking: SIGTERM to every group, up to `grace` (wall) for them to exit, SIGKILL the
  // rest, reap everything. Callbacks are not called for these exits.
  void stop_all(core::Duration grace);

 private:
  struct Impl;
  struct IoSide;
  std::shared_ptr<Impl> impl_;
};

// A free loopback TCP port (bound and released), for an instance's PORT.
core::StatusOr<uint16_t> pick_free_port();

}  // namespace gcpsim::proc
