// One emulated project: the services of the services table, their RPCs and routes, the REST
// transcoder and the /_gcpsim control API. Reset drops it and builds a new one.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "net/http.h"
#include "net/rpc.h"

namespace gcpsim::core { struct Env; struct StackConfig; }
namespace gcpsim::net { class HttpClient; class Transcoder; }
namespace gcpsim::services { class Service; class Registry; struct Runtime; }
namespace gcpsim::services::stubs { class StubsService; }

namespace gcpsim::control {

// What the control API asks of the process that owns the emulator.
struct ControlHooks {
  // Engine thread, deferred; `done` once the rebuilt emulator's services are ready (the
  // backing servers emptied and seeded again).
  std::function<void(std::function<void()> done)> reset;
  std::function<core::Status(const std::string&)> save_snapshot;
  std::function<void(const std::string&, std::function<void(core::Status)>)> load_snapshot;  // deferred
};

class Emulator {
 public:
  Emulator(core::Env& env, const core::StackConfig& stack, net::HttpClient& http, services::Runtime& runtime,
           ControlHooks hooks);
  ~Emulator();

  const net::MethodTable& methods() const { return methods_; }
  // Engine thread: routes an HTTP request (control API, hand-written REST, transcoder).
  void handle(net::HttpRequest& req, net::Reply reply);
  std::vector<std::string> service_names() const;
  // Requests Cloud Run routers handed to user processes and not yet answered.
  size_t requests_in_processes() const;
  // Work the services run off the engine thread (backups, queries on workers) that has not ended.
  size_t background_work() const;
  // Engine thread: `done` once every service's start-up (backing servers) answered or gave up.
  void when_ready(std::function<void()> done);

 private:
  core::Env& env_;
  net::MethodTable methods_;
  net::Router router_;
  std::unique_ptr<services::Registry> registry_;
  std::vector<std::pair<std::string, std::unique_ptr<services::Service>>> services_;
  std::unique_ptr<net::Transcoder> transcoder_;
  services::stubs::StubsService* stubs_ = nullptr;  // asked first about every request's Host
};

// Registers /_gcpsim/* on a router (control/api.cc).
void add_control_routes(net::Router& router, core::Env& env, const Emulator& emulator, ControlHooks hooks);

}  // namespace gcpsim::control
