// Cloud Run as the emulator hosts it: every `run:` service and every function of the stack
// file is a revision with its own port (and SERVICE.run.localhost on the edge), real
// processes behind a router; other services call them in-process by name.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/stack_section.h"
#include "core/status.h"
#include "net/http_client.h"
#include "services/run/config.h"
#include "services/service.h"

namespace gcpsim::core { struct StackConfig; }
namespace gcpsim::proc { class Supervisor; }

namespace gcpsim::services::run {

class Revision;
class Router;

struct RevisionDeps;

// Before the emulator starts: removes the containers of gcpsims that are gone and builds every
// `build: DIR` of `stack` into the image its instances run (images.cc). Blocking; an error
// names the stack file line of the build that failed.
core::Status prepare_images(core::StackConfig& stack);

class RunService final : public Service {
 public:
  static std::unique_ptr<Service> create(Context& ctx);
  ~RunService() override;

  void start() override;
  void stop() override;

  // Sends a request to a Run service or function by name, as gcpsim's own caller (ingress
  // "internal" admits it; the service's auth still applies, so add an ID token for private
  // services). `req.url` is the path on the service ("http://host:port/path" or "/path").
  // `done` runs on the engine thread; an unknown service answers 404.
  void request(const std::string& service, net::OutboundRequest req, std::function<void(net::OutboundResponse)> done);
  // http://127.0.0.1:PORT once the service listens; nullopt for unknown services.
  std::optional<std::string> url(const std::string& service) const;
  // The Run service a URL addresses: a service's stable port on 127.0.0.1 or localhost, or
  // http://SERVICE.run.localhost[:PORT]. nullopt for URLs that name no Run host; NOT_FOUND
  // for SERVICE.run.localhost when no such service is declared.
  core::StatusOr<std::optional<std::string>> service_for_url(const std::string& url) const;
  // The header gcpsim's own HTTP deliveries add to be "internal" callers.
  std::pair<std::string, std::string> internal_header() const;
  // Requests the routers handed to processes and not yet answered (the harness waits on them).
  size_t requests_in_processes() const;
  size_t background_work() const override;  // instances killed and not yet exited

 private:
  explicit RunService(Context& ctx);
  void add_routes(net::Router& router);
  Revision* find(const std::string& service) const;
  Revision* find_by_host(const std::string& host) const;

  Context ctx_;  // references into the emulator, which outlives this service
  std::unique_ptr<proc::Supervisor> supervisor_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<RevisionDeps> deps_;
  std::map<std::string, std::unique_ptr<Revision>> revisions_;
  std::string internal_token_;
  bool stopped_ = false;
};

}  // namespace gcpsim::services::run
