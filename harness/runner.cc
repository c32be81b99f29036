// The scenario runner: a Session per run, steps through the step-kinds table, variables,
// captures, the failure report and the transcript.
#include "harness/runner.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include "core/stack.h"
#include "services/run/config.h"
#include "services/service.h"
#include "harness/faketime.h"
#include "harness/session.h"
#include "harness/step_kinds.h"
#include "harness/steps.h"

namespace gcpsim::harness {
namespace {

constexpr size_t kLastEvents = 12;

struct Failure {
  std::string headline, details;
};

// Event attributes that number things in the order real requests arrived (the router's
// trace ids and instance numbers, an HTTP stub's request numbers): left out of an unordered
// transcript.
constexpr std::array<const char*, 4> kArrivalOrderAttrs = {"trace", "instance", "spanId", "seq"};

// Everything one run accumulates: transcript lines and how far the events were copied.
// Unordered, events are kept aside and written last, sorted by time and then content,
// without their sequence numbers: requests that run at the same time have no defined order.
class Transcript {
 public:
  explicit Transcript(bool unordered) : unordered_(unordered) {}
  void line(const Json& j) { text_ += j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"; }
  void events(Session& s) {
    for (const auto& e : s.events_since(seq_)) {
      seq_ = e.seq;
      if (!unordered_) {
        text_ += core::Events::to_json(e) + "\n";
        continue;
      }
      Json j = Json::parse(core::Events::to_json(e));
      j.erase("seq");
      if (j.contains("attrs")) {
        for (const char* k : kArrivalOrderAttrs) j["attrs"].erase(k);
      }
      held_.emplace_back(j.value("time", ""), j.dump());
    }
  }
  // The whole transcript, ending with `last` (the result line).
  std::string take(const Json& last) {
    std::sort(held_.begin(), held_.end());
    for (const auto& [time, text] : held_) text_ += text + "\n";
    held_.clear();
    line(last);
    return std::move(text_);
  }

 private:
  bool unordered_;
  std::string text_;
  std::vector<std::pair<std::string, std::string>> held_;  // (time, event JSON)
  uint64_t seq_ = 0;
};

std::string summary(const Step& step, const Json& p) {
  auto get = [&p](const char* k) { return p.is_object() && p.contains(k) ? as_text(p[k]) : std::string(); };
  std::string s;
  if (step.kind == "http") s = get("method").empty() ? ((p.contains("json") || p.contains("body")) ? "POST " : "GET ") : get("method") + " ";
  if (step.kind == "http") s += (p.contains("service") ? get("service") + " " : "") + get("url") + get("path");
  else if (step.kind == "publish") s = get("topic");
  else if (step.kind == "pull") s = get("subscription");
  else if (step.kind == "gcs") s = get("op") + " " + get("bucket") + "/" + get("object");
  else if (step.kind == "secret") s = get("op") + " " + get("secret");
  else if (step.kind == "wait_for") s = p.contains("event") ? show(p["event"], 60) : p.contains("log") ? "log " + show(p["log"], 60) : "http " + show(p["http"], 60);
  else if (step.kind == "fault") s = show(p.value("match", Json::object()), 60);
  else if (!p.is_object()) s = as_text(p);
  if (!step.label.empty()) s = step.label;
  if (step.repeat) s += " (x" + std::to_string(step.repeat) + ")";
  return step.kind + (s.empty() ? "" : " " + s);
}

std::string last_events(Session& s) {
  auto events = s.events_since(0);
  size_t from = events.size() > kLastEvents ? events.size() - kLastEvents : 0;
  std::string out = events.empty() ? "" : "last events:\n";
  for (size_t i = from; i < events.size(); ++i) out += "  " + core::Events::to_json(events[i]) + "\n";
  return out;
}

// Substitutes, runs the kind, checks expect:, captures. Throws StepError; leaves
// mismatches in ctx.
void execute(StepContext& ctx, const StepKind& kind) {
  if (ctx.step.repeat > 0) return run_http_repeated(ctx);
  auto params = ctx.vars.substitute(ctx.step.params);
  if (!params.ok()) throw StepError{params.status().message()};
  auto expect = ctx.vars.substitute(ctx.step.expect);
  if (!expect.ok()) throw StepError{expect.status().message()};
  kind.run(ctx, *params);
  if (!kind.answers || ctx.step.kind == "wait_for") return;
  bool says_status = expect->is_object() && expect->contains("status");
  int status = ctx.response.value("status", 0);
  // http and websocket steps judge their own status (a websocket step checks its 101).
  if (ctx.step.kind != "http" && ctx.step.kind != "websocket" && !says_status && status / 100 != 2) ctx.mismatches.push_back({"status", "2xx", std::to_string(status)});
  if (expect->is_object()) check_expect(ctx, *expect, ctx.response);
  if (!ctx.mismatches.empty()) return;
  for (const auto& [name, path] : ctx.step.capture) {
    auto v = lookup_path(ctx.response, path);
    if (!v.ok()) throw StepError{"capture " + name + ": " + v.status().message()};
    ctx.vars.set(name, *v);
  }
}

std::optional<Failure> run_step(Session& session, Vars& vars, const Step& step, Transcript& t, std::string& label) {
  const StepKind& kind = *find_step_kind(step.kind);
  StepContext ctx(session, vars, step);
  auto params = vars.substitute(step.params);
  label = summary(step, params.ok() ? *params : step.params);
  std::optional<Failure> failure;
  try {
    execute(ctx, kind);
    if (!ctx.mismatches.empty()) failure = Failure{step.where() + ": " + headline(ctx.mismatches[0]), render_diff(ctx.mismatches)};
  } catch (const StepError& e) {
    failure = Failure{step.where() + ": " + e.message, e.details};
  }
  if (failure && ctx.response.is_object() && ctx.response.contains("status")) {
    failure->details += "response: " + std::to_string(ctx.response["status"].get<int>()) + " " + show(ctx.response["body"], 600) + "\n";
  }
  t.events(session);
  Json rec = {{"step", step.index}, {"kind", step.kind}, {"line", step.line},
              {"time", core::format_rfc3339(session.now())}, {"outcome", failure ? "fail" : "pass"}};
  for (auto it = ctx.record.begin(); it != ctx.record.end(); ++it) rec[it.key()] = it.value();
  t.line(rec);
  return failure;
}

// Names the steps use that the stack must declare: Run services for http/kill/restart.
std::optional<std::string> preflight(const Scenario& sc, const core::StackConfig& stack) {
  auto known = [&stack](const std::string& n) { return services::run::declares_service(stack, n); };
  for (const auto& name : sc.faketime) {
    // GROUP/PROCESS (a Compute Engine process) is checked when libfaketime is set up.
    if (!known(name) && name.find('/') == std::string::npos) return sc.file + ": faketime: no Cloud Run service or function '" + name + "' in the stack";
  }
  for (const auto& step : sc.steps) {
    std::string name;
    if (step.kind == "kill" || step.kind == "restart") name = as_text(step.params);
    if (step.kind == "http" && step.params.contains("service")) name = as_text(step.params["service"]);
    if (!name.empty() && name.find("${") == std::string::npos && !known(name)) {
      return step.where() + ": no Cloud Run service or function '" + name + "' in the stack";
    }
  }
  return std::nullopt;
}

core::StatusOr<core::StackConfig> stack_for(const Scenario& sc, const RunConfig& cfg) {
  std::string path = cfg.stack.empty() ? sc.stack : cfg.stack;
  if (path.empty()) return core::default_stack();
  return core::load_stack(path, services::stack_sections());
}

void print_step(const RunConfig& cfg, const Step& step, const std::string& label, bool ok) {
  if (!cfg.progress) return;
  const char* mark = cfg.color ? (ok ? "\033[32m✓\033[0m" : "\033[31m✗\033[0m") : (ok ? "ok  " : "FAIL");
  *cfg.progress << "  " << mark << " " << step.index << " " << label << "  (" << step.file << ":" << step.line << ")\n";
}

// The `requires:` services this build does not serve (from /_gcpsim/health).
std::string missing_services(Session& session, const std::vector<std::string>& needs) {
  if (needs.empty()) return "";
  Request r;
  r.target = "/_gcpsim/health";
  auto res = session.exchange(r, session.now());
  Json served = res.ok() ? response_json(*res)["body"].value("services", Json::array()) : Json::array();
  std::string missing;
  for (const auto& n : needs) {
    if (std::find(served.begin(), served.end(), Json(n)) == served.end()) missing += (missing.empty() ? "" : ", ") + n;
  }
  return missing;
}

Vars initial_vars(const Scenario& sc, const Session& session, uint64_t seed) {
  Vars vars;
  vars.set("project", session.stack().project);
  vars.set("region", session.stack().region);
  vars.set("endpoint", "http://127.0.0.1:" + std::to_string(session.port()));
  vars.set("seed", seed);
  vars.set("start_time", core::format_rfc3339(sc.start_time));
  for (const auto& [name, value] : sc.vars) {
    auto v = vars.substitute(value);
    vars.set(name, v.ok() ? *v : value);
  }
  return vars;
}

RunResult run_steps(const Scenario& sc, SessionOptions opts, const RunConfig& cfg) {
  RunResult result;
  uint64_t seed = opts.stack.seed;
  Session session(std::move(opts));
  if (auto st = session.start(); !st.is_ok()) {
    result.load_error = true;
    result.headline = sc.file + ": the emulator did not start: " + st.message();
    return result;
  }
  if (auto missing = missing_services(session, sc.needs); !missing.empty()) {
    result.passed = result.skipped = true;
    result.headline = sc.file + ": skipped: this build does not serve " + missing;
    return result;
  }
  Transcript t(sc.unordered_events);
  t.line({{"scenario", sc.name}, {"file", sc.file}, {"seed", seed}, {"start_time", core::format_rfc3339(sc.start_time)}});
  if (cfg.progress) *cfg.progress << sc.name << "  (" << sc.file << ", seed " << seed << ")\n";
  Vars vars = initial_vars(sc, session, seed);
  std::optional<Failure> failure;
  for (const auto& step : sc.steps) {
    std::string label;
    failure = run_step(session, vars, step, t, label);
    print_step(cfg, step, label, !failure);
    if (failure) break;
  }
  result.passed = !failure;
  if (failure) {
    result.headline = failure->headline;
    result.details = failure->details + last_events(session);
  }
  Json end = {{"result", result.passed ? "pass" : "fail"}};
  if (failure) end["failure"] = failure->headline;
  result.transcript = t.take(end);
  return result;
}

}  // namespace

RunResult run_scenario(const Scenario& sc, const RunConfig& cfg) {
  RunResult result;
  auto stack = stack_for(sc, cfg);
  auto load_failure = [&result](std::string message) {
    result.load_error = true;
    result.headline = std::move(message);
    return result;
  };
  if (!stack.ok()) return load_failure(stack.status().message());
  if (auto err = preflight(sc, *stack)) return load_failure(*err);
  if (cfg.seed) stack->seed = *cfg.seed;
  else if (sc.seed) stack->seed = *sc.seed;
  SessionOptions opts{*stack, sc.start_time, ""};
  std::string fake_dir;
  if (!sc.faketime.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gcpsim-faketime-XXXXXX").string();
    if (mkdtemp(tmpl.data())) fake_dir = tmpl;
    opts.faketime_file = fake_dir + "/now";
    if (auto err = enable_faketime(opts.stack, sc.faketime, opts.faketime_file)) {
      std::filesystem::remove_all(fake_dir);
      return load_failure(*err);
    }
  }
  result = run_steps(sc, std::move(opts), cfg);
  if (!fake_dir.empty()) std::filesystem::remove_all(fake_dir);
  return result;
}

RunResult judge(const std::string& expect_failure, RunResult r) {
  if (expect_failure.empty() || r.skipped) return r;
  if (!r.passed && r.headline.find(expect_failure) != std::string::npos) {
    r.passed = true;
    r.load_error = false;
    return r;
  }
  r.details = (r.passed ? "" : "it failed with: " + r.headline + "\n" + r.details);
  r.headline = r.passed ? "expected the scenario to fail with \"" + expect_failure + "\", but it passed"
                        : "expected a failure containing \"" + expect_failure + "\"";
  r.passed = false;
  r.load_error = false;
  return r;
}

}  // namespace gcpsim::harness
