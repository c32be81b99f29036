// Builds one emulated project from the services table and routes HTTP into it.
#include "control/emulator.h"

#include "control/ui.h"
#include "core/env.h"
#include "core/stack.h"
#include "net/transcoder.h"
#include "services/backing/service.h"
#include "services/compute/service.h"
#include "services/run/service.h"
#include "services/service.h"
#include "services/stubs/service.h"

namespace gcpsim::control {

Emulator::Emulator(core::Env& env, const core::StackConfig& stack, net::HttpClient& http,
                   services::Runtime& runtime, ControlHooks hooks)
    : env_(env), registry_(std::make_unique<services::Registry>()) {
  add_control_routes(router_, env, *this, std::move(hooks));
  add_ui_routes(router_, env);
  services::Context ctx{env, stack, methods_, router_, http, *registry_, runtime};
  for (const auto& def : services::service_table()) {
    auto svc = def.create(ctx);
    registry_->put(def.name, svc.get());
    services_.emplace_back(def.name, std::move(svc));
  }
  stubs_ = registry_->get<services::stubs::StubsService>("stubs");
  transcoder_ = std::make_unique<net::Transcoder>(methods_);
  transcoder_->install(router_, env_);
  for (auto& [name, svc] : services_) svc->start();
}

Emulator::~Emulator() {
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) it->second->stop();
}

void Emulator::when_ready(std::function<void()> done) {
  auto left = std::make_shared<size_t>(services_.size() + 1);
  auto one = [left, done = std::move(done)] {
    if (--*left == 0) done();
  };
  for (auto& [name, svc] : services_) svc->when_ready(one);
  one();
}

// Requests whose Host names a stub go to it before any route: Google's paths (Gemini's
// /v1/models) must not shadow a stub's own.
void Emulator::handle(net::HttpRequest& req, net::Reply reply) {
  if (stubs_ && stubs_->take(req, reply)) return;
  router_.handle(req, std::move(reply));
}

std::vector<std::string> Emulator::service_names() const {
  std::vector<std::string> names;
  for (const auto& [name, svc] : services_) names.push_back(name);
  return names;
}

size_t Emulator::requests_in_processes() const {
  auto* run = registry_->get<services::run::RunService>("run");
  auto* compute = registry_->get<services::compute::ComputeService>("compute");
  return (run ? run->requests_in_processes() : 0) + (compute ? compute->requests_in_processes() : 0);
}

size_t Emulator::background_work() const {
  size_t n = 0;
  for (const auto& [name, svc] : services_) n += svc->background_work();
  return n;
}

}  // namespace gcpsim::control
