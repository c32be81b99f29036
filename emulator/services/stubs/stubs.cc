// Stub state and the per-request decision: first matching route, its sequence step,
// templated reply; near misses ranked by how few checks failed.
#include "services/stubs/stubs.h"

#include <algorithm>

#include "services/stubs/template.h"

namespace gcpsim::services::stubs {
namespace {

constexpr size_t kNearMisses = 3;

Stub make_stub(uint64_t seed, const StubDecl& d) {
  Stub s;
  s.name = d.name;
  s.port = static_cast<uint16_t>(d.port);
  s.kind = d.kind;
  s.api_key = d.api_key;
  if (d.kind == "openai") s.openai = std::make_unique<openai::OpenAi>(seed, d.rules);
  return s;
}

Json pairs_json(const std::vector<std::pair<std::string, std::string>>& v) {
  Json out = Json::object();
  for (const auto& [k, val] : v)
    if (!out.contains(k)) out[k] = val;
  return out;
}

}  // namespace

StubSet::StubSet(uint64_t seed, const StubsConfig& config) : seed_(seed) {
  for (const auto& d : config.stubs) {
    Stub& s = stubs_.emplace(d.name, make_stub(seed, d)).first->second;
    for (const auto& r : d.routes) add_route(s, r);
  }
}

Stub* StubSet::find(const std::string& name) {
  auto it = stubs_.find(name);
  return it == stubs_.end() ? nullptr : &it->second;
}

core::StatusOr<Stub*> StubSet::add(const StubDecl& d) {
  if (!valid_name(d.name)) return core::Status::invalid_argument("name: a stub name is lowercase letters, digits and hyphens");
  if (stubs_.count(d.name)) return core::Status::already_exists("stub '" + d.name + "' already exists");
  Stub& s = stubs_.emplace(d.name, make_stub(seed_, d)).first->second;
  for (const auto& r : d.routes) add_route(s, r);
  return &s;
}

bool StubSet::remove(const std::string& name) { return stubs_.erase(name) > 0; }

std::string StubSet::add_route(Stub& stub, Route route) {
  if (route.id.empty()) route.id = "route-" + std::to_string(stub.next_route++);
  auto same = std::find_if(stub.routes.begin(), stub.routes.end(), [&](const Route& r) { return r.id == route.id; });
  std::string id = route.id;
  if (same != stub.routes.end()) *same = std::move(route);  // re-sending a route replaces it
  else stub.routes.push_back(std::move(route));
  return id;
}

bool StubSet::remove_route(Stub& stub, const std::string& id) {
  auto it = std::find_if(stub.routes.begin(), stub.routes.end(), [&](const Route& r) { return r.id == id; });
  if (it == stub.routes.end()) return false;
  stub.routes.erase(it);
  return true;
}

std::optional<Answer> StubSet::decide(Stub& stub, const Incoming& in, core::Time now, Json& near) {
  std::vector<std::pair<std::vector<std::string>, const Route*>> misses;
  for (auto& route : stub.routes) {
    std::map<std::string, std::string> params;
    auto why = mismatches(route.match, in, params);
    if (!why.empty()) {
      misses.emplace_back(std::move(why), &route);
      continue;
    }
    int64_t call = ++route.calls;
    const Reply& reply = reply_for(route, call);
    TemplateContext ctx{in, params, call, now};
    Answer a;
    a.route = route.id;
    a.status = reply.status;
    a.delay = reply.delay;
    for (const auto& [k, v] : reply.headers) a.headers.emplace_back(k, render(v, ctx));
    auto has_type = [&a] {
      return std::any_of(a.headers.begin(), a.headers.end(), [](const auto& h) {
        std::string k = h.first;
        std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
        return k == "content-type";
      });
    };
    switch (reply.body) {
      case Reply::Body::kJson:
        a.body = render_json(reply.json, ctx).dump();
        if (!has_type()) a.headers.emplace_back("Content-Type", "application/json");
        break;
      case Reply::Body::kText:
        a.body = render(reply.text, ctx);
        if (!has_type()) a.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
        break;
      case Reply::Body::kFile: a.file = reply.text; break;
      case Reply::Body::kNone: break;
    }
    if (reply.stream) {
      Stream s = *reply.stream;
      for (auto& c : s.chunks) c = render_json(c, ctx);
      if (!has_type()) a.headers.emplace_back("Content-Type", s.sse ? "text/event-stream" : "text/plain; charset=utf-8");
      a.stream = std::move(s);
    }
    return a;
  }
  // Nearest first: a route on the request's path is nearer than one that only shares the
  // method, which is nearer than one that misses on both.
  auto distance = [](const std::vector<std::string>& why) {
    int d = 0;
    for (const auto& w : why) d += w.rfind("path:", 0) == 0 ? 100 : w.rfind("method:", 0) == 0 ? 10 : 1;
    return d;
  };
  std::stable_sort(misses.begin(), misses.end(), [&](const auto& a, const auto& b) { return distance(a.first) < distance(b.first); });
  near = Json::array();
  for (size_t i = 0; i < misses.size() && i < kNearMisses; ++i)
    near.push_back({{"route", misses[i].second->id}, {"mismatches", misses[i].first}});
  return std::nullopt;
}

Received& StubSet::record(Stub& stub, Incoming in, core::Time now) {
  stub.received.push_back(Received{next_seq_++, now, std::move(in), "", 0});
  if (stub.received.size() > kMaxReceived) stub.received.pop_front();
  return stub.received.back();
}

Json route_json(const Route& r) {
  Json j = r.source;
  j["id"] = r.id;
  j["calls"] = r.calls;
  return j;
}

Json stub_json(const Stub& s) {
  Json routes = Json::array();
  for (const auto& r : s.routes) routes.push_back(route_json(r));
  Json j = {{"name", s.name}, {"kind", s.kind}, {"host", s.name + ".stub.localhost"}, {"routes", routes},
            {"received", s.received.size()}};
  if (s.port) j["port"] = s.port;
  if (s.openai) {
    Json rules = Json::array();
    for (const auto& r : s.openai->rules().rules()) rules.push_back(Json::parse(gemini::rule_to_json(r).dump()));
    j["rules"] = rules;
  }
  return j;
}

Json received_json(const Received& r) {
  const Incoming& in = r.request;
  Json j = {{"seq", r.seq}, {"time", core::format_rfc3339(r.time)}, {"method", in.method}, {"path", in.path},
            {"query", pairs_json(in.query)}, {"headers", pairs_json(in.headers)}, {"body", in.body}};
  if (in.json) j["json"] = *in.json;
  j["route"] = r.route.empty() ? Json() : Json(r.route);
  j["status"] = r.status;
  return j;
}

}  // namespace gcpsim::services::stubs
