// Specification of HTTP stubs: route matching and near misses, templates, sequences, the
// stack-file section, and the built-in OpenAI API's deterministic answers.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/stack.h"
#include "services/gemini/config.h"
#include "services/stubs/config.h"
#include "services/stubs/openai.h"
#include "services/stubs/stubs.h"
#include "services/stubs/template.h"

namespace stubs_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::stubs;

namespace {

Route route(const std::string& json) {
  auto r = route_from_json(Json::parse(json), [](const std::string& p) { return "/base/" + p; });
  INFO(r.status().message());
  REQUIRE(r.ok());
  return std::move(r).value();
}

Incoming request(std::string method, std::string path, std::string body = "",
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  Incoming in;
  in.method = std::move(method);
  in.path = std::move(path);
  in.body = std::move(body);
  in.headers = std::move(headers);
  if (!in.body.empty()) {
    auto j = Json::parse(in.body, nullptr, false);
    if (!j.is_discarded()) in.json = j;
  }
  return in;
}

std::string route_error(const std::string& json) {
  auto r = route_from_json(Json::parse(json), [](const std::string& p) { return p; });
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

core::StatusOr<core::StackConfig> stack(const std::string& yaml) {
  return core::parse_stack(yaml, "gcpsim.yaml", "/srv/app", {stack_section()});
}

double cosine(const Json& a, const Json& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i].get<double>() * b[i].get<double>();
    na += a[i].get<double>() * a[i].get<double>();
    nb += b[i].get<double>() * b[i].get<double>();
  }
  return dot / std::sqrt(na * nb);
}

}  // namespace

TEST_CASE("a stub route matches method, path parameters, query, headers and body") {
  Route r = route(R"({"match": {"method": "post", "path": "/users/{id}/orders", "query": {"page": "2"},
                                "headers": {"X-Api-Key": {"regex": "^k-"}},
                                "body": {"json": {"item": {"sku": "A1"}}, "jsonpath": {"$.tags[1]": "red"}}},
                      "reply": {"status": 201}})");
  Incoming in = request("POST", "/users/42/orders", R"({"item": {"sku": "A1", "n": 2}, "tags": ["big", "red"]})",
                        {{"x-api-key", "k-123"}});
  in.query = {{"page", "2"}};
  std::map<std::string, std::string> params;
  CHECK(mismatches(r.match, in, params).empty());
  CHECK(params.at("id") == "42");

  Incoming other = request("GET", "/users/42", "{}", {});
  auto why = mismatches(r.match, other, params);
  REQUIRE(why.size() == 6);
  CHECK(why[0] == "method: expected POST, got GET");
  CHECK(why[1] == "path: expected /users/{id}/orders, got /users/42");
  CHECK(why[2] == "query page: expected '2', got nothing");
  CHECK(why[3] == "header x-api-key: expected /^k-/, got nothing");
  CHECK(why[4] == R"(body: JSON does not contain {"item":{"sku":"A1"}})");
  CHECK(why[5] == R"(body $.tags[1]: expected "red", got nothing)");
}

TEST_CASE("a stub route matches a path regex, a body regex and a GraphQL operation name") {
  Route r = route(R"({"match": {"path_regex": "^/v([0-9]+)/graphql$", "body": {"graphql": "GetTokens", "regex": "tokens"}},
                      "reply": {"json": {"version": "{{path.1}}"}}})");
  std::map<std::string, std::string> params;
  auto in = request("POST", "/v2/graphql", R"({"operationName": "GetTokens", "query": "query GetTokens { tokens }"})");
  CHECK(mismatches(r.match, in, params).empty());
  CHECK(params.at("1") == "2");
  auto wrong = request("POST", "/v2/graphql", R"({"operationName": "GetPools", "query": "{ pools }"})");
  auto why = mismatches(r.match, wrong, params);
  REQUIRE(why.size() == 2);
  CHECK(why[0] == "body: does not match /tokens/");
  CHECK(why[1] == "body operationName: expected 'GetTokens', got 'GetPools'");
}

TEST_CASE("stub replies are templated from the request, the call count and the virtual time") {
  Incoming in = request("POST", "/users/7", R"({"name": "Ada", "tags": [1, 2]})", {{"x-trace", "t-1"}});
  in.query = {{"q", "x y"}};
  std::map<std::string, std::string> params = {{"id", "7"}};
  TemplateContext ctx{in, params, 3, core::from_seconds(1767225600)};
  CHECK(render("{{method}} {{path}} id={{path.id}} q={{query.q}} t={{ headers.x-trace }} n={{body.name}} c={{count}}", ctx) ==
        "POST /users/7 id=7 q=x y t=t-1 n=Ada c=3");
  CHECK(render("at {{now}} {{unknown}}", ctx) == "at 2026-01-01T00:00:00Z {{unknown}}");
  Json out = render_json(Json::parse(R"({"tags": "{{body.tags}}", "n": "{{count}}", "s": "id-{{path.id}}"})"), ctx);
  CHECK(out.dump() == R"({"tags":[1,2],"n":3,"s":"id-7"})");
}

TEST_CASE("a stub answers a sequence, then keeps its last reply, and unmatched requests get near misses") {
  StubsConfig config;
  StubDecl d;
  d.name = "tavily";
  d.routes.push_back(route(R"({"id": "search", "match": {"method": "POST", "path": "/search"},
                               "replies": [{"status": 500, "times": 2}, {"json": {"call": "{{count}}"}}]})"));
  d.routes.push_back(route(R"({"id": "extract", "match": {"method": "POST", "path": "/extract", "body": {"json": {"urls": []}}},
                               "reply": {"text": "ok"}})"));
  config.stubs.push_back(d);
  StubSet set(1, config);
  Stub& s = *set.find("tavily");
  Json near;
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) statuses.push_back(set.decide(s, request("POST", "/search"), {}, near)->status);
  CHECK(statuses == std::vector<int>{500, 500, 200, 200});
  CHECK(set.decide(s, request("POST", "/search"), {}, near)->body == R"({"call":5})");

  REQUIRE_FALSE(set.decide(s, request("GET", "/extract"), {}, near));
  REQUIRE(near.size() == 2);
  CHECK(near[0]["route"] == "extract");
  CHECK(near[0]["mismatches"].dump() == R"x(["method: expected POST, got GET","body: not JSON (expected to contain {\"urls\":[]})"])x");
  CHECK(near[1]["route"] == "search");
}

TEST_CASE("bad stub routes are refused naming the key") {
  CHECK(route_error(R"({"match": {"path": "users"}, "reply": {}})") ==
        "match.path: expected a path starting with '/', such as /users/{id}");
  CHECK(route_error(R"({"match": {"headers": {"a": {"regex": "("}}}, "reply": {}})").rfind("match.headers.a: invalid regular expression '('", 0) == 0);
  CHECK(route_error(R"({"reply": {"status": 99}})") == "reply.status: expected an HTTP status between 100 and 599");
  CHECK(route_error(R"({"reply": {"json": 1, "text": "x"}})") == "reply: set at most one of json, text, file, stream");
  CHECK(route_error(R"({"match": {}})") == "a route needs a reply (or replies)");
}

TEST_CASE("the stubs section of the stack file declares stubs, ports and OpenAI rules, with errors at their line") {
  auto s = stack(R"(stubs:
  tavily:
    port: 9310
    routes:
      - match: {method: POST, path: /search}
        reply: {json: {results: []}, delay: 2s}
      - match: {path: /page}
        reply: {file: pages/a.html}
  openai:
    kind: openai
    api_key: sk-test
    rules:
      - match: {model: gpt-4o-mini, prompt: "(?i)hello"}
        reply: {text: Hi there}
      - match: {prompt: slowly}
        reply: {text: One at a time, every: 500ms}
)");
  INFO(s.status().message());
  REQUIRE(s.ok());
  const auto* c = s->section<StubsConfig>("stubs");
  REQUIRE(c);
  REQUIRE(c->stubs.size() == 2);
  CHECK(c->stubs[0].name == "tavily");
  CHECK(c->stubs[0].port == 9310);
  CHECK(c->stubs[0].routes[0].replies[0].delay == std::chrono::seconds(2));
  CHECK(c->stubs[0].routes[1].replies[0].text == "/srv/app/pages/a.html");
  CHECK(c->stubs[1].kind == "openai");
  REQUIRE(c->stubs[1].rules.size() == 2);
  CHECK(c->stubs[1].rules[1].reply.every == std::chrono::milliseconds(500));
  CHECK(services::gemini::rule_to_json(c->stubs[1].rules[1])["reply"]["every"] == "0.500s");
  // Gemini's own rules stream unpaced: `every` is not one of their keys.
  auto g = core::parse_stack("gemini:\n  rules:\n    - reply: {text: x, every: 1s}\n", "gcpsim.yaml", "/srv/app",
                             {services::gemini::stack_section()});
  REQUIRE_FALSE(g.ok());
  CHECK_THAT(g.status().message(), Catch::Contains("gcpsim.yaml:3") && Catch::Contains("every"));

  CHECK(stack("stubs:\n  a:\n    routes:\n      - match:\n          method: 5\n        reply: {}\n").status().message() ==
        "gcpsim.yaml:5: stubs.a.routes[0].match.method: expected a string such as POST");
  CHECK(stack("stubs:\n  Bad_Name: {}\n").status().message() ==
        "gcpsim.yaml:2: stubs.Bad_Name: a stub name is lowercase letters, digits and hyphens (it becomes NAME.stub.localhost)");
  CHECK(stack("stubs:\n  a: {rules: []}\n").status().message() == "gcpsim.yaml:2: stubs.a.rules: applies only to a stub of kind openai");
}

TEST_CASE("the OpenAI stub answers chat deterministically, with schema-valid tools and JSON, limits and usage") {
  openai::OpenAi api(7, {});
  Json req = {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", "Plan the week"}}}}, {"n", 2}};
  auto a = api.chat(req, core::from_seconds(1767225600));
  REQUIRE_FALSE(a.error);
  CHECK(a.body.dump() == api.chat(req, core::from_seconds(1767225600)).body.dump());
  CHECK(a.body["choices"].size() == 2);
  CHECK(a.body["created"] == 1767225600);
  CHECK(a.body["choices"][0]["finish_reason"] == "stop");
  CHECK(a.body["usage"]["total_tokens"] == a.body["usage"]["prompt_tokens"].get<int>() + a.body["usage"]["completion_tokens"].get<int>());
  CHECK(openai::OpenAi(8, {}).chat(req, {}).body["choices"][0] != a.body["choices"][0]);

  Json tools = Json::parse(R"({"model": "gpt-4o", "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
    "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
      "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}}, "required": ["city", "unit"]}}}]})");
  auto t = api.chat(tools, {});
  REQUIRE_FALSE(t.error);
  const Json& call = t.body["choices"][0]["message"]["tool_calls"][0];
  CHECK(t.body["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(call["function"]["name"] == "get_weather");
  Json args = Json::parse(call["function"]["arguments"].get<std::string>());
  CHECK(args["city"].is_string());
  CHECK((args["unit"] == "c" || args["unit"] == "f"));
  tools["messages"][0]["content"] = "Tell me a joke";
  CHECK_FALSE(api.chat(tools, {}).body["choices"][0]["message"].contains("tool_calls"));

  Json schema = Json::parse(R"({"model": "gpt-4o", "messages": [{"role": "user", "content": "Extract"}],
    "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object",
      "properties": {"n": {"type": "integer", "minimum": 3, "maximum": 5}}, "required": ["n"]}}}})");
  Json content = Json::parse(api.chat(schema, {}).body["choices"][0]["message"]["content"].get<std::string>());
  CHECK(content["n"].get<int>() >= 3);
  CHECK(content["n"].get<int>() <= 5);

  req["max_tokens"] = 2;
  CHECK(api.chat(req, {}).body["choices"][0]["finish_reason"] == "length");
  std::string words;
  for (int i = 0; i < 17000; ++i) words += "word ";
  Json big = {{"model", "gpt-3.5-turbo"}, {"messages", {{{"role", "user"}, {"content", words}}}}};
  auto over = api.chat(big, {});
  REQUIRE(over.error);
  CHECK(over.error->status == 400);
  CHECK(over.error->code == "context_length_exceeded");
}

TEST_CASE("the OpenAI stub's embeddings keep texts that share words close, and rules script errors") {
  openai::OpenAi api(7, {});
  auto e = api.embeddings({{"model", "text-embedding-3-small"}, {"input", {"red apple pie", "red apple tart", "tax law"}}});
  REQUIRE_FALSE(e.error);
  const Json& d = e.body["data"];
  CHECK(d[0]["embedding"].size() == 1536);
  CHECK(cosine(d[0]["embedding"], d[1]["embedding"]) > cosine(d[0]["embedding"], d[2]["embedding"]));
  auto small = api.embeddings({{"model", "text-embedding-3-small"}, {"input", "x"}, {"dimensions", 8}});
  CHECK(small.body["data"][0]["embedding"].size() == 8);

  auto rule = services::gemini::rule_from_json(nlohmann::json::parse(R"({"match": {"prompt": "busy"}, "reply": {"error": "RESOURCE_EXHAUSTED", "retryDelay": "2s"}, "count": 1})"));
  REQUIRE(rule.ok());
  api.rules().add(*rule);
  Json req = {{"model", "gpt-4o"}, {"messages", {{{"role", "user"}, {"content", "busy?"}}}}};
  auto limited = api.chat(req, {});
  REQUIRE(limited.error);
  CHECK(limited.error->status == 429);
  CHECK(limited.error->code == "rate_limit_exceeded");
  CHECK(limited.error->retry_after == std::chrono::seconds(2));
  CHECK_FALSE(api.chat(req, {}).error);
}

}  // namespace stubs_test
