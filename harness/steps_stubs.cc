// HTTP stubs in scenarios: the `stub` step declares a stub or adds routes to one, and the
// `stub` expectation checks what a stub received (count, order, method, path, headers, body);
// the `hmac` step signs a payload as a webhook sender would.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "harness/steps.h"

namespace gcpsim::harness {
namespace {

Request control_request(std::string method, std::string target, const Json& body = Json()) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  if (!body.is_null()) {
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = body.dump();
  }
  return r;
}

// A received request as a `requests:` entry is matched against it.
Json as_seen(const Json& r) {
  Json out = {{"method", r.value("method", "")}, {"path", r.value("path", "")}, {"query", r.value("query", Json::object())},
              {"headers", r.value("headers", Json::object())}, {"body", r.value("body", "")},
              {"route", r.value("route", Json())}, {"status", r.value("status", 0)}};
  if (r.contains("json")) out["json"] = r["json"];
  return out;
}

}  // namespace

// {name, kind?, routes: [...], rules: [...]}: a new stub, or more routes for an existing one.
void run_stub(StepContext& ctx, const Json& p) {
  std::string name = text_param(p, "name");
  std::string base = "/_gcpsim/stubs/" + net::percent_encode(name);
  auto existing = ctx.session.exchange(control_request("GET", base), ctx.session.now() + std::chrono::minutes(1));
  if (!existing.ok()) throw StepError{existing.status().message()};
  if (existing->status == 404) {
    Json body = p;
    body["name"] = name;
    ctx.call_ok(control_request("POST", "/_gcpsim/stubs", body), "declaring stub " + name);
  } else {
    for (const auto& route : p.value("routes", Json::array())) ctx.call_ok(control_request("POST", base + "/routes", route), "adding a route to stub " + name);
    for (const auto& rule : p.value("rules", Json::array())) ctx.call_ok(control_request("POST", base + "/rules", rule), "adding a rule to stub " + name);
  }
  ctx.record["stub"] = name;
}

// {name, route?, path?, count?, requests: [{method, path, query, headers, json, body}, …]}:
// the stub's received requests (those the route answered, or on that path), counted, and
// the i-th one matched by the i-th entry, in order.
void expect_stub(StepContext& ctx, const Json& spec) {
  std::string name = text_param(spec, "name");
  std::string target = "/_gcpsim/stubs/" + net::percent_encode(name) + "/requests";
  if (spec.contains("route")) target += "?route=" + net::percent_encode(text_param(spec, "route"));
  auto res = ctx.session.exchange(control_request("GET", target), ctx.session.now() + std::chrono::minutes(1));
  if (!res.ok()) throw StepError{res.status().message()};
  if (res->status != 200) {
    ctx.mismatches.push_back({"stub " + name, "a declared stub", "status " + std::to_string(res->status)});
    return;
  }
  std::vector<Json> seen;
  for (const auto& r : response_json(*res)["body"].value("requests", Json::array())) {
    if (spec.contains("path") && r.value("path", "") != text_param(spec, "path")) continue;
    seen.push_back(as_seen(r));
  }
  std::string where = "stub " + name;
  if (spec.contains("count")) match(spec["count"], Json(seen.size()), where + " count", ctx.mismatches);
  const Json wanted = spec.value("requests", Json::array());
  for (size_t i = 0; i < wanted.size(); ++i) {
    std::string at = where + " requests[" + std::to_string(i) + "]";
    if (i >= seen.size()) {
      ctx.mismatches.push_back({at, show(wanted[i]), "no request (" + std::to_string(seen.size()) + " received)"});
      continue;
    }
    Json want = wanted[i];
    if (want.contains("headers") && want["headers"].is_object()) {  // header names as received: lower case
      Json lowered = Json::object();
      for (auto it = want["headers"].begin(); it != want["headers"].end(); ++it) {
        std::string k = it.key();
        std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
        lowered[k] = it.value();
      }
      want["headers"] = lowered;
    }
    match(want, seen[i], at, ctx.mismatches);
  }
}

// {key, text}: answers {value: hex HMAC-SHA256 of text under key, base64: text in base64}
// (the form Cloud Tasks' httpRequest.body takes), for webhook signatures.
void run_hmac(StepContext& ctx, const Json& p) {
  std::string key = text_param(p, "key"), text = text_param(p, "text");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
       digest, &len);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += std::string{kHex[digest[i] >> 4], kHex[digest[i] & 15]};
  ctx.response = {{"status", 200}, {"value", hex}, {"base64", base64_encode(text)}};
}

}  // namespace gcpsim::harness
