// The built-in OpenAI API's HTTP side: routes under /v1, bearer-key checks, OpenAI error
// bodies with retry-after, SSE for stream: true, and one api.call event per call.
#include <cmath>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/ids.h"
#include "services/stubs/service.h"

namespace gcpsim::services::stubs {
namespace {

using openai::Error;
using openai::Result;

constexpr size_t kMaxPromptAttr = 8192;

net::HttpResponse error_response(const Error& e) {
  auto r = net::HttpResponse::json(e.status, e.body().dump());
  if (e.retry_after > core::Duration::zero()) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.retry_after).count();
    r.header("retry-after", std::to_string((ms + 999) / 1000));
    r.header("retry-after-ms", std::to_string(ms));
  }
  return r;
}

// The key check the API applies before anything else.
std::optional<Error> refused(const Stub& stub, const Incoming& in) {
  std::string auth = in.header("authorization").value_or("");
  std::string key = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
  Error e;
  e.status = 401;
  if (key.empty()) {
    e.message = "You didn't provide an API key. You need to provide your API key in an Authorization header using "
                "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
                "you're accessing the API from your browser and are prompted for a username and password. You can "
                "obtain an API key from https://platform.openai.com/account/api-keys.";
    return e;
  }
  if (stub.api_key.empty() || key == stub.api_key) return std::nullopt;
  std::string shown = key.size() > 8 ? key.substr(0, 3) + std::string(key.size() - 7, '*') + key.substr(key.size() - 4) : "***";
  e.code = "invalid_api_key";
  e.message = "Incorrect API key provided: " + shown + ". You can find your API key at https://platform.openai.com/account/api-keys.";
  return e;
}

// The SSE body of a streamed chat completion: one `data:` event per chunk, then [DONE].
Stream sse_of(const Json& completion, bool include_usage) {
  Stream s;
  s.sse = true;
  for (auto& c : openai::chat_chunks(completion, include_usage)) s.chunks.push_back(c.dump());
  s.chunks.emplace_back("[DONE]");
  return s;
}

void record_call(core::Env& env, const Stub& stub, const std::string& method, const Result& r, int status) {
  core::Attrs attrs = {{"method", "openai." + method},
                       {"code", std::string(core::code_name(status < 400 ? core::Code::kOk : core::code_from_http(status)))},
                       {"status", static_cast<int64_t>(status)}};
  if (!r.model.empty()) attrs["model"] = r.model;
  if (!r.prompt.empty()) attrs["prompt"] = r.prompt.substr(0, kMaxPromptAttr);
  env.events.record("api.call", stub.name, std::move(attrs));
}

std::string request_id(core::Env& env) { return "req_" + env.ids.hex("stubs.openai.request", 16); }

}  // namespace

void serve_openai(core::Env& env, Stub& stub, const Incoming& in, bool cut_streams,
                  std::function<void(net::HttpResponse)> done) {
  openai::OpenAi& api = *stub.openai;
  std::string method;
  Result result;
  bool stream = false, include_usage = false;
  const Json body = in.json.value_or(Json());
  const bool post = in.method == "POST", get = in.method == "GET" || in.method == "HEAD";
  if (post && in.path == "/v1/chat/completions") {
    method = "chat.completions";
    stream = body.is_object() && body.value("stream", false);
    include_usage = stream && body.contains("stream_options") && body["stream_options"].is_object() &&
                    body["stream_options"].value("include_usage", false);
  } else if (post && in.path == "/v1/embeddings") {
    method = "embeddings";
  } else if (post && in.path == "/v1/responses") {
    method = "responses";
  } else if (get && in.path == "/v1/models") {
    method = "models.list";
  } else if (get && in.path.rfind("/v1/models/", 0) == 0) {
    method = "models.retrieve";
  } else {
    Error e;
    e.status = 404;
    e.message = "Invalid URL (" + in.method + " " + in.path + ")";
    return done(error_response(e));
  }
  if (auto e = refused(stub, in)) {
    result.error = *e;
  } else if (post && !in.body.empty() && !in.json) {
    result.error = Error{400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", "invalid_request_error", "", "", {}};
  } else if (method == "chat.completions") {
    result = api.chat(body, env.clock.now());
  } else if (method == "embeddings") {
    result = api.embeddings(body);
  } else if (method == "responses") {
    result = api.responses(body, env.clock.now());
  } else if (method == "models.list") {
    result.body = api.model_list(env.clock.now());
  } else {
    std::string id = in.path.substr(11);
    if (!openai::find_model(id)) {
      result.error = Error{404, "The model '" + id + "' does not exist", "invalid_request_error", "model", "model_not_found", {}};
    } else {
      result.body = {{"id", id}, {"object", "model"}, {"created", core::to_millis(env.clock.now()) / 1000}, {"owned_by", "system"}};
    }
  }
  net::HttpResponse res;
  if (result.error) {
    res = error_response(*result.error);
  } else if (stream) {
    Stream s = sse_of(result.body, include_usage);
    s.every = result.every;
    s.stub = stub.name;
    std::optional<size_t> cut;
    if (cut_streams) cut = s.chunks.size() / 2;
    res = stream_response(env, 200, {{"Content-Type", "text/event-stream; charset=utf-8"}}, std::move(s), cut);
  } else {
    res = net::HttpResponse::json(200, result.body.dump());
  }
  res.header("x-request-id", request_id(env));
  record_call(env, stub, method, result, res.status);
  if (result.delay <= core::Duration::zero()) return done(std::move(res));
  env.clock.schedule_in(result.delay, [done, res = std::move(res)]() mutable { done(std::move(res)); });
}

}  // namespace gcpsim::services::stubs
