// One Run service as gcpsim serves it (a single revision): its port, its instances (real
// processes), the autoscaler, admission of each request (ingress, ID token, fault rules),
// request timeouts on the clock, trace and forwarding headers, and the events it records.
// Engine thread only.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/run/config.h"
#include "net/http.h"
#include "net/http_client.h"
#include "services/run/auth.h"
#include "services/run/router.h"
#include "services/run/scaler.h"
#include "proc/supervisor.h"

namespace gcpsim::core { struct Env; }
namespace gcpsim::services::iam { class Issuer; }
namespace gcpsim::services::secrets { class SecretsService; }

namespace gcpsim::services::run {

// What every revision shares, owned by the RunService.
struct RevisionDeps {
  core::Env& env;
  proc::Supervisor& supervisor;
  Router& router;
  const iam::Issuer* issuer = nullptr;
  secrets::SecretsService* secrets = nullptr;
  std::vector<std::string> base_env;   // KEY=VALUE: inherited plus gcpsim's client variables
  std::vector<std::string> stack_vars; // the names in base_env that gcpsim set (what a container gets)
  std::string internal_token;          // the value of kInternalHeader on gcpsim's own calls
};

// The side of a request that the instance's answer goes to when the engine sent it
// (in-process callers, the edge Host fallback) rather than a client on the service port.
class FetchConsumer {
 public:
  virtual ~FetchConsumer() = default;
  virtual void respond(net::HttpResponse r) = 0;  // answered without reaching an instance
  virtual void head(int status, net::Headers headers, bool streaming) = 0;
  virtual void data(std::string chunk) = 0;
  virtual void end(bool ok) = 0;                  // false: the instance failed mid-response
};
std::shared_ptr<FetchConsumer> collect_response(std::function<void(net::OutboundResponse)> done);
std::shared_ptr<FetchConsumer> edge_response(net::Reply reply);

struct InstanceInfo {
  uint64_t id = 0;
  std::string state;
  int in_flight = 0;
  uint64_t served = 0;
  std::optional<int> pid;
  uint16_t port = 0;
  int64_t cold_start_ms = -1;  // on the clock, from launch to a passed probe
};

class Revision {
 public:
  Revision(RevisionDeps& deps, std::string name, RunServiceConfig config);
  ~Revision();
  Revision(const Revision&) = delete;
  Revision& operator=(const Revision&) = delete;

  core::Status start();  // listens on the stable port and warms min instances
  const std::string& name() const { return name_; }
  const std::string& revision_name() const { return revision_; }
  uint16_t port() const { return port_; }
  std::string url() const;
  const RunServiceConfig& config() const { return config_; }

  // An internal call (push, tasks, triggers): through admission, autoscaling and timeout.
  void request(net::OutboundRequest req, std::function<void(net::OutboundResponse)> done);
  // A request on the edge port addressed to SERVICE.run.localhost.
  void handle_edge(net::HttpRequest& req, net::Reply reply);
  // Requests handed to an instance and not answered yet (WebSockets aside), plus requests
  // queued while an instance is still starting: both wait on real processes, not the clock.
  size_t requests_in_processes() const;
  // Instances SIGKILLed (a crash) whose exit has not been seen: real work the clock waits for,
  // so the exit, the sockets it closes and the restart land at the crash's instant.
  size_t dying() const;
  void kill_instances();  // crash every instance (they restart as a crash would)
  void restart();         // replace every instance gracefully
  std::vector<InstanceInfo> instances() const;
  size_t queued() const { return scaler_->queued(); }

 private:
  class Front;
  struct Incoming {
    std::string method, target, path;
    net::Headers headers;
    std::string remote_ip;
    bool internal = false;   // gcpsim's own caller
    bool websocket = false;
    std::string body;        // fetches only (a session keeps its own)
    core::Time arrived{};
  };
  struct Ticket {
    enum class State { kNew, kQueued, kForwarding };
    Incoming in;
    core::Time admitted{};
    core::Time deadline{};                    // the service's request timeout
    std::function<void(Decision)> decide;     // answers the session or starts the fetch
    std::shared_ptr<FetchConsumer> consumer;  // fetches only
    State state = State::kNew;
    std::optional<uint64_t> instance;
    bool cold = false;                        // waited for a new instance's first slot
    bool answered = false;                    // a fetch consumer already got its head
    std::string trace;
  };
  struct Instance {
    std::optional<uint64_t> process;  // the supervisor's id once launched
    uint16_t port = 0;
    core::Time launched{};
    int64_t cold_start_ms = -1;
    bool stopping = false;            // we asked it to go: its exit is not a crash
    bool killed = false;              // SIGKILLed (a crash): dying, its exit not seen yet
    std::optional<uint64_t> kill_timer;
  };

  using Decide = std::function<void(Decision)>;
  // admission (revision.cc)
  void admit(Incoming in, Decide decide, std::shared_ptr<FetchConsumer> consumer);
  void enqueue(Incoming in, Decide decide, std::shared_ptr<FetchConsumer> consumer);
  bool apply_router_fault(Incoming& in, Decide& decide, std::shared_ptr<FetchConsumer>& consumer);
  bool is_internal(const net::Headers& headers) const;
  Decide fetch_decider(std::shared_ptr<FetchConsumer> consumer);
  void start_fetch(const Decision& d);
  void later(core::Duration d, std::function<void()> fn);
  void grant(uint64_t ticket, uint64_t instance);
  void reject(uint64_t ticket);
  void finished(uint64_t ticket, Outcome outcome);
  void leave_process(const Ticket& t);
  void arm_deadline();
  void expire_deadlines();
  void time_out(uint64_t ticket);
  net::Headers forward_headers(const Incoming& in, const std::string& trace) const;
  void record(const Incoming& in, int status, core::Time admitted, std::optional<uint64_t> instance, bool cold,
              const std::string& trace);

  // instances (instances.cc)
  void start_instance(uint64_t id);
  void launch(uint64_t id);
  void instance_ready(uint64_t id);
  void stop_instance(uint64_t id);
  void instance_exited(uint64_t id, proc::ExitStatus status);
  void instance_failed_start(uint64_t id, const std::string& why);
  core::StatusOr<std::vector<std::string>> instance_env(uint16_t port) const;
  void crash_one();

  RevisionDeps& deps_;
  core::Env& env_;
  std::string name_, revision_;
  RunServiceConfig config_;
  AccessPolicy policy_;
  uint16_t port_ = 0;
  std::shared_ptr<Front> front_;
  std::unique_ptr<Scaler> scaler_;
  std::map<uint64_t, Instance> instances_;
  std::map<uint64_t, Ticket> tickets_;
  size_t in_processes_ = 0;  // tickets in kForwarding, WebSockets aside
  std::set<std::pair<core::Time, uint64_t>> deadlines_;    // (deadline, ticket) in flight
  std::optional<uint64_t> deadline_timer_;
  std::set<uint64_t> pending_timers_;                       // fault delays, delayed starts
};

}  // namespace gcpsim::services::run
