// Gemini's route table: the Generative Language API (v1beta and v1), the same handlers on
// Vertex AI's publisher-model paths, and the rules control route.
#include <memory>

#include "core/clock.h"
#include "core/env.h"
#include "net/guard.h"
#include "net/http.h"
#include "net/route.h"
#include "services/gemini/response.h"
#include "services/gemini/service.h"

namespace gcpsim::services::gemini {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;

constexpr size_t kMaxPromptAttr = 8192;               // event attribute cap
constexpr uint64_t kMaxRequestBytes = 20ull << 20;    // the API's inline request limit
constexpr int kDefaultPageSize = 50, kMaxPageSize = 1000;

struct Api {
  std::string version;  // "v1beta"
  bool vertex = false;
};

// Every model call: what it is, why it is refused before reaching the model (if it is),
// and how it answers. Runs through core::dispatch so faults and events apply.
struct CallSpec {
  std::string method;        // "generateContent"
  std::string model;
  std::string prompt;        // recorded on the api.call event
  core::Status rejected;     // credentials, body or model problems
  std::function<Outcome<HttpResponse>()> run;
};

std::optional<core::Status> missing_credentials(const HttpRequest& req, const Api& api) {
  if (!req.header("x-goog-api-key").value_or("").empty() || !req.query_param("key").value_or("").empty()) return std::nullopt;
  if (req.header("Authorization").value_or("").rfind("Bearer ", 0) == 0) return std::nullopt;
  if (api.vertex) {
    return core::Status::unauthenticated(
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other "
        "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
  }
  return core::Status::permission_denied(
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other "
      "form of API consumer identity to call this API.");
}

// Schemas and rules are user data: a value of an unexpected type (or a regex too complex to
// run) throws, and the route adapter answers it as the API's generic 400.
void run_call(core::Env& env, HttpRequest& req, CallSpec spec, Reply reply) {
  core::Call call;
  call.method = "gemini." + spec.method;
  call.service = "gemini";
  call.target = "models/" + spec.model;
  call.attrs = {{"model", spec.model}, {"prompt", spec.prompt.substr(0, kMaxPromptAttr)}};
  net::serve(env, std::move(call), req, std::move(reply), [&env, spec = std::move(spec)](HttpRequest&, net::RouteDone done) {
    if (!spec.rejected.is_ok()) return done(spec.rejected);
    auto outcome = spec.run();
    if (outcome.delay <= core::Duration::zero()) return done(std::move(outcome.result));
    env.clock.schedule_in(outcome.delay, [done, result = std::move(outcome.result)] { done(result); });
  });
}

// The parsed request, or the first refusal in the order the front end applies them:
// credentials, size, JSON, the request's shape and contents, then the model.
template <class T>
core::StatusOr<T> checked(const HttpRequest& req, const Api& api, const std::string& model, const std::string& support,
                          const std::function<core::StatusOr<T>(const Json&)>& parse) {
  if (auto denied = missing_credentials(req, api)) return *denied;
  if (req.body_size > kMaxRequestBytes || !req.body_file.empty()) {
    return core::Status::invalid_argument("Request payload size exceeds the limit: 20971520 bytes.");
  }
  ASSIGN_OR_RETURN(Json body, parse_body(req.body));
  ASSIGN_OR_RETURN(T value, parse(body));
  RETURN_IF_ERROR(Gemini::model(model, support, api.version).status());
  return value;
}

HttpResponse stream_response(const Generation& g, bool sse) {
  auto chunks = stream_chunks(g);
  if (!sse) {
    std::string body = "[";
    for (size_t i = 0; i < chunks.size(); ++i) body += (i ? "\n,\r\n" : "") + chunks[i].dump();
    return HttpResponse::json(200, body + "]");
  }
  HttpResponse r;
  r.header("Content-Type", "text/event-stream");
  r.stream = [chunks = std::move(chunks)](std::shared_ptr<net::BodyWriter> w) {
    for (const auto& c : chunks) {
      if (!w->write("data: " + c.dump() + "\r\n\r\n")) break;
    }
    w->end();
  };
  return r;
}

void generate(core::Env& env, Gemini& gemini, HttpRequest& req, Reply reply, const Api& api,
              const std::string& model, bool stream) {
  CallSpec spec{stream ? "streamGenerateContent" : "generateContent", model, "", core::Status::ok(), nullptr};
  auto parsed = std::make_shared<core::StatusOr<GenerateRequest>>(checked<GenerateRequest>(
      req, api, model, "generateContent",
      [&model](const Json& b) { return parse_generate(b, model); }));
  spec.rejected = parsed->status();
  if (parsed->ok()) spec.prompt = (*parsed)->prompt_text();
  bool sse = req.query_param("alt").value_or("") == "sse";
  spec.run = [&gemini, parsed, stream, sse, method = spec.method]() -> Outcome<HttpResponse> {
    auto out = gemini.generate(**parsed, method);
    if (!out.result.ok()) return {out.delay, out.result.status()};
    if (stream) return {out.delay, stream_response(*out.result, sse)};
    return {out.delay, HttpResponse::json(200, generation_json(*out.result).dump())};
  };
  run_call(env, req, std::move(spec), std::move(reply));
}

void count_tokens(core::Env& env, Gemini& gemini, HttpRequest& req, Reply reply, const Api& api, const std::string& model) {
  CallSpec spec{"countTokens", model, "", core::Status::ok(), nullptr};
  auto parsed = std::make_shared<core::StatusOr<GenerateRequest>>(checked<GenerateRequest>(
      req, api, model, "countTokens",
      [&model](const Json& b) { return parse_count_tokens(b, model); }));
  spec.rejected = parsed->status();
  if (parsed->ok()) spec.prompt = (*parsed)->prompt_text();
  spec.run = [&gemini, parsed]() -> Outcome<HttpResponse> {
    auto out = gemini.count_tokens(**parsed);
    if (!out.result.ok()) return {out.delay, out.result.status()};
    return {out.delay, HttpResponse::json(200, token_count_json(*out.result).dump())};
  };
  run_call(env, req, std::move(spec), std::move(reply));
}

void embed(core::Env& env, Gemini& gemini, HttpRequest& req, Reply reply, const Api& api, const std::string& model, bool batch) {
  CallSpec spec{batch ? "batchEmbedContents" : "embedContent", model, "", core::Status::ok(), nullptr};
  auto parsed = std::make_shared<core::StatusOr<std::vector<EmbedRequest>>>(checked<std::vector<EmbedRequest>>(
      req, api, model, "embedContent",
      [&model, batch](const Json& b) { return parse_embed(b, model, batch); }));
  spec.rejected = parsed->status();
  for (size_t i = 0; parsed->ok() && i < (*parsed)->size(); ++i) spec.prompt += (i ? "\n" : "") + (**parsed)[i].text;
  spec.run = [&gemini, parsed, batch, method = spec.method]() -> Outcome<HttpResponse> {
    auto out = gemini.embed(**parsed, method);
    if (!out.result.ok()) return {out.delay, out.result.status()};
    Json body;
    if (batch) {
      body["embeddings"] = Json::array();
      for (const auto& v : *out.result) body["embeddings"].push_back(embedding_json(v));
    } else {
      body["embedding"] = embedding_json(out.result->front());
    }
    return {out.delay, HttpResponse::json(200, body.dump())};
  };
  run_call(env, req, std::move(spec), std::move(reply));
}

void model_call(core::Env& env, Gemini& gemini, HttpRequest& req, Reply reply, const Api& api) {
  std::string target = req.param("model_verb");
  size_t colon = target.rfind(':');
  std::string model = target.substr(0, colon), verb = colon == std::string::npos ? "" : target.substr(colon + 1);
  if (verb == "generateContent") return generate(env, gemini, req, std::move(reply), api, model, false);
  if (verb == "streamGenerateContent") return generate(env, gemini, req, std::move(reply), api, model, true);
  if (verb == "countTokens") return count_tokens(env, gemini, req, std::move(reply), api, model);
  if (verb == "embedContent") return embed(env, gemini, req, std::move(reply), api, model, false);
  if (verb == "batchEmbedContents") return embed(env, gemini, req, std::move(reply), api, model, true);
  reply(HttpResponse::error(core::Status::not_found("The requested URL " + req.path + " was not found on this server.")));
}

void list_models(core::Env& env, HttpRequest& req, Reply reply, const Api& api) {
  CallSpec spec{"models.list", "", "", missing_credentials(req, api).value_or(core::Status::ok()), nullptr};
  int size = kDefaultPageSize;
  try {
    size = std::stoi(req.query_param("pageSize").value_or(std::to_string(kDefaultPageSize)));
  } catch (const std::exception&) {
    spec.rejected = core::Status::invalid_argument("Invalid value at 'page_size' (TYPE_INT32), \"" + req.query_param("pageSize").value_or("") + "\"");
  }
  size = size <= 0 ? kDefaultPageSize : std::min(size, kMaxPageSize);
  std::string token = req.query_param("pageToken").value_or("");
  spec.run = [size, token]() -> Outcome<HttpResponse> {
    const auto& all = model_catalogue();
    size_t start = 0;
    while (!token.empty() && start < all.size() && "models/" + all[start].id != token) ++start;
    Json body = {{"models", Json::array()}};
    for (size_t i = start; i < all.size() && i < start + static_cast<size_t>(size); ++i) body["models"].push_back(model_json(all[i]));
    if (start + static_cast<size_t>(size) < all.size()) body["nextPageToken"] = "models/" + all[start + static_cast<size_t>(size)].id;
    return {core::Duration{}, HttpResponse::json(200, body.dump())};
  };
  run_call(env, req, std::move(spec), std::move(reply));
}

void get_model(core::Env& env, HttpRequest& req, Reply reply, const Api& api) {
  std::string id = req.param("model");
  CallSpec spec{"models.get", id, "", missing_credentials(req, api).value_or(core::Status::ok()), nullptr};
  const ModelInfo* m = find_model(id);
  if (spec.rejected.is_ok() && !m) {
    spec.rejected = core::Status::not_found("models/" + id + " is not found for API version " + api.version +
                                            ", or is not supported for getModel. Call ListModels to see the list of "
                                            "available models and their supported methods.");
  }
  spec.run = [m]() -> Outcome<HttpResponse> { return {core::Duration{}, HttpResponse::json(200, model_json(*m).dump())}; };
  run_call(env, req, std::move(spec), std::move(reply));
}

void add_control_routes(net::Router& router, Gemini& gemini) {
  router.add_guarded("GET", "/_gcpsim/gemini/rules", [&gemini](HttpRequest&, Reply reply) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : gemini.rules().rules()) list.push_back(rule_to_json(r));
    reply(HttpResponse::json(200, nlohmann::json{{"rules", list}}.dump()));
  });
  router.add_guarded("POST", "/_gcpsim/gemini/rules", [&gemini](HttpRequest& req, Reply reply) {
    auto body = net::json_body(req);
    if (!body.ok()) return reply(HttpResponse::error(body.status()));
    auto rule = rule_from_json(*body);
    if (!rule.ok()) return reply(HttpResponse::error(rule.status()));
    if (rule->reply.every > core::Duration::zero()) {
      return reply(HttpResponse::error(core::Status::invalid_argument(
          "reply.every paces an OpenAI stub's streamed chunks; Gemini's streams are not paced")));
    }
    std::string id = gemini.rules().add(std::move(rule).value());
    for (const auto& r : gemini.rules().rules()) {
      if (r.id == id) return reply(HttpResponse::json(200, rule_to_json(r).dump()));
    }
  });
  router.add_guarded("DELETE", "/_gcpsim/gemini/rules", [&gemini](HttpRequest&, Reply reply) {
    gemini.rules().clear();
    reply(HttpResponse::json(200, "{}"));
  });
}

}  // namespace

void add_routes(net::Router& router, core::Env& env, Gemini& gemini) {
  for (const char* version : {"v1beta", "v1"}) {
    Api api{version, false};
    std::string base = std::string("/") + version + "/models";
    router.add("GET", base, [&env, api](HttpRequest& req, Reply reply) { list_models(env, req, std::move(reply), api); });
    router.add("GET", base + "/{model}", [&env, api](HttpRequest& req, Reply reply) { get_model(env, req, std::move(reply), api); });
    router.add("POST", base + "/{model_verb}", [&env, &gemini, api](HttpRequest& req, Reply reply) {
      model_call(env, gemini, req, std::move(reply), api);
    });
  }
  for (const char* version : {"v1", "v1beta1"}) {
    Api api{version, true};
    auto handler = [&env, &gemini, api](HttpRequest& req, Reply reply) { model_call(env, gemini, req, std::move(reply), api); };
    std::string v = std::string("/") + version;
    router.add("POST", v + "/projects/{project}/locations/{location}/publishers/google/models/{model_verb}", handler);
    router.add("POST", v + "/publishers/google/models/{model_verb}", handler);
  }
  add_control_routes(router, gemini);
}

}  // namespace gcpsim::services::gemini
