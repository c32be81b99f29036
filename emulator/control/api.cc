// The /_gcpsim control API: health, clock, faults, events, reset, snapshots. Loopback
// only, and refuses anything a browser on another origin could send (CSRF guard).
#include <set>

#include <nlohmann/json.hpp>

#include "control/emulator.h"
#include "net/guard.h"
#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"

namespace gcpsim::control {
namespace {

using nlohmann::json;
using net::HttpRequest;
using net::HttpResponse;
using net::Reply;
using net::json_body;

HttpResponse ok_json(const json& j) { return HttpResponse::json(200, j.dump()); }
HttpResponse bad(std::string message) { return HttpResponse::error(core::Status::invalid_argument(std::move(message))); }

json clock_json(const core::Clock& c) {
  return {{"mode", c.mode() == core::Clock::Mode::kVirtual ? "virtual" : "real"},
          {"now", core::format_rfc3339(c.now())},
          {"pendingTimers", c.pending()}};
}

json rule_json(const core::FaultRule& r) {
  json m = json::object();
  if (r.match.boundary) m["boundary"] = core::boundary_name(*r.match.boundary);
  if (!r.match.service.empty()) m["service"] = r.match.service;
  if (!r.match.method.empty()) m["method"] = r.match.method;
  if (!r.match.target.empty()) m["target"] = r.match.target;
  json a = {{"kind", core::action_kind_name(r.action.kind)}};
  if (r.action.kind == core::FaultAction::Kind::kError) a["error"] = core::code_name(r.action.code);
  if (r.action.http_status) a["httpStatus"] = r.action.http_status;
  if (!r.action.message.empty()) a["message"] = r.action.message;
  if (r.action.delay.count()) a["delay"] = core::format_duration(r.action.delay);
  if (r.action.retry_delay.count()) a["retryDelay"] = core::format_duration(r.action.retry_delay);
  if (r.action.bandwidth_kbps) a["bandwidth"] = r.action.bandwidth_kbps;
  json j = {{"id", r.id}, {"match", m}, {"action", a}, {"probability", r.probability},
            {"after", r.after}, {"seen", r.seen}, {"fired", r.fired}};
  if (r.count) j["count"] = *r.count;
  if (r.from) j["from"] = core::format_rfc3339(*r.from);
  if (r.until) j["until"] = core::format_rfc3339(*r.until);
  return j;
}

// {"match":{...},"action":{"error":"UNAVAILABLE"|"kind":"delay","delay":"2s"},"probability":..}
core::StatusOr<core::FaultRule> parse_rule(const json& j) {
  static const std::set<std::string> kTop = {"id", "match", "action", "probability", "count", "after", "from", "until"};
  for (auto& [k, v] : j.items())
    if (!kTop.count(k)) return core::Status::invalid_argument("unknown fault field '" + k + "'");
  core::FaultRule r;
  auto str = [](const json& o, const char* k) -> std::string {
    return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : "";
  };
  if (j.contains("id")) r.id = str(j, "id");
  if (j.contains("match")) {
    const auto& m = j["match"];
    if (!m.is_object()) return core::Status::invalid_argument("'match' must be an object");
    for (auto& [k, v] : m.items()) {
      if (k != "service" && k != "method" && k != "target" && k != "boundary")
        return core::Status::invalid_argument("unknown match field '" + k + "'");
      if (!v.is_string()) return core::Status::invalid_argument("match." + k + " must be a string");
    }
    r.match.service = str(m, "service");
    r.match.method = str(m, "method");
    r.match.target = str(m, "target");
    if (m.contains("boundary")) {
      auto b = core::boundary_from_name(str(m, "boundary"));
      if (!b) return core::Status::invalid_argument("unknown boundary '" + str(m, "boundary") + "'");
      r.match.boundary = b;
    }
  }
  if (!j.contains("action") || !j["action"].is_object()) return core::Status::invalid_argument("a fault needs an 'action' object");
  const auto& a = j["action"];
  for (auto& [k, v] : a.items())
    if (k != "kind" && k != "error" && k != "httpStatus" && k != "message" && k != "delay" && k != "retryDelay" &&
        k != "bandwidth")
      return core::Status::invalid_argument("unknown action field '" + k + "'");
  if (a.contains("kind")) {
    auto kind = core::action_kind_from_name(str(a, "kind"));
    if (!kind) return core::Status::invalid_argument("unknown action kind '" + str(a, "kind") + "'");
    r.action.kind = *kind;
  } else if (!a.contains("error") && (a.contains("delay") || a.contains("bandwidth"))) {
    r.action.kind = core::FaultAction::Kind::kDelay;
  }
  if (a.contains("bandwidth")) {
    if (!a["bandwidth"].is_number_integer() || a["bandwidth"].get<int64_t>() < 1)
      return core::Status::invalid_argument("action.bandwidth must be a positive integer (KB/s)");
    r.action.bandwidth_kbps = a["bandwidth"].get<int64_t>();
  }
  if (a.contains("error")) {
    auto code = core::code_from_name(str(a, "error"));
    if (!code || *code == core::Code::kOk) return core::Status::invalid_argument("unknown error code '" + str(a, "error") + "'");
    r.action.code = *code;
  }
  if (a.contains("httpStatus")) {
    if (!a["httpStatus"].is_number_integer() || a["httpStatus"].get<int64_t>() < 100 || a["httpStatus"].get<int64_t>() > 599)
      return core::Status::invalid_argument("action.httpStatus must be an integer from 100 to 599");
    r.action.http_status = a["httpStatus"].get<int>();
  }
  r.action.message = str(a, "message");
  for (auto [key, field] : {std::pair{"delay", &r.action.delay}, std::pair{"retryDelay", &r.action.retry_delay}}) {
    if (!a.contains(key)) continue;
    auto d = core::parse_duration(str(a, key));
    if (!d) return core::Status::invalid_argument(std::string("action.") + key + " must be a duration like \"2s\"");
    *field = *d;
  }
  if (j.contains("probability")) {
    if (!j["probability"].is_number() || j["probability"].get<double>() < 0 || j["probability"].get<double>() > 1)
      return core::Status::invalid_argument("probability must be a number between 0 and 1");
    r.probability = j["probability"].get<double>();
  }
  for (auto [key, field] : {std::pair{"after", &r.after}}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_number_integer() || j[key].get<int64_t>() < 0) return core::Status::invalid_argument(std::string(key) + " must be a non-negative integer");
    *field = j[key].get<int64_t>();
  }
  if (j.contains("count")) {
    if (!j["count"].is_number_integer() || j["count"].get<int64_t>() < 1) return core::Status::invalid_argument("count must be a positive integer");
    r.count = j["count"].get<int64_t>();
  }
  for (auto [key, field] : {std::pair{"from", &r.from}, std::pair{"until", &r.until}}) {
    if (!j.contains(key)) continue;
    auto t = core::parse_rfc3339(str(j, key));
    if (!t) return core::Status::invalid_argument(std::string(key) + " must be an RFC 3339 time");
    *field = *t;
  }
  return r;
}

}  // namespace

void add_control_routes(net::Router& router, core::Env& env, const Emulator& emulator, ControlHooks hooks) {
  auto hooks_ptr = std::make_shared<ControlHooks>(std::move(hooks));
  // Every control route passes the guard first.
  auto add = [&router](std::string method, std::string path, net::HttpHandler h) {
    router.add_guarded(std::move(method), std::move(path), std::move(h));
  };

  add("GET", "/_gcpsim/health", [&env, &emulator](HttpRequest&, Reply reply) {
    reply(ok_json({{"status", "SERVING"}, {"project", env.project}, {"region", env.region}, {"seed", env.ids.seed()},
                   {"services", emulator.service_names()}, {"clock", clock_json(env.clock)}}));
  });

  add("GET", "/_gcpsim/clock", [&env](HttpRequest&, Reply reply) { reply(ok_json(clock_json(env.clock))); });
  add("POST", "/_gcpsim/clock", [&env](HttpRequest& req, Reply reply) {
    auto body = json_body(req);
    if (!body.ok()) return reply(HttpResponse::error(body.status()));
    auto before = env.clock.now();
    auto get = [&](const char* k) { return (*body)[k].is_string() ? (*body)[k].get<std::string>() : std::string("?"); };
    if (body->contains("advance")) {
      auto d = core::parse_duration(get("advance"));
      if (!d) return reply(bad("advance must be a duration like \"30s\""));
      env.clock.advance(*d);
    } else if (body->contains("set")) {
      auto t = core::parse_rfc3339(get("set"));
      if (!t) return reply(bad("set must be an RFC 3339 time"));
      env.clock.set(*t);
    } else if (body->contains("runUntilIdle")) {
      auto d = core::parse_duration(get("runUntilIdle"));
      if (!d) return reply(bad("runUntilIdle must be a duration limit like \"1h\""));
      env.clock.run_until_idle(env.clock.now() + *d);
    } else {
      return reply(bad("POST /_gcpsim/clock takes one of: advance, set, runUntilIdle"));
    }
    env.events.record("clock.move", "gcpsim",
                      {{"from", core::format_rfc3339(before)}, {"to", core::format_rfc3339(env.clock.now())}});
    reply(ok_json(clock_json(env.clock)));
  });

  add("GET", "/_gcpsim/faults", [&env](HttpRequest&, Reply reply) {
    json list = json::array();
    for (const auto& r : env.faults.rules()) list.push_back(rule_json(r));
    reply(ok_json({{"faults", list}}));
  });
  add("POST", "/_gcpsim/faults", [&env](HttpRequest& req, Reply reply) {
    auto body = json_body(req);
    if (!body.ok()) return reply(HttpResponse::error(body.status()));
    auto rule = parse_rule(*body);
    if (!rule.ok()) return reply(HttpResponse::error(rule.status()));
    std::string id = env.faults.add(std::move(rule).value());
    for (const auto& r : env.faults.rules())
      if (r.id == id) return reply(ok_json(rule_json(r)));
  });
  add("DELETE", "/_gcpsim/faults", [&env](HttpRequest&, Reply reply) {
    env.faults.clear();
    reply(ok_json(json::object()));
  });
  add("DELETE", "/_gcpsim/faults/{id}", [&env](HttpRequest& req, Reply reply) {
    if (!env.faults.remove(req.param("id")))
      return reply(HttpResponse::error(core::Status::not_found("Fault rule [" + req.param("id") + "] not found.")));
    reply(ok_json(json::object()));
  });

  add("GET", "/_gcpsim/events", [&env](HttpRequest& req, Reply reply) {
    core::EventQuery q;
    q.kind = req.query_param("kind").value_or("");
    q.service = req.query_param("service").value_or("");
    try {
      q.since_seq = std::stoull(req.query_param("since").value_or("0"));
      q.limit = std::stoull(req.query_param("limit").value_or("0"));
    } catch (const std::exception&) {
      return reply(bad("since and limit must be non-negative integers"));
    }
    auto events = env.events.query(q);
    if (req.query_param("format").value_or("") == "jsonl") {
      std::string out;
      for (const auto& e : events) out += core::Events::to_json(e) + "\n";
      return reply(HttpResponse::text(200, std::move(out), "application/x-ndjson"));
    }
    std::string out = "{\"events\":[";
    for (size_t i = 0; i < events.size(); ++i) out += (i ? "," : "") + core::Events::to_json(events[i]);
    out += "],\"lastSeq\":" + std::to_string(env.events.last_seq()) + "}";
    reply(HttpResponse::json(200, std::move(out)));
  });

  add("POST", "/_gcpsim/reset", [hooks_ptr](HttpRequest&, Reply reply) {
    hooks_ptr->reset([reply] { reply(ok_json(json::object())); });
  });

  add("POST", "/_gcpsim/snapshot/{action}", [hooks_ptr](HttpRequest& req, Reply reply) {
    auto body = json_body(req);
    if (!body.ok()) return reply(HttpResponse::error(body.status()));
    if (!body->contains("path") || !(*body)["path"].is_string() || (*body)["path"].get<std::string>().empty())
      return reply(bad("a snapshot request needs {\"path\": \"/some/file.db\"}"));
    std::string path = (*body)["path"];
    if (req.param("action") == "save") {
      auto st = hooks_ptr->save_snapshot(path);
      return reply(st.is_ok() ? ok_json({{"path", path}}) : HttpResponse::error(st));
    }
    if (req.param("action") == "load") {
      return hooks_ptr->load_snapshot(path, [reply, path](core::Status st) {
        reply(st.is_ok() ? ok_json({{"path", path}}) : HttpResponse::error(st));
      });
    }
    reply(HttpResponse::error(core::Status::not_found("unknown snapshot action '" + req.param("action") + "' (save or load)")));
  });
}

}  // namespace gcpsim::control
