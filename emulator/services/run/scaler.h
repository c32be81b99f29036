// The autoscaler of one Run service: instances and their in-flight requests, the pending
// queue, scale-up on demand up to max instances, scale-down of idle instances on the clock
// (min instances kept warm), and restart backoff after crashes. Pure engine-thread state:
// processes are started and stopped through hooks, and report back with ready()/exited().
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>

#include "core/clock.h"
#include "services/run/limits.h"

namespace gcpsim::services::run {

struct ScalerConfig {
  int concurrency = 80;
  int min_instances = 0;
  int max_instances = 100;
  core::Duration idle_timeout = kIdleTimeout;
  core::Duration pending_timeout = kPendingTimeout;
};

struct ScalerHooks {
  std::function<void(uint64_t instance)> start;   // spawn it; ready() or exited() follows
  std::function<void(uint64_t instance)> stop;    // scale-down: terminate it; exited() follows
  std::function<void(uint64_t ticket, uint64_t instance)> grant;  // the request may go there
  std::function<void(uint64_t ticket)> reject;    // waited pending_timeout in the queue: 429
};

enum class InstanceState { kStarting, kReady, kDraining };
const char* instance_state_name(InstanceState s);

class Scaler {
 public:
  struct Instance {
    InstanceState state = InstanceState::kStarting;
    int in_flight = 0;
    uint64_t served = 0;           // requests granted so far
    core::Time idle_since{};
    std::optional<core::Clock::TimerId> idle_timer;
  };

  Scaler(core::Clock& clock, ScalerConfig config, ScalerHooks hooks);
  ~Scaler();
  Scaler(const Scaler&) = delete;
  Scaler& operator=(const Scaler&) = delete;

  void start();                       // brings up min instances
  void submit(uint64_t ticket);       // grants now, or queues (and scales up)
  bool withdraw(uint64_t ticket);     // leaves the queue; false when it was not queued
  void release(uint64_t instance);    // one granted request finished
  void ready(uint64_t instance);      // passed its startup probe
  void exited(uint64_t instance, bool crashed);
  void replace_all();                 // stops every instance; demand and min start new ones

  const std::map<uint64_t, Instance>& instances() const { return instances_; }
  const Instance* instance(uint64_t id) const;
  size_t queued() const { return queue_.size(); }
  int crash_streak() const { return crash_streak_; }
  int live() const;                   // starting + ready
  const ScalerConfig& config() const { return config_; }

 private:
  struct Waiting {
    uint64_t ticket;
    core::Time deadline;
  };
  std::optional<uint64_t> pick() const;
  void grant(uint64_t ticket, uint64_t instance);
  void serve_queue();
  void scale();
  void start_one();
  bool backing_off() const;
  void went_idle(uint64_t id, Instance& inst);
  void idle_check(uint64_t id);
  void arm_pending();
  void expire_pending();

  core::Clock& clock_;
  ScalerConfig config_;
  ScalerHooks hooks_;
  std::map<uint64_t, Instance> instances_;
  std::deque<Waiting> queue_;
  uint64_t next_instance_ = 1;
  int crash_streak_ = 0;
  core::Time backoff_until_{};
  std::optional<core::Clock::TimerId> backoff_timer_, pending_timer_;
  bool scaling_ = false;   // guards re-entry while hooks run
  bool rescale_ = false;
};

}  // namespace gcpsim::services::run
