// Steps that move virtual time or change the world: advance, wait_for, fault,
// clear_faults, kill, restart.
#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/stack_yaml.h"
#include "harness/steps.h"

namespace gcpsim::harness {
namespace {

constexpr core::Duration kDefaultWithin = std::chrono::minutes(5);
constexpr core::Duration kDefaultEvery = std::chrono::seconds(1);

// The event a wait_for waits for; `log:` is shorthand for the Run service's log events.
Json wanted_event(const Json& p) {
  if (p.contains("event")) return p["event"];
  const Json& log = p["log"];
  Json spec = {{"kind", "log"}};
  if (log.contains("service")) spec["service"] = log["service"];
  Json attrs = Json::object();
  for (auto it = log.begin(); it != log.end(); ++it) {
    if (it.key() != "service") attrs[it.key()] = it.value();
  }
  if (!attrs.empty()) spec["attrs"] = attrs;
  return spec;
}

void wait_for_event(StepContext& ctx, const Json& p, core::Time limit) {
  Json spec = wanted_event(p);
  int64_t want = int_param(p, "count", 1);
  int64_t seen = 0;
  uint64_t since = 0;
  auto cond = [&](core::Env& env) {
    core::EventQuery q;
    q.since_seq = since;
    for (const auto& e : env.events.query(q)) {
      since = e.seq;
      if (event_matches(spec, event_json(e))) ++seen;
    }
    return seen >= want;
  };
  auto ok = p.contains("hold") ? ctx.session.hold({cond, nullptr}, duration_param(p, "hold", {}))
                               : ctx.session.drive({cond, nullptr}, limit);
  if (!ok.ok()) throw StepError{ok.status().message()};
  ctx.record["seen"] = seen;
  if (!*ok) {
    std::string bound = p.contains("hold") ? " in " + as_text(p["hold"]) + " of real time, the clock held"
                                           : " within " + as_text(p.value("within", "5m"));
    ctx.mismatches.push_back({"event " + show(spec), "count >= " + std::to_string(want) + bound,
                              std::to_string(seen)});
  }
}

void wait_for_http(StepContext& ctx, const Json& p, core::Time limit) {
  auto every = duration_param(p, "every", kDefaultEvery);
  for (int attempt = 1;; ++attempt) {
    auto before = ctx.mismatches.size();
    run_http(ctx, p["http"]);
    check_expect(ctx, p.value("expect", Json::object()), ctx.response);
    ctx.record["attempts"] = attempt;
    if (ctx.mismatches.size() == before) return;
    auto next = ctx.session.now() + every;
    if (next > limit) return;  // the last attempt's mismatches stand
    ctx.mismatches.resize(before);
    auto moved = ctx.session.drive({}, next);
    if (!moved.ok()) throw StepError{moved.status().message()};
  }
}

core::FaultRule fault_rule(const Step& step, const Json& params) {
  namespace sf = core::stackfile;
  try {
    return sf::read_fault(sf::Field{YAML::Load(params.dump()), "fault", step.line, step.line});
  } catch (const sf::StackError& e) {
    throw StepError{e.message};
  } catch (const YAML::Exception& e) {
    throw StepError{"fault: " + e.msg};
  }
}

std::string control_target(const std::string& name, const std::string& verb) {
  return "/_gcpsim/run/" + net::percent_encode(name) + ":" + verb;
}

// POST /_gcpsim/run/NAME:VERB (the Cloud Run service's control route).
void run_control(StepContext& ctx, const std::string& name, const std::string& verb) {
  Request r;
  r.method = "POST";
  r.target = control_target(name, verb);
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = "{}";
  auto res = ctx.call(std::move(r), kDefaultWithin);
  ctx.record["status"] = res.status;
  if (res.status / 100 != 2) {
    throw StepError{verb + " " + name + ": " + control_target(name, verb) + " answered " + std::to_string(res.status) + " " +
                    show(ctx.response["body"], 200)};
  }
}

}  // namespace

void run_advance(StepContext& ctx, const Json& params) {
  auto d = core::parse_duration(as_text(params));
  if (!d || *d < core::Duration::zero()) throw StepError{"advance: expected a duration like '30s', got " + show(params)};
  auto limit = ctx.session.now() + *d;
  auto moved = ctx.session.drive({}, limit);
  if (!moved.ok()) throw StepError{moved.status().message()};
}

void run_wait_for(StepContext& ctx, const Json& params) {
  auto limit = ctx.session.now() + duration_param(params, "within", kDefaultWithin);
  if (params.contains("http")) return wait_for_http(ctx, params, limit);
  wait_for_event(ctx, params, limit);
}

void run_fault(StepContext& ctx, const Json& params) {
  auto rule = fault_rule(ctx.step, params);
  ctx.record["fault"] = ctx.session.on_engine([&rule](core::Env& env) { return env.faults.add(rule); });
}

void run_clear_faults(StepContext& ctx, const Json& params) {
  if (!params.is_array()) {
    ctx.session.on_engine([](core::Env& env) { env.faults.clear(); });
    return;
  }
  for (const auto& id : params) {
    std::string name = as_text(id);
    bool removed = ctx.session.on_engine([&name](core::Env& env) { return env.faults.remove(name); });
    if (!removed) throw StepError{"clear_faults: no fault rule '" + name + "'"};
  }
}

void run_kill(StepContext& ctx, const Json& params) { run_control(ctx, as_text(params), "kill"); }
void run_restart(StepContext& ctx, const Json& params) { run_control(ctx, as_text(params), "restart"); }

}  // namespace gcpsim::harness
