// One row of the services table: how an emulated API joins an emulator instance. Each
// service registers its RPCs and routes when created; start/stop are lifecycle hooks.
// Reset is generic: the emulator drops every service and creates them again.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/stack_section.h"

namespace gcpsim::core { struct Env; }
namespace boost::asio { class io_context; }
namespace gcpsim::net { class MethodTable; class Router; class HttpClient; }

namespace gcpsim::services {

class Service {
 public:
  virtual ~Service() = default;
  virtual void start() {}   // after every service exists (engine thread)
  virtual void stop() {}    // before the emulator goes away (engine thread)
  // Calls `done` (engine thread) once what start() launched answers or has given up.
  virtual void when_ready(std::function<void()> done) { done(); }
  // Engine thread: work running off the engine that will change state when it ends (backups,
  // TTL sweeps, queries on worker threads). A virtual clock waits while any is running.
  virtual size_t background_work() const { return 0; }
};

namespace backing { class Servers; }

// The process's I/O side, for services that own sockets or processes (Cloud Run router,
// fault proxy). Domain code never needs it. One per gcpsim process: it outlives the
// emulators a reset rebuilds.
struct Runtime {
  boost::asio::io_context* io = nullptr;             // the I/O thread's context
  boost::asio::io_context* engine = nullptr;         // the engine thread's context (Cloud Run's
                                                     // router serves there: no thread hop per request)
  std::function<void(std::function<void()>)> post;   // run on the engine thread
  std::shared_ptr<backing::Servers> backing;         // backing servers, kept across resets
};

class Registry;  // lets services find each other (e.g. storage notifications → pubsub)

struct Context {
  core::Env& env;
  const core::StackConfig& stack;
  net::MethodTable& methods;
  net::Router& router;
  net::HttpClient& http;     // outbound deliveries
  Registry& registry;
  Runtime& runtime;
};

struct ServiceDef {
  std::string name;                                       // "pubsub"
  std::function<std::unique_ptr<Service>(Context&)> create;
  // The stack-file section this service reads itself (core/stack_section.h), if it has one.
  // Its result: ctx.stack.section<T>(key), through the service's own accessor.
  std::function<core::StackSection()> section = nullptr;
};

// The explicit table, read top to bottom (services/table.cc). No self-registration.
const std::vector<ServiceDef>& service_table();

// Every service's own stack-file section and core's `faults`, in the file's key order
// (table.cc): what load_stack needs to read a whole stack file.
std::vector<core::StackSection> stack_sections();

class Registry {
 public:
  void put(const std::string& name, Service* s) { entries_.emplace_back(name, s); }
  template <class T> T* get(const std::string& name) const {
    for (auto& [n, s] : entries_) if (n == name) return dynamic_cast<T*>(s);
    return nullptr;
  }
 private:
  std::vector<std::pair<std::string, Service*>> entries_;
};

}  // namespace gcpsim::services
