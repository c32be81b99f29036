// The HTTP route adapter: one place for dispatch, exceptions and error bodies.
#include "net/route.h"

#include <memory>
#include <optional>

namespace gcpsim::net {

void serve(core::Env& env, core::Call call, HttpRequest& req, Reply reply, AsyncRouteFn fn,
           const RouteErrors& errors) {
  auto answer = std::make_shared<std::optional<HttpResponse>>();
  core::Body body = [&req, fn = std::move(fn), answer, thrown = errors.thrown](core::Done done) {
    RouteDone finish = [answer, done](RouteResult r) {
      if (!r.ok()) return done(r.status());
      *answer = std::move(r).value();
      done(core::Status::ok());
    };
    try {
      fn(req, std::move(finish));
    } catch (const std::exception&) {
      done(thrown);
    }
  };
  core::dispatch(env, std::move(call), std::move(body),
                 [answer, reply = std::move(reply), render = errors.render](core::Status s) {
                   reply(s.is_ok() && *answer ? std::move(**answer) : render(s));
                 });
}

void add_route(Router& router, core::Env& env, std::string method, std::string pattern, RouteSpec spec,
               RouteFn fn) {
  router.add(std::move(method), std::move(pattern),
             [&env, spec = std::move(spec), fn = std::make_shared<RouteFn>(std::move(fn))](HttpRequest& req, Reply reply) {
               core::Call call{spec.id, spec.service, spec.target ? spec.target(req) : std::string()};
               serve(env, std::move(call), req, std::move(reply),
                     [fn](HttpRequest& r, RouteDone done) { done((*fn)(r)); }, spec.errors);
             });
}

}  // namespace gcpsim::net
