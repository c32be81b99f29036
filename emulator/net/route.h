// The one HTTP route adapter for APIs without protos (Storage's JSON API, Calendar, OAuth,
// Gemini, the metadata server): a handler returns a response or a Status; the call passes
// core::dispatch under its method id (faults, the api.call event); a Status, an injected
// fault or an exception the handler let through becomes the API's error body here, once.
#pragma once
#include <functional>
#include <string>

#include "core/dispatch.h"
#include "core/status.h"
#include "net/http.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::net {

using RouteResult = core::StatusOr<HttpResponse>;
using RouteFn = std::function<RouteResult(HttpRequest&)>;
// The asynchronous form: answers through `done`, now or later (a timer on the clock).
using RouteDone = std::function<void(RouteResult)>;
using AsyncRouteFn = std::function<void(HttpRequest&, RouteDone)>;

// How an API writes its failures.
struct RouteErrors {
  // A failed call's body: Google's JSON envelope unless the API has its own shape.
  std::function<HttpResponse(const core::Status&)> render = [](const core::Status& s) { return HttpResponse::error(s); };
  // What an exception out of a handler means: input no validator checked (a JSON value of
  // an unexpected type, a regex too complex to run). Never takes the engine down.
  core::Status thrown = core::Status::invalid_argument("Request contains an invalid argument.");
};

struct RouteSpec {
  std::string id;       // "storage.objects.get": events, faults, scenarios
  std::string service;  // "storage"
  // The event's target (a resource name), when the route has one.
  std::function<std::string(const HttpRequest&)> target = nullptr;
  RouteErrors errors{};
};

// Runs one call: dispatch, the handler, error rendering, the reply. `req` outlives the reply
// (the edge session and the harness keep it until then), so nothing is copied.
void serve(core::Env& env, core::Call call, HttpRequest& req, Reply reply, AsyncRouteFn fn,
           const RouteErrors& errors = {});

// Registers a route whose handler answers synchronously.
void add_route(Router& router, core::Env& env, std::string method, std::string pattern, RouteSpec spec,
               RouteFn fn);

}  // namespace gcpsim::net
