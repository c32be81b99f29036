// OpenAI-compatible answers: chat completions (tools, JSON modes, n, token limits),
// embeddings, the Responses API and the model list, from rules or the seed.
#include "services/stubs/openai.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <set>

#include "core/text.h"
#include "services/gemini/service.h"
#include "services/storage/service.h"

namespace gcpsim::services::stubs::openai {
namespace {

using gemini::RuleReply;

constexpr int kMaxChoices = 128;
constexpr core::Duration kDefaultRetryAfter = std::chrono::seconds(20);

Error invalid(std::string message, std::string param = "", std::string code = "") {
  Error e;
  e.message = std::move(message);
  e.param = std::move(param);
  e.code = std::move(code);
  return e;
}

Result failed(Error e) {
  Result r;
  r.error = std::move(e);
  return r;
}

// "chatcmpl-" and 29 characters, as the API's ids look.
std::string id_of(const std::string& prefix, core::Rng& rng, int length = 29) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = prefix;
  for (int i = 0; i < length; ++i) id += kAlphabet[rng.below(62)];
  return id;
}

int64_t unix_seconds(core::Time t) { return core::to_millis(t) / 1000; }

// The text of a message's content: a string, or the text parts of a list.
std::string content_text(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.contains("text") && part["text"].is_string()) {
        out += (out.empty() ? "" : "\n") + part["text"].get<std::string>();
      }
    }
  }
  return out;
}

std::string messages_text(const Json& messages) {
  std::string out;
  for (const auto& m : messages) {
    if (!m.is_object() || !m.contains("content")) continue;
    std::string t = content_text(m["content"]);
    if (!t.empty()) out += (out.empty() ? "" : "\n") + t;
  }
  return out;
}

std::string last_user_text(const Json& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->is_object() && it->value("role", "") == "user" && it->contains("content")) return content_text((*it)["content"]);
  }
  return "";
}

using core::lower;

// The tool a request makes the model call, if any: tool_choice "required" or a named
// function forces one; "auto" calls the first tool whose name's words (split on _ and -),
// a leading verb such as get or list aside, all appear in the last user message, so a
// prompt about the weather calls get_weather.
const Json* chosen_tool(const Json& req) {
  if (!req.contains("tools") || !req["tools"].is_array() || req["tools"].empty()) return nullptr;
  const Json& messages = req["messages"];
  if (!messages.empty() && messages.back().is_object() && messages.back().value("role", "") == "tool") return nullptr;
  Json choice = req.value("tool_choice", Json("auto"));
  const Json& tools = req["tools"];
  auto fn_name = [](const Json& t) { return t.contains("function") ? t["function"].value("name", "") : std::string(); };
  if (choice.is_object()) {
    std::string want = choice.contains("function") ? choice["function"].value("name", "") : "";
    for (const auto& t : tools)
      if (fn_name(t) == want) return &t;
    return nullptr;
  }
  if (choice == "none") return nullptr;
  if (choice == "required") return &tools.front();
  static const std::set<std::string> kVerbs = {"get", "set", "list", "fetch", "find", "lookup", "look",
                                                "read", "create", "update", "delete", "do", "run", "call"};
  std::string prompt = lower(last_user_text(messages));
  for (const auto& t : tools) {
    std::string name = lower(fn_name(t));
    std::vector<std::string> words;
    for (size_t i = 0; i <= name.size();) {
      size_t j = std::min(name.find_first_of("_-", i), name.size());
      if (j > i) words.push_back(name.substr(i, j - i));
      i = j + 1;
    }
    if (words.size() > 1 && kVerbs.count(words.front())) words.erase(words.begin());
    bool all = !words.empty();
    for (const auto& w : words) all = all && prompt.find(w) != std::string::npos;
    if (all) return &t;
  }
  return nullptr;
}

Json tool_call(const std::string& name, const Json& args, core::Rng& rng) {
  return {{"id", id_of("call_", rng, 24)}, {"type", "function"}, {"function", {{"name", name}, {"arguments", args.dump()}}}};
}

// The assistant's text in the requested response_format.
std::string formatted_text(const Json& req, const std::string& prompt, core::Rng& rng) {
  const Json format = req.value("response_format", Json::object());
  std::string type = format.is_object() ? format.value("type", "text") : "text";
  if (type == "json_schema" && format.contains("json_schema") && format["json_schema"].contains("schema")) {
    return gemini::instance_of(format["json_schema"]["schema"], gemini::SchemaDialect::kJsonSchema, rng).dump();
  }
  if (type == "json_object") return Json{{"response", gemini::prose(rng, prompt)}}.dump();
  return gemini::prose(rng, prompt);
}

std::optional<int> token_limit(const Json& req, const char* a, const char* b) {
  for (const char* k : {a, b}) {
    if (k && req.contains(k) && req[k].is_number_integer()) return req[k].get<int>();
  }
  return std::nullopt;
}

Json message_of(const RuleReply& reply, core::Rng& rng, std::string& finish) {
  Json msg = {{"role", "assistant"}, {"content", nullptr}, {"refusal", nullptr}};
  switch (reply.kind) {
    case RuleReply::Kind::kText: msg["content"] = reply.text; break;
    case RuleReply::Kind::kJson: msg["content"] = reply.value.dump(); break;
    case RuleReply::Kind::kFunctionCall:
      msg["tool_calls"] = Json::array({tool_call(reply.function_name, reply.value, rng)});
      finish = "tool_calls";
      break;
    case RuleReply::Kind::kBlock: finish = "content_filter"; break;
    case RuleReply::Kind::kError: break;
  }
  return msg;
}

int completion_tokens(const Json& message) {
  int n = 0;
  if (message.contains("content") && message["content"].is_string()) n += gemini::count_tokens(message["content"].get<std::string>());
  if (message.contains("tool_calls")) {
    for (const auto& c : message["tool_calls"])
      n += gemini::count_tokens(c["function"]["name"].get<std::string>() + " " + c["function"]["arguments"].get<std::string>());
  }
  return n;
}

std::optional<Error> check_chat(const Json& req) {
  if (!req.is_object()) return invalid("We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.");
  if (!req.contains("model") || !req["model"].is_string())
    return invalid("you must provide a model parameter", "", "");
  if (!req.contains("messages")) return invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
  if (!req["messages"].is_array() || req["messages"].empty())
    return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                   "messages", "empty_array");
  for (size_t i = 0; i < req["messages"].size(); ++i) {
    const Json& m = req["messages"][i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
      return invalid("Missing required parameter: 'messages[" + std::to_string(i) + "].role'.",
                     "messages[" + std::to_string(i) + "].role", "missing_required_parameter");
  }
  if (req.contains("n") && (!req["n"].is_number_integer() || req["n"].get<int>() < 1 || req["n"].get<int>() > kMaxChoices))
    return invalid("Invalid 'n': integer below minimum value. Expected a value >= 1 and <= 128.", "n", "integer_below_min_value");
  auto limit = token_limit(req, "max_completion_tokens", "max_tokens");
  if (limit && *limit < 1)
    return invalid("Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got " +
                       std::to_string(*limit) + " instead.", "max_tokens", "integer_below_min_value");
  return std::nullopt;
}

std::optional<Error> unknown_model(const std::string& id) {
  if (find_model(id)) return std::nullopt;
  Error e = invalid("The model `" + id + "` does not exist or you do not have access to it.", "", "model_not_found");
  e.status = 404;
  return e;
}

std::string base64_floats(const std::vector<float>& v) {
  std::string bytes(v.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), v.data(), bytes.size());  // little-endian, as the API sends it
  return storage::base64_encode(bytes);
}

}  // namespace

Json Error::body() const {
  return {{"error",
           {{"message", message}, {"type", type}, {"param", param.empty() ? Json() : Json(param)},
            {"code", code.empty() ? Json() : Json(code)}}}};
}

Error error_for(core::Code code, const std::string& message, core::Duration retry_after) {
  Error e;
  auto text = [&](const char* fallback) { return message.empty() ? std::string(fallback) : message; };
  switch (code) {
    case core::Code::kResourceExhausted:
      e.status = 429;
      e.type = "requests";
      e.code = "rate_limit_exceeded";
      e.message = text("Rate limit reached for requests. Please try again later.");
      e.retry_after = retry_after > core::Duration::zero() ? retry_after : kDefaultRetryAfter;
      break;
    case core::Code::kUnauthenticated:
      e.status = 401;
      e.code = "invalid_api_key";
      e.message = text("Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.");
      break;
    case core::Code::kPermissionDenied:
      e.status = 403;
      e.code = "unsupported_country_region_territory";
      e.message = text("Country, region, or territory not supported");
      break;
    case core::Code::kOutOfRange:
      e.code = "context_length_exceeded";
      e.param = "messages";
      e.message = text("This model's maximum context length has been exceeded. Please reduce the length of the messages.");
      break;
    case core::Code::kInvalidArgument:
    case core::Code::kFailedPrecondition:
      e.message = text("Invalid request.");
      break;
    case core::Code::kNotFound:
      e.status = 404;
      e.code = "model_not_found";
      e.message = text("The model does not exist or you do not have access to it.");
      break;
    case core::Code::kUnavailable:
      e.status = 503;
      e.type = "server_error";
      e.message = text("The engine is currently overloaded, please try again later.");
      break;
    case core::Code::kDeadlineExceeded:
      e.status = 504;
      e.type = "server_error";
      e.message = text("The server timed out while processing your request.");
      break;
    default:
      e.status = 500;
      e.type = "server_error";
      e.message = text("The server had an error while processing your request. Sorry about that!");
      break;
  }
  return e;
}

const std::vector<ModelInfo>& models() {
  static const std::vector<ModelInfo> kModels = {
      {"gpt-4o", 128000, 0},          {"gpt-4o-mini", 128000, 0},       {"gpt-4.1", 1047576, 0},
      {"gpt-4.1-mini", 1047576, 0},   {"gpt-4.1-nano", 1047576, 0},     {"o4-mini", 200000, 0},
      {"gpt-4-turbo", 128000, 0},     {"gpt-3.5-turbo", 16385, 0},
      {"text-embedding-3-small", 8191, 1536}, {"text-embedding-3-large", 8191, 3072},
      {"text-embedding-ada-002", 8191, 1536},
  };
  return kModels;
}

const ModelInfo* find_model(const std::string& id) {
  for (const auto& m : models())
    if (m.id == id) return &m;
  return nullptr;
}

Json OpenAi::model_list(core::Time now) const {
  Json data = Json::array();
  for (const auto& m : models())
    data.push_back({{"id", m.id}, {"object", "model"}, {"created", unix_seconds(now)}, {"owned_by", "system"}});
  return {{"object", "list"}, {"data", data}};
}

std::optional<Error> OpenAi::scripted(const std::string& model, const std::string& call, const std::string& prompt,
                                      std::optional<RuleReply>& reply, core::Duration& delay) {
  reply = rules_.answer(gemini::CallKey{model, call, prompt});
  delay = reply ? reply->delay : core::Duration{};
  if (reply && reply->kind == RuleReply::Kind::kError) return error_for(reply->code, reply->message, reply->retry_delay);
  return std::nullopt;
}

Json OpenAi::chat_choice(const Json& req, const std::string& prompt, int index, core::Rng& rng) const {
  std::string finish = "stop";
  Json msg = {{"role", "assistant"}, {"content", nullptr}, {"refusal", nullptr}};
  if (const Json* tool = chosen_tool(req)) {
    const Json& fn = (*tool)["function"];
    Json args = fn.contains("parameters") ? gemini::instance_of(fn["parameters"], gemini::SchemaDialect::kJsonSchema, rng)
                                          : Json::object();
    msg["tool_calls"] = Json::array({tool_call(fn.value("name", ""), args, rng)});
    finish = "tool_calls";
  } else {
    std::string text = formatted_text(req, prompt, rng);
    if (auto limit = token_limit(req, "max_completion_tokens", "max_tokens")) {
      bool cut = false;
      text = gemini::truncate_tokens(text, *limit, cut);
      if (cut) finish = "length";
    }
    msg["content"] = text;
  }
  return {{"index", index}, {"message", msg}, {"logprobs", nullptr}, {"finish_reason", finish}};
}

Result OpenAi::chat(const Json& req, core::Time now) {
  if (auto e = check_chat(req)) return failed(*e);
  Result r;
  r.model = req["model"].get<std::string>();
  r.prompt = messages_text(req["messages"]);
  if (auto e = unknown_model(r.model)) return failed(*e);
  int prompt_tokens = gemini::count_tokens(r.prompt) + 3 * static_cast<int>(req["messages"].size());
  const ModelInfo* model = find_model(r.model);
  if (prompt_tokens > model->context) {
    r.error = invalid("This model's maximum context length is " + std::to_string(model->context) +
                          " tokens. However, your messages resulted in " + std::to_string(prompt_tokens) +
                          " tokens. Please reduce the length of the messages.",
                      "messages", "context_length_exceeded");
    return r;
  }
  std::optional<RuleReply> reply;
  if (auto e = scripted(r.model, "chat.completions", r.prompt, reply, r.delay)) {
    r.error = *e;
    return r;
  }
  if (reply) r.every = reply->every;
  // Streaming or not, the same request gets the same answer.
  Json key = req;
  key.erase("stream");
  key.erase("stream_options");
  core::Rng rng(gemini::fingerprint(seed_, r.model + "\n" + key.dump()));
  int n = req.value("n", 1);
  Json choices = Json::array();
  int completion = 0;
  for (int i = 0; i < n; ++i) {
    Json choice;
    if (reply) {
      std::string finish = "stop";
      Json msg = message_of(*reply, rng, finish);
      choice = {{"index", i}, {"message", msg}, {"logprobs", nullptr}, {"finish_reason", finish}};
    } else {
      choice = chat_choice(req, r.prompt, i, rng);
    }
    completion += completion_tokens(choice["message"]);
    choices.push_back(std::move(choice));
  }
  r.body = {{"id", id_of("chatcmpl-", rng)},
            {"object", "chat.completion"},
            {"created", unix_seconds(now)},
            {"model", r.model},
            {"choices", choices},
            {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", completion}, {"total_tokens", prompt_tokens + completion}}},
            {"system_fingerprint", "fp_gcpsim"}};
  return r;
}

std::vector<Json> chat_chunks(const Json& completion, bool include_usage) {
  std::vector<Json> out;
  auto chunk = [&](Json choices) {
    return Json{{"id", completion["id"]}, {"object", "chat.completion.chunk"}, {"created", completion["created"]},
                {"model", completion["model"]}, {"system_fingerprint", "fp_gcpsim"}, {"choices", std::move(choices)}};
  };
  for (const auto& c : completion["choices"]) {
    int index = c["index"].get<int>();
    const Json& msg = c["message"];
    auto delta = [&](Json d, Json finish) {
      return Json::array({{{"index", index}, {"delta", std::move(d)}, {"logprobs", nullptr}, {"finish_reason", std::move(finish)}}});
    };
    out.push_back(chunk(delta({{"role", "assistant"}, {"content", msg.contains("tool_calls") ? Json() : Json("")}, {"refusal", nullptr}}, nullptr)));
    if (msg["content"].is_string()) {
      for (const auto& piece : gemini::chunk_text(msg["content"].get<std::string>(), 3))
        out.push_back(chunk(delta({{"content", piece}}, nullptr)));
    }
    if (msg.contains("tool_calls")) {
      int i = 0;
      for (const auto& call : msg["tool_calls"]) {
        Json first = {{"index", i}, {"id", call["id"]}, {"type", "function"},
                      {"function", {{"name", call["function"]["name"]}, {"arguments", ""}}}};
        out.push_back(chunk(delta({{"tool_calls", Json::array({first})}}, nullptr)));
        Json args = {{"index", i++}, {"function", {{"arguments", call["function"]["arguments"]}}}};
        out.push_back(chunk(delta({{"tool_calls", Json::array({args})}}, nullptr)));
      }
    }
    out.push_back(chunk(delta(Json::object(), c["finish_reason"])));
  }
  if (include_usage) {
    Json last = chunk(Json::array());
    last["usage"] = completion["usage"];
    out.push_back(std::move(last));
  }
  return out;
}

Result OpenAi::embeddings(const Json& req) {
  if (!req.is_object() || !req.contains("model") || !req["model"].is_string())
    return failed(invalid("you must provide a model parameter"));
  if (!req.contains("input")) return failed(invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter"));
  Result r;
  r.model = req["model"].get<std::string>();
  if (auto e = unknown_model(r.model)) return failed(*e);
  const ModelInfo* model = find_model(r.model);
  if (model->dimensions == 0)
    return failed(invalid("This is not an embedding model: " + r.model + ".", "model", "model_not_supported"));
  std::vector<std::string> inputs;
  const Json& in = req["input"];
  if (in.is_string()) inputs.push_back(in.get<std::string>());
  else if (in.is_array() && !in.empty() && in[0].is_number_integer()) inputs.push_back(in.dump());  // one token array
  else if (in.is_array()) for (const auto& x : in) inputs.push_back(x.is_string() ? x.get<std::string>() : x.dump());
  if (inputs.empty() || std::any_of(inputs.begin(), inputs.end(), [](const std::string& s) { return s.empty(); }))
    return failed(invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", "input"));
  int dims = model->dimensions;
  if (req.contains("dimensions")) {
    if (r.model == "text-embedding-ada-002") return failed(invalid("This model does not support specifying dimensions.", "dimensions"));
    if (!req["dimensions"].is_number_integer() || req["dimensions"].get<int>() < 1 || req["dimensions"].get<int>() > model->dimensions)
      return failed(invalid("Invalid value for 'dimensions' = " + req["dimensions"].dump() + ". Must be between 1 and " +
                            std::to_string(model->dimensions) + ".", "dimensions"));
    dims = req["dimensions"].get<int>();
  }
  bool base64 = req.value("encoding_format", "float") == "base64";
  for (const auto& s : inputs) r.prompt += (r.prompt.empty() ? "" : "\n") + s;
  std::optional<RuleReply> reply;
  if (auto e = scripted(r.model, "embeddings", r.prompt, reply, r.delay)) {
    r.error = *e;
    return r;
  }
  Json data = Json::array();
  int tokens = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto v = gemini::embed_text(seed_, r.model, inputs[i], dims);
    tokens += gemini::count_tokens(inputs[i]);
    Json vec = base64 ? Json(base64_floats(v)) : Json(v);
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", std::move(vec)}});
  }
  r.body = {{"object", "list"}, {"data", data}, {"model", r.model}, {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
  return r;
}

Result OpenAi::responses(const Json& req, core::Time now) {
  if (!req.is_object() || !req.contains("model") || !req["model"].is_string())
    return failed(invalid("Missing required parameter: 'model'.", "model", "missing_required_parameter"));
  if (req.value("stream", false))
    return failed(invalid("gcpsim's Responses API answers without streaming; use chat.completions to stream.", "stream"));
  Json messages = Json::array();
  if (req.contains("instructions") && req["instructions"].is_string())
    messages.push_back({{"role", "system"}, {"content", req["instructions"]}});
  const Json input = req.value("input", Json());
  if (input.is_string()) messages.push_back({{"role", "user"}, {"content", input}});
  else if (input.is_array()) for (const auto& m : input) messages.push_back(m);
  if (messages.empty()) return failed(invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter"));
  Json chat_req = {{"model", req["model"]}, {"messages", messages}};
  if (req.contains("max_output_tokens")) chat_req["max_completion_tokens"] = req["max_output_tokens"];
  Result chat_result = chat(chat_req, now);
  if (chat_result.error) return chat_result;
  core::Rng rng(gemini::fingerprint(seed_, "responses\n" + req.dump()));
  const Json& choice = chat_result.body["choices"][0];
  std::string text = choice["message"]["content"].is_string() ? choice["message"]["content"].get<std::string>() : "";
  bool cut = choice["finish_reason"] == "length";
  const Json& usage = chat_result.body["usage"];
  Json out = {{"id", id_of("resp_", rng, 48)},
              {"object", "response"},
              {"created_at", unix_seconds(now)},
              {"status", cut ? "incomplete" : "completed"},
              {"error", nullptr},
              {"incomplete_details", cut ? Json{{"reason", "max_output_tokens"}} : Json()},
              {"model", chat_result.model},
              {"output", Json::array({{{"type", "message"}, {"id", id_of("msg_", rng, 48)}, {"status", "completed"},
                                       {"role", "assistant"},
                                       {"content", Json::array({{{"type", "output_text"}, {"text", text}, {"annotations", Json::array()}}})}}})},
              {"usage", {{"input_tokens", usage["prompt_tokens"]}, {"output_tokens", usage["completion_tokens"]},
                         {"total_tokens", usage["total_tokens"]}}}};
  chat_result.body = std::move(out);
  return chat_result;
}

}  // namespace gcpsim::services::stubs::openai
