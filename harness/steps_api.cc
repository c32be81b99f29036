// Steps that call the emulated APIs the way a client would: http, publish, pull, gcs,
// secret. Each leaves its response for expect:/capture:.

#include <algorithm>

#include "harness/step_context.h"
#include "harness/steps.h"
#include "services/run/config.h"

namespace gcpsim::harness {
namespace {

constexpr int kShownCopies = 3;  // of a repeated step's failing copies, shown in full

std::string enc(const std::string& s) { return net::percent_encode(s); }

Request json_request(std::string method, std::string target, const Json& body) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}

// The base URL of a Cloud Run service or function: its stable port from the stack file, or
// the URL its run.service.ready event announced when the stack left the port to gcpsim.
std::string service_url(StepContext& ctx, const std::string& name) {
  const auto& st = ctx.session.stack();
  std::optional<int> port = services::run::service_port(st, name);
  if (port) return "http://127.0.0.1:" + std::to_string(*port);
  std::string url;
  for (const auto& e : ctx.session.events_since(0)) {
    auto it = e.attrs.find("url");
    const std::string* u = it == e.attrs.end() ? nullptr : std::get_if<std::string>(&it->second);
    if (e.kind == "run.service.ready" && e.service == name && u) url = *u;
  }
  if (url.empty()) throw StepError{"service '" + name + "' has no URL yet (no run.service.ready event; set run." + name + ".port)"};
  return url;
}

std::string query_string(const Json& q) {
  std::string out;
  if (!q.is_object()) return out;
  for (auto it = q.begin(); it != q.end(); ++it) {
    out += (out.empty() ? "?" : "&") + enc(it.key()) + "=" + enc(as_text(it.value()));
  }
  return out;
}

// Data as the scenario wrote it: `data: text` or `json: {...}` (serialized).
std::string payload(const Json& p) {
  if (p.contains("json")) return p["json"].dump();
  return text_param(p, "data");
}

Json pubsub_message(const Json& p) {
  Json m = {{"data", base64_encode(payload(p))}};
  if (p.contains("attributes")) {
    Json attrs = Json::object();
    for (auto it = p["attributes"].begin(); it != p["attributes"].end(); ++it) attrs[it.key()] = as_text(it.value());
    m["attributes"] = attrs;
  }
  if (p.contains("ordering_key")) m["orderingKey"] = text_param(p, "ordering_key");
  return m;
}

// A pulled message as expectations see it: data decoded, names as Pub/Sub spells them.
Json pulled(const Json& received) {
  const Json& m = received.value("message", Json::object());
  Json out = {{"data", base64_decode(m.value("data", ""))},
              {"attributes", m.value("attributes", Json::object())},
              {"messageId", m.value("messageId", "")},
              {"orderingKey", m.value("orderingKey", "")},
              {"publishTime", m.value("publishTime", "")},
              {"ackId", received.value("ackId", "")}};
  if (received.contains("deliveryAttempt")) out["deliveryAttempt"] = received["deliveryAttempt"];
  return out;
}

}  // namespace

// The request an http step's (substituted) value describes.
Request http_request(StepContext& ctx, const Json& p) {
  Request r;
  bool has_body = p.contains("json") || p.contains("body") || p.contains("body_size");
  r.method = text_param(p, "method", has_body ? "POST" : "GET");
  if (p.contains("service")) {
    r.run_service = text_param(p, "service");
    r.url = service_url(ctx, r.run_service);
  }
  if (p.contains("url")) r.url = text_param(p, "url");
  if (p.contains("source")) r.source = text_param(p, "source");
  // A url may carry its own path: no path then adds nothing to it ("/" only for the edge).
  r.target = text_param(p, "path", p.contains("url") ? "" : "/") + query_string(p.value("query", Json::object()));
  if (p.contains("headers")) {
    for (auto it = p["headers"].begin(); it != p["headers"].end(); ++it) r.headers.emplace_back(it.key(), as_text(it.value()));
  }
  if (p.contains("stub")) r.headers.emplace_back("Host", text_param(p, "stub") + ".stub.localhost");  // the edge routes by Host
  if (p.contains("json")) {
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = p["json"].dump();
  } else if (p.contains("body")) {
    r.body = text_param(p, "body");
  }
  // body_size: N bytes, the body's text repeated ("x" without one), for size limits.
  if (p.contains("body_size")) {
    std::string unit = r.body.empty() ? "x" : r.body;
    auto n = static_cast<size_t>(p["body_size"].get<int64_t>());
    r.body.clear();
    r.body.reserve(n);
    while (r.body.size() < n) r.body.append(unit, 0, std::min(unit.size(), n - r.body.size()));
  }
  return r;
}

void run_http(StepContext& ctx, const Json& p) {
  auto res = ctx.call(http_request(ctx, p), duration_param(p, "timeout", kStepTimeout));
  ctx.record["status"] = res.status;
}

void run_http_repeated(StepContext& ctx) {
  const Step& step = ctx.step;
  std::vector<Request> requests;
  std::vector<Json> expects;
  core::Duration timeout = kStepTimeout;
  for (int i = 1; i <= step.repeat; ++i) {
    Vars vars = ctx.vars;
    vars.set("i", i);
    auto params = vars.substitute(step.params);
    if (!params.ok()) throw StepError{params.status().message()};
    auto expect = vars.substitute(step.expect);
    if (!expect.ok()) throw StepError{expect.status().message()};
    timeout = duration_param(*params, "timeout", kStepTimeout);
    requests.push_back(http_request(ctx, *params));
    expects.push_back(std::move(*expect));
  }
  auto responses = ctx.session.exchange_all(std::move(requests), ctx.session.now() + timeout);
  if (!responses.ok()) throw StepError{responses.status().message()};
  // Each copy's response against the response keys of its expect:, the emulator's state once.
  Json statuses = Json::object();
  int failed = 0;
  for (size_t k = 0; k < responses->size(); ++k) {
    const Response& res = (*responses)[k];
    if (res.status == 0) throw StepError{"copy i=" + std::to_string(k + 1) + ": no HTTP answer: " + res.error};
    std::string code = std::to_string(res.status);
    statuses[code] = statuses.value(code, 0) + 1;
    Json on_response = Json::object();
    for (auto it = expects[k].begin(); expects[k].is_object() && it != expects[k].end(); ++it) {
      if (!is_state_expectation(it.key())) on_response[it.key()] = it.value();
    }
    std::vector<Mismatch> mine;
    std::swap(mine, ctx.mismatches);
    ctx.response = response_json(res);
    check_expect(ctx, on_response, ctx.response);
    std::swap(mine, ctx.mismatches);
    if (mine.empty()) continue;
    // The first failing copies are shown in full; the rest are counted.
    if (++failed <= kShownCopies) {
      for (auto& m : mine) ctx.mismatches.push_back({"copy i=" + std::to_string(k + 1) + " " + m.path, m.expected, m.actual});
    }
  }
  if (failed > kShownCopies) {
    ctx.mismatches.push_back({"copies", "every copy to pass", std::to_string(failed) + " of " + std::to_string(step.repeat) + " failed"});
  }
  Json on_state = Json::object();
  for (auto it = expects[0].begin(); expects[0].is_object() && it != expects[0].end(); ++it) {
    if (is_state_expectation(it.key())) on_state[it.key()] = it.value();
  }
  check_expect(ctx, on_state, Json());
  ctx.record["repeat"] = step.repeat;
  ctx.record["statuses"] = statuses;
}

void run_publish(StepContext& ctx, const Json& p) {
  Json messages = Json::array();
  if (p.contains("messages")) {
    for (const auto& m : p["messages"]) messages.push_back(pubsub_message(m));
  } else {
    messages.push_back(pubsub_message(p));
  }
  std::string topic = text_param(p, "topic");
  auto target = "/v1/projects/" + ctx.project() + "/topics/" + enc(topic) + ":publish";
  ctx.call(json_request("POST", target, {{"messages", messages}}), duration_param(p, "timeout", kStepTimeout));
  ctx.record["status"] = ctx.response["status"];
}

void run_pull(StepContext& ctx, const Json& p) {
  std::string sub = "/v1/projects/" + ctx.project() + "/subscriptions/" + enc(text_param(p, "subscription"));
  Json req = {{"maxMessages", int_param(p, "max", 100)}, {"returnImmediately", true}};
  ctx.call(json_request("POST", sub + ":pull", req), duration_param(p, "timeout", kStepTimeout));
  if (ctx.response["status"] != 200) return;  // expect: judges it
  Json body = ctx.response["body"];
  Json messages = Json::array();
  Json ack_ids = Json::array();
  for (const auto& rm : body.value("receivedMessages", Json::array())) {
    messages.push_back(pulled(rm));
    ack_ids.push_back(rm.value("ackId", ""));
  }
  Json response = ctx.response;
  response["messages"] = messages;
  if (bool_param(p, "ack", true) && !ack_ids.empty()) {
    ctx.call_ok(json_request("POST", sub + ":acknowledge", {{"ackIds", ack_ids}}), "acknowledge");
  }
  ctx.response = response;
  ctx.record["messages"] = messages.size();
}

void run_gcs(StepContext& ctx, const Json& p) {
  std::string op = text_param(p, "op");
  std::string bucket = enc(text_param(p, "bucket"));
  std::string object = enc(text_param(p, "object"));
  Request r;
  if (op == "upload") {
    r.method = "POST";
    r.target = "/upload/storage/v1/b/" + bucket + "/o?uploadType=media&name=" + object;
    r.headers.emplace_back("Content-Type", text_param(p, "content_type", p.contains("json") ? "application/json" : "text/plain"));
    r.body = payload(p);
  } else if (op == "download") {
    r.target = "/storage/v1/b/" + bucket + "/o/" + object + "?alt=media";
  } else if (op == "get" || op == "delete") {
    r.method = op == "get" ? "GET" : "DELETE";
    r.target = "/storage/v1/b/" + bucket + "/o/" + object;
  } else {
    throw StepError{"gcs op must be upload, download, get or delete, got '" + op + "'"};
  }
  auto res = ctx.call(std::move(r), duration_param(p, "timeout", kStepTimeout));
  if (op == "download") ctx.response["body"] = res.body;  // the object's bytes, never parsed
  ctx.record["status"] = res.status;
}

void run_secret(StepContext& ctx, const Json& p) {
  std::string op = text_param(p, "op");
  std::string secret = text_param(p, "secret");
  std::string base = "/v1/projects/" + ctx.project() + "/secrets";
  auto timeout = duration_param(p, "timeout", kStepTimeout);
  if (op == "create") {
    Json body = {{"replication", {{"automatic", Json::object()}}}};
    ctx.call(json_request("POST", base + "?secretId=" + enc(secret), body), timeout);
  } else if (op == "add") {
    Json body = {{"payload", {{"data", base64_encode(payload(p))}}}};
    ctx.call(json_request("POST", base + "/" + enc(secret) + ":addVersion", body), timeout);
  } else if (op == "access") {
    Request r;
    r.target = base + "/" + enc(secret) + "/versions/" + enc(text_param(p, "version", "latest")) + ":access";
    ctx.call(std::move(r), timeout);
    const Json& body = ctx.response["body"];
    if (body.is_object() && body.contains("payload")) {
      ctx.response["value"] = base64_decode(body["payload"].value("data", ""));
    }
  } else {
    throw StepError{"secret op must be create, add or access, got '" + op + "'"};
  }
  ctx.record["status"] = ctx.response["status"];
}

}  // namespace gcpsim::harness
