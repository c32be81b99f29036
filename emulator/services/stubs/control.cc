// /_gcpsim/stubs: list, add and remove stubs and their routes, read and clear what each
// received, and script the built-in OpenAI API's rules — behind the control guard.
#include "net/guard.h"
#include "core/stack.h"
#include "services/stubs/service.h"

namespace gcpsim::services::stubs {
namespace {

using net::HttpRequest;
using net::HttpResponse;

HttpResponse ok(const Json& j) { return HttpResponse::json(200, j.dump()); }
HttpResponse fail(const core::Status& s) { return HttpResponse::error(s); }

template <class Fn>
net::HttpHandler guarded(Fn fn) {
  return [fn](HttpRequest& req, net::Reply reply) {
    if (auto denied = net::refuse(req)) return reply(fail(*denied));
    fn(req, std::move(reply));
  };
}

core::StatusOr<Json> body_of(const HttpRequest& req) {
  auto body = net::json_body(req);
  if (!body.ok()) return body.status();
  return Json::parse(body->dump());
}

// The received requests, optionally only those a route answered (?route=ID) or since a
// sequence number (?since=N).
Json received_list(const Stub& s, const HttpRequest& req) {
  std::string route = req.query_param("route").value_or("");
  uint64_t since = 0;
  try {
    since = std::stoull(req.query_param("since").value_or("0"));
  } catch (const std::exception&) {
  }
  Json list = Json::array();
  for (const auto& r : s.received) {
    if (r.seq <= since || (!route.empty() && r.route != route)) continue;
    list.push_back(received_json(r));
  }
  return {{"requests", list}};
}

}  // namespace

void StubsService::add_routes(net::Router& router) {
  router.add("GET", "/_gcpsim/stubs", guarded([this](HttpRequest&, net::Reply reply) {
    Json list = Json::array();
    for (const auto& [name, s] : stubs_.all()) list.push_back(stub_json(s));
    reply(ok({{"stubs", list}}));
  }));
  // A stub added at run time is reachable by Host on the edge (own ports come from the stack file).
  router.add("POST", "/_gcpsim/stubs", guarded([this](HttpRequest& req, net::Reply reply) {
    auto body = body_of(req);
    if (!body.ok()) return reply(fail(body.status()));
    auto decl = stub_from_json(*body);
    if (!decl.ok()) return reply(fail(decl.status()));
    if (decl->port) return reply(fail(core::Status::invalid_argument("port: a stub's own port is declared in the stack file")));
    auto added = stubs_.add(*decl);
    if (!added.ok()) return reply(fail(added.status()));
    reply(ok(stub_json(**added)));
  }));
  // DELETE /_gcpsim/stubs/NAME removes one stub; /_gcpsim/reset restores the stack file's.
  router.add("GET", "/_gcpsim/stubs/{name}", guarded([this](HttpRequest& req, net::Reply reply) {
    Stub* s = stubs_.find(req.param("name"));
    if (!s) return reply(fail(core::Status::not_found("stub '" + req.param("name") + "' not found")));
    reply(ok(stub_json(*s)));
  }));
  router.add("DELETE", "/_gcpsim/stubs/{name}", guarded([this](HttpRequest& req, net::Reply reply) {
    if (!stubs_.remove(req.param("name"))) return reply(fail(core::Status::not_found("stub '" + req.param("name") + "' not found")));
    reply(ok(Json::object()));
  }));
  router.add("POST", "/_gcpsim/stubs/{name}/routes", guarded([this](HttpRequest& req, net::Reply reply) {
    Stub* s = stubs_.find(req.param("name"));
    if (!s) return reply(fail(core::Status::not_found("stub '" + req.param("name") + "' not found")));
    auto body = body_of(req);
    if (!body.ok()) return reply(fail(body.status()));
    auto route = route_from_json(*body, [](const std::string& p) { return p; });
    if (!route.ok()) return reply(fail(route.status()));
    std::string id = stubs_.add_route(*s, std::move(route).value());
    for (const auto& r : s->routes)
      if (r.id == id) return reply(ok(route_json(r)));
  }));
  router.add("DELETE", "/_gcpsim/stubs/{name}/routes", guarded([this](HttpRequest& req, net::Reply reply) {
    Stub* s = stubs_.find(req.param("name"));
    if (!s) return reply(fail(core::Status::not_found("stub '" + req.param("name") + "' not found")));
    s->routes.clear();
    reply(ok(Json::object()));
  }));
  router.add("DELETE", "/_gcpsim/stubs/{name}/routes/{id}", guarded([this](HttpRequest& req, net::Reply reply) {
    Stub* s = stubs_.find(req.param("name"));
    if (!s || !stubs_.remove_route(*s, req.param("id")))
      return reply(fail(core::Status::not_found("route '" + req.param("id") + "' of stub '" + req.param("name") + "' not found")));
    reply(ok(Json::object()));
  }));
  router.add("GET", "/_gcpsim/stubs/{name}/requests", guarded([this](HttpRequest& req, net::Reply reply) {
    Stub* s = stubs_.find(req.param("name"));
    if (!s) return reply(fail(core::Status::not_found("stub '" + req.param("name") + "' not found")));
    reply(ok(received_list(*s, req)));
  }));
  router.add("DELETE", "/_gcpsim/stubs/{name}/requests", guarded([this](HttpRequest& req, net::Reply reply) {
    Stub* s = stubs_.find(req.param("name"));
    if (!s) return reply(fail(core::Status::not_found("stub '" + req.param("name") + "' not found")));
    s->received.clear();
    reply(ok(Json::object()));
  }));
  // The built-in OpenAI API's scripted rules, in Gemini's rule form.
  router.add("POST", "/_gcpsim/stubs/{name}/rules", guarded([this](HttpRequest& req, net::Reply reply) {
    Stub* s = stubs_.find(req.param("name"));
    if (!s || !s->openai) return reply(fail(core::Status::not_found("no OpenAI stub '" + req.param("name") + "'")));
    auto body = net::json_body(req);
    if (!body.ok()) return reply(fail(body.status()));
    auto rule = gemini::rule_from_json(*body);
    if (!rule.ok()) return reply(fail(rule.status()));
    std::string id = s->openai->rules().add(std::move(rule).value());
    for (const auto& r : s->openai->rules().rules())
      if (r.id == id) return reply(HttpResponse::json(200, gemini::rule_to_json(r).dump()));
  }));
  router.add("DELETE", "/_gcpsim/stubs/{name}/rules", guarded([this](HttpRequest& req, net::Reply reply) {
    Stub* s = stubs_.find(req.param("name"));
    if (!s || !s->openai) return reply(fail(core::Status::not_found("no OpenAI stub '" + req.param("name") + "'")));
    s->openai->rules().clear();
    reply(ok(Json::object()));
  }));
}

}  // namespace gcpsim::services::stubs
