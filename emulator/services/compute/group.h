// One managed instance group as gcpsim runs it: instances, each a set of real processes on
// its own loopback address (127.0.1.N) started in depends_on order and restarted under their
// restart policy; HTTP health checks on the clock; auto-healing; resize; rolling restarts;
// connection draining of removed instances. Engine thread only.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/events.h"
#include "core/status.h"
#include "proc/supervisor.h"
#include "services/compute/config.h"

namespace gcpsim::core { struct Env; }
namespace boost::asio { class io_context; }

namespace gcpsim::services::compute {

// Loopback addresses 127.0.1.N for instances, the lowest free one first.
class Addresses {
 public:
  core::StatusOr<uint32_t> take();
  void give_back(uint32_t address) { used_.erase(address); }

 private:
  std::set<uint32_t> used_;
};

std::string address_text(uint32_t address);

struct GroupDeps {
  core::Env& env;
  proc::Supervisor& supervisor;
  boost::asio::io_context* io;         // health checks' sockets (the engine's context)
  Addresses& addresses;
  std::string zone;
  // KEY=VALUE for a process: inherited and gcpsim's client variables, the instance's own
  // metadata host, and the secret env resolved; an error names what failed.
  std::function<core::StatusOr<std::vector<std::string>>(const ProcessConfig&, uint32_t address)> process_env;
};

struct InstanceView {
  std::string name;
  uint64_t id = 0;
  uint32_t address = 0;
  std::string status;        // PROVISIONING, STAGING, RUNNING, STOPPING
  std::string health;        // HEALTHY, UNHEALTHY, UNKNOWN (no health check: HEALTHY once running)
  bool serving = false;      // the load balancer may send new requests
  int in_flight = 0;
  std::map<std::string, std::optional<int>> pids;  // per process: its pid while it runs
  std::map<std::string, int> restarts;
};

class Group {
 public:
  Group(GroupDeps& deps, std::string name, GroupConfig config);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  void start();                              // creates `size` instances
  core::Status resize(int size);
  void rolling_restart();                    // recreates instances one at a time
  core::Status recreate(const std::string& instance);
  core::Status kill_process(const std::string& instance, const std::string& process);

  const std::string& name() const { return name_; }
  const GroupConfig& config() const { return config_; }
  int target_size() const { return target_; }
  std::vector<InstanceView> instances() const;
  // Instances the load balancer may pick, by name (sorted: affinity hashes stay stable).
  std::vector<std::pair<std::string, uint32_t>> serving() const;
  std::optional<uint32_t> address_of(const std::string& instance) const;
  std::optional<uint64_t> id_of(const std::string& instance) const;
  const std::map<std::string, std::string>* metadata() const { return &config_.metadata; }
  void begin_request(const std::string& instance);
  void end_request(const std::string& instance);
  size_t probes_in_flight() const { return probes_in_flight_; }
  // Instances booting, being stopped for recreation, or with a process (re)starting: real
  // work the clock waits for, as a VM's boot takes no virtual time.
  size_t booting() const;
  // How long a removed instance keeps its in-flight requests (the LBs' connection draining).
  void set_draining_timeout(core::Duration d) { draining_timeout_ = std::max(draining_timeout_, d); }

 private:
  struct Process {
    std::optional<uint64_t> handle;   // the supervisor's id while it runs
    bool ready = false;
    int restarts = 0;
    int crash_streak = 0;
    std::optional<core::Clock::TimerId> restart_timer;
  };
  enum class State { kStarting, kRunning, kStopping };
  struct Instance {
    std::string name;
    uint64_t id = 0;
    uint32_t address = 0;
    State state = State::kStarting;
    uint64_t generation = 0;          // bumped by recreate: stale callbacks are ignored
    core::Time created{};
    std::map<std::string, Process> procs;
    std::optional<uint64_t> startup;  // the startup script while it runs
    int ok_streak = 0, fail_streak = 0;
    std::optional<bool> healthy;      // nullopt until the thresholds decide
    bool probing = false;
    int in_flight = 0;
    std::optional<core::Clock::TimerId> check_timer, drain_timer;
    bool remove_when_stopped = false;
  };

  void create_instance();
  void boot(Instance& inst);
  void start_ready_processes(Instance& inst);
  void launch(Instance& inst, const std::string& process);
  void process_ready(const std::string& instance, uint64_t generation, const std::string& process);
  void process_exited(const std::string& instance, uint64_t generation, const std::string& process, proc::ExitStatus st);
  void schedule_check(Instance& inst);
  void check(const std::string& instance);
  void check_result(const std::string& instance, uint64_t generation, bool ok);
  void recreate(Instance& inst, const std::string& reason);
  void stop_processes(Instance& inst, bool kill);
  void remove(Instance& inst);
  void finish_removal(const std::string& instance);
  void maybe_continue_rollout();
  void autoscale();
  core::Clock::TimerId later(core::Duration d, std::function<void()> fn);
  Instance* find(const std::string& instance);
  bool is_serving(const Instance& inst) const;
  void record(const std::string& kind, const Instance& inst, core::Attrs attrs = {});

  GroupDeps& deps_;
  std::string name_;
  GroupConfig config_;
  std::vector<std::string> order_;
  int target_ = 0;
  std::map<std::string, Instance> instances_;
  std::vector<std::string> rollout_;         // instances still to recreate
  std::optional<std::string> rolling_;       // the one being recreated now
  size_t probes_in_flight_ = 0;
  uint64_t window_requests_ = 0;             // load-balanced requests since the last autoscale
  std::optional<core::Clock::TimerId> autoscale_timer_;
  core::Duration draining_timeout_{0};
  bool stopped_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // probes finishing after we are gone see it expired
};

}  // namespace gcpsim::services::compute
