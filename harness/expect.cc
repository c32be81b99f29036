// Expectations: on a step's response (status, json, body, headers, messages, value) and on
// the emulator's state (events, events_in_order, logs, object, secret).
#include "core/events.h"
#include "harness/steps.h"

namespace gcpsim::harness {
namespace {

constexpr core::Duration kFetchTimeout = std::chrono::minutes(1);

bool kind_matches(const std::string& pattern, const std::string& kind) {
  if (!pattern.empty() && pattern.back() == '*') return kind.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  return pattern == kind;
}

std::vector<Json> all_events(StepContext& ctx) {
  std::vector<Json> out;
  for (const auto& e : ctx.session.events_since(0)) out.push_back(event_json(e));
  return out;
}

// `logs:` entries are shorthand for log events: {service, message, severity, count}.
Json log_spec(const Json& entry) {
  Json spec = {{"kind", "log"}};
  Json attrs = Json::object();
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (it.key() == "service" || it.key() == "count") spec[it.key()] = it.value();
    else attrs[it.key()] = it.value();
  }
  if (!attrs.empty()) spec["attrs"] = attrs;
  return spec;
}

Json without_count(Json spec) {
  spec.erase("count");
  return spec;
}

void expect_events(StepContext& ctx, const Json& specs, const std::string& key) {
  auto events = all_events(ctx);
  for (size_t i = 0; i < specs.size(); ++i) {
    Json spec = key == "logs" ? log_spec(specs[i]) : specs[i];
    int64_t n = 0;
    for (const auto& e : events) n += event_matches(spec, e) ? 1 : 0;
    Json want = spec.contains("count") ? spec["count"] : Json{{"gte", 1}};
    std::vector<Mismatch> ms;
    match(want, Json(n), "", ms);
    if (!ms.empty()) {
      ctx.mismatches.push_back({key + "[" + std::to_string(i) + "] " + show(without_count(spec)) + " count",
                                ms[0].expected, std::to_string(n)});
    }
  }
}

void expect_events_in_order(StepContext& ctx, const Json& specs) {
  auto events = all_events(ctx);
  size_t from = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    size_t at = from;
    while (at < events.size() && !event_matches(specs[i], events[at])) ++at;
    if (at == events.size()) {
      std::string after = i == 0 ? "" : " after event #" + events[from - 1]["seq"].dump();
      ctx.mismatches.push_back({"events_in_order[" + std::to_string(i) + "]", show(specs[i]) + after, "none"});
      return;
    }
    from = at + 1;
  }
}

Response fetch(StepContext& ctx, const std::string& target) {
  Request r;
  r.target = target;
  auto res = ctx.session.exchange(std::move(r), ctx.session.now() + kFetchTimeout);
  if (!res.ok()) throw StepError{res.status().message()};
  return *res;
}

// {bucket, object, body?, json? (metadata subset), absent?}
void expect_object(StepContext& ctx, const Json& spec) {
  std::string b = text_param(spec, "bucket"), o = text_param(spec, "object");
  std::string where = "object gs://" + b + "/" + o;
  std::string base = "/storage/v1/b/" + net::percent_encode(b) + "/o/" + net::percent_encode(o);
  auto meta = fetch(ctx, base);
  bool absent = bool_param(spec, "absent", false);
  if (absent || meta.status != 200) {
    if (absent != (meta.status == 404)) {
      ctx.mismatches.push_back({where, absent ? "absent" : "to exist", "status " + std::to_string(meta.status)});
    }
    return;
  }
  if (spec.contains("json")) match(spec["json"], response_json(meta)["body"], where + " metadata", ctx.mismatches);
  if (spec.contains("body")) match(spec["body"], Json(fetch(ctx, base + "?alt=media").body), where + " body", ctx.mismatches);
}

// {secret, version?, value?, absent?}
void expect_secret(StepContext& ctx, const Json& spec) {
  std::string s = text_param(spec, "secret"), v = text_param(spec, "version", "latest");
  std::string where = "secret " + s + "/" + v;
  auto res = fetch(ctx, "/v1/projects/" + ctx.project() + "/secrets/" + net::percent_encode(s) + "/versions/" +
                            net::percent_encode(v) + ":access");
  bool absent = bool_param(spec, "absent", false);
  if (absent || res.status != 200) {
    if (absent != (res.status == 404)) {
      ctx.mismatches.push_back({where, absent ? "absent" : "to exist", "status " + std::to_string(res.status)});
    }
    return;
  }
  Json body = response_json(res)["body"];
  std::string value = base64_decode(body.is_object() ? body["payload"].value("data", "") : "");
  if (spec.contains("value")) match(spec["value"], Json(value), where + " value", ctx.mismatches);
}

void expect_on_response(StepContext& ctx, const std::string& key, const Json& want, const Json& response) {
  if (key == "json") {
    const Json& body = response["body"];
    if (!body.is_object() && !body.is_array()) {
      ctx.mismatches.push_back({"json", "a JSON body", show(response["text"])});
      return;
    }
    return match(want, body, "json", ctx.mismatches);
  }
  if (key == "headers") {
    for (auto it = want.begin(); it != want.end(); ++it) {
      std::string name = it.key();
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      bool has = response["headers"].contains(name);
      match(it.value(), has ? response["headers"][name] : Json(), has, "header " + name, ctx.mismatches);
    }
    return;
  }
  const char* field = key == "body" ? "text" : key.c_str();
  bool has = response.contains(field);
  match(want, has ? response[field] : Json(), has, key, ctx.mismatches);
}

}  // namespace

Json event_json(const core::Event& e) { return Json::parse(core::Events::to_json(e)); }

bool event_matches(const Json& spec, const Json& event) {
  if (spec.contains("kind") && !kind_matches(as_text(spec["kind"]), event.value("kind", ""))) return false;
  if (spec.contains("service") && as_text(spec["service"]) != event.value("service", "")) return false;
  std::vector<Mismatch> ms;
  if (spec.contains("time")) match(spec["time"], event.value("time", Json()), "", ms);
  if (spec.contains("attrs")) match(spec["attrs"], event.value("attrs", Json::object()), "", ms);
  return ms.empty();
}

bool is_state_expectation(const std::string& key) {
  return key == "events" || key == "logs" || key == "events_in_order" || key == "object" || key == "secret" || key == "stub";
}

void check_expect(StepContext& ctx, const Json& expect, const Json& response) {
  for (auto it = expect.begin(); it != expect.end(); ++it) {
    const std::string& key = it.key();
    if (key == "events" || key == "logs") expect_events(ctx, it.value(), key);
    else if (key == "events_in_order") expect_events_in_order(ctx, it.value());
    else if (key == "object") expect_object(ctx, it.value());
    else if (key == "secret") expect_secret(ctx, it.value());
    else if (key == "stub") expect_stub(ctx, it.value());
    else if (check_backing_expect(ctx, key, it.value())) continue;
    else if (response.is_null()) throw StepError{"expect: '" + key + "' needs a step with a response"};
    else expect_on_response(ctx, key, it.value(), response);
  }
}

void run_expect(StepContext& ctx, const Json& params) { check_expect(ctx, params, Json()); }

}  // namespace gcpsim::harness
