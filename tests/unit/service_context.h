// A services::Context with no network behind it, for unit tests that create real services
// (and their method tables) on a test's own Env.
#pragma once
#include "core/stack.h"
#include "net/http.h"
#include "net/http_client.h"
#include "net/rpc.h"
#include "services/service.h"

namespace gcpsim::testing {

// Outbound HTTP that never answers (no push endpoint is reached in these tests).
struct NoHttp : net::HttpClient {
  void send(net::OutboundRequest, std::function<void(net::OutboundResponse)>) override {}
};

struct ServiceContext {
  explicit ServiceContext(core::Env& env) : ctx{env, stack, methods, router, http, registry, runtime} {}
  core::StackConfig stack = core::default_stack();
  net::MethodTable methods;
  net::Router router;
  NoHttp http;
  services::Registry registry;
  services::Runtime runtime;
  services::Context ctx;
};

}  // namespace gcpsim::testing
