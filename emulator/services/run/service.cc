// Builds one revision per Run service and function of the stack, the shared supervisor and
// router, the environment every instance gets, and the edge Host fallback.
#include "services/run/service.h"

#include <unistd.h>

#include <iostream>

#include "core/env.h"
#include "core/events.h"
#include "core/ids.h"
#include "core/stack.h"
#include "services/functions/service.h"
#include "net/http.h"
#include "proc/environment.h"
#include "proc/supervisor.h"
#include "services/backing/service.h"
#include "services/iam/service.h"
#include "services/run/revision.h"
#include "services/secrets/service.h"

namespace gcpsim::services::run {

std::unique_ptr<Service> RunService::create(Context& ctx) {
  std::unique_ptr<RunService> svc(new RunService(ctx));
  svc->add_routes(ctx.router);
  return svc;
}

RunService::RunService(Context& ctx) : ctx_(ctx), internal_token_(ctx.env.ids.token("run.internal", 18)) {}

RunService::~RunService() { stop(); }

void RunService::start() {
  auto* iam = ctx_.registry.get<iam::IamService>("iam");
  auto* backing = ctx_.registry.get<backing::BackingService>("backing");
  supervisor_ = std::make_unique<proc::Supervisor>(ctx_.runtime.engine);
  router_ = std::make_unique<Router>(ctx_.runtime);
  auto stack_vars = backing ? backing->env_vars() : std::vector<std::pair<std::string, std::string>>{};
  std::vector<std::string> names;
  for (const auto& vars : {proc::client_variables(ctx_.env), stack_vars})
    for (const auto& [k, v] : vars) names.push_back(k);
  deps_ = std::make_unique<RevisionDeps>(RevisionDeps{ctx_.env, *supervisor_, *router_, iam ? &iam->issuer() : nullptr,
                                                      ctx_.registry.get<secrets::SecretsService>("secrets"),
                                                      proc::base_environment(ctx_.env, stack_vars), std::move(names),
                                                      internal_token_});
  for (const auto& [name, config] : stack_run(ctx_.stack))
    revisions_.emplace(name, std::make_unique<Revision>(*deps_, name, config));
  for (const auto& [name, function] : functions::stack_functions(ctx_.stack))
    revisions_.emplace(name, std::make_unique<Revision>(*deps_, name, function.service));
  for (const auto& [name, config] : stack_run(ctx_.stack)) {
    for (const auto& notice : config.notices) {  // what a service.yaml asked for that has no effect here
      ctx_.env.events.record("run.config.notice", name, {{"notice", notice}});
      std::cerr << "gcpsim: note: " << notice << std::endl;
    }
  }
  for (auto& [name, rev] : revisions_) {
    auto st = rev->start();
    if (st.is_ok()) continue;
    ctx_.env.events.record("run.error", name, {{"error", st.message()}});
    std::cerr << "gcpsim: Cloud Run service " << name << ": " << st.message() << std::endl;
  }
}

// Processes first (no callback may reach a revision being destroyed), then revisions and
// their clock timers, then the listeners and connections.
void RunService::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (supervisor_) supervisor_->stop_all(kTerminationGrace);
  revisions_.clear();
  router_.reset();
  supervisor_.reset();
  deps_.reset();
}

size_t RunService::background_work() const {
  size_t n = 0;
  for (const auto& [name, rev] : revisions_) n += rev->dying();
  return n;
}

size_t RunService::requests_in_processes() const {
  size_t n = 0;
  for (const auto& [name, rev] : revisions_) n += rev->requests_in_processes();
  return n;
}

Revision* RunService::find(const std::string& service) const {
  auto it = revisions_.find(service);
  return it == revisions_.end() ? nullptr : it->second.get();
}

Revision* RunService::find_by_host(const std::string& host) const {
  constexpr std::string_view kSuffix = ".run.localhost";
  std::string h = host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':'));
  for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (h.size() <= kSuffix.size() || h.compare(h.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) return nullptr;
  return find(h.substr(0, h.size() - kSuffix.size()));
}

void RunService::request(const std::string& service, net::OutboundRequest req,
                         std::function<void(net::OutboundResponse)> done) {
  if (auto* rev = find(service)) return rev->request(std::move(req), std::move(done));
  net::OutboundResponse r;
  r.status = 404;
  r.body = "Cloud Run service " + service + " is not declared in the stack file";
  done(std::move(r));
}

std::optional<std::string> RunService::url(const std::string& service) const {
  auto* rev = find(service);
  if (!rev || rev->port() == 0) return std::nullopt;
  return rev->url();
}

core::StatusOr<std::optional<std::string>> RunService::service_for_url(const std::string& url) const {
  std::string_view rest = url;
  for (std::string_view scheme : {"http://", "https://"})
    if (rest.rfind(scheme, 0) == 0) rest.remove_prefix(scheme.size());
  std::string host(rest.substr(0, rest.find_first_of("/?#")));
  if (auto* rev = find_by_host(host)) return std::optional<std::string>(rev->name());
  std::string lower = host;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto colon = lower.rfind(':');
  std::string name = lower.substr(0, colon);
  constexpr std::string_view kSuffix = ".run.localhost";
  if (name.size() > kSuffix.size() && name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0)
    return core::Status::not_found("no Cloud Run service '" + name.substr(0, name.size() - kSuffix.size()) +
                                   "' is declared in the stack file");
  if (colon == std::string::npos || (name != "127.0.0.1" && name != "localhost")) return std::optional<std::string>();
  for (const auto& [svc, rev] : revisions_)
    if (rev->port() != 0 && lower.substr(colon + 1) == std::to_string(rev->port())) return std::optional<std::string>(svc);
  return std::optional<std::string>();
}

std::pair<std::string, std::string> RunService::internal_header() const { return {kInternalHeader, internal_token_}; }

}  // namespace gcpsim::services::run
