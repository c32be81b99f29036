// Rule matching by call number, and the rule's JSON form for the control API.
#include "services/gemini/rules.h"

#include "core/regex.h"
#include "services/gemini/config.h"

namespace gcpsim::services::gemini {
namespace {

bool fits(const Rule& r, const CallKey& key) {
  if (!r.model.empty() && r.model != key.model) return false;
  bool same_family = (r.call == "generateContent" && key.call == "streamGenerateContent") ||
                     (r.call == "embedContent" && key.call == "batchEmbedContents");
  if (!r.call.empty() && r.call != key.call && !same_family) return false;
  return !r.prompt_re || std::regex_search(key.prompt, *r.prompt_re);
}

// Accepts the control API's camelCase and the stack file's snake_case spelling.
const nlohmann::json* field(const nlohmann::json& j, const char* camel, const char* snake = nullptr) {
  if (auto it = j.find(camel); it != j.end()) return &*it;
  if (snake) {
    if (auto it = j.find(snake); it != j.end()) return &*it;
  }
  return nullptr;
}

core::StatusOr<core::Duration> duration_field(const nlohmann::json& j, const char* camel, const char* snake) {
  const auto* v = field(j, camel, snake);
  if (!v) return core::Duration{};
  auto d = v->is_string() ? core::parse_duration(v->get<std::string>()) : std::nullopt;
  if (!d) return core::Status::invalid_argument(std::string(camel) + " must be a duration like \"30s\"");
  return *d;
}

core::Status read_error(const nlohmann::json& r, RuleReply& out) {
  const auto* e = field(r, "error");
  auto code = e && e->is_string() ? core::code_from_name(e->get<std::string>()) : std::nullopt;
  if (!code && e && e->is_number_integer()) code = core::code_from_http(e->get<int>());
  if (!code || *code == core::Code::kOk) {
    return core::Status::invalid_argument("reply.error must name a canonical code such as RESOURCE_EXHAUSTED or an HTTP status");
  }
  out.kind = RuleReply::Kind::kError;
  out.code = *code;
  if (const auto* m = field(r, "message"); m && m->is_string()) out.message = m->get<std::string>();
  ASSIGN_OR_RETURN(out.retry_delay, duration_field(r, "retryDelay", "retry_delay"));
  return core::Status::ok();
}

core::StatusOr<RuleReply> read_reply(const nlohmann::json& r) {
  if (!r.is_object()) return core::Status::invalid_argument("reply must be an object");
  RuleReply out;
  const auto* text = field(r, "text");
  const auto* json = field(r, "json");
  const auto* call = field(r, "functionCall", "function_call");
  const auto* block = field(r, "block");
  int kinds = (text != nullptr) + (json != nullptr) + (call != nullptr) + (block != nullptr) + r.contains("error");
  if (kinds != 1) return core::Status::invalid_argument("reply takes exactly one of text, json, functionCall, error, block");
  if (text) {
    if (!text->is_string()) return core::Status::invalid_argument("reply.text must be a string");
    out.text = text->get<std::string>();
  } else if (json) {
    out.kind = RuleReply::Kind::kJson;
    out.value = Json::parse(json->dump());
  } else if (call) {
    const auto* name = call->is_object() ? field(*call, "name") : nullptr;
    if (!name || !name->is_string()) return core::Status::invalid_argument("reply.functionCall needs a name");
    out.kind = RuleReply::Kind::kFunctionCall;
    out.function_name = name->get<std::string>();
    const auto* args = field(*call, "args");
    out.value = args ? Json::parse(args->dump()) : Json::object();
  } else if (block) {
    out.kind = RuleReply::Kind::kBlock;
    out.block_reason = block->is_string() ? block->get<std::string>() : "SAFETY";
    const auto* where = field(r, "blockPrompt", "block_prompt");
    out.block_prompt = where && where->is_boolean() && where->get<bool>();
  } else {
    RETURN_IF_ERROR(read_error(r, out));
  }
  ASSIGN_OR_RETURN(out.delay, duration_field(r, "delay", nullptr));
  ASSIGN_OR_RETURN(out.every, duration_field(r, "every", nullptr));
  return out;
}

nlohmann::json reply_to_json(const RuleReply& r) {
  nlohmann::json j;
  switch (r.kind) {
    case RuleReply::Kind::kText: j["text"] = r.text; break;
    case RuleReply::Kind::kJson: j["json"] = nlohmann::json::parse(r.value.dump()); break;
    case RuleReply::Kind::kFunctionCall:
      j["functionCall"] = {{"name", r.function_name}, {"args", nlohmann::json::parse(r.value.dump())}};
      break;
    case RuleReply::Kind::kError:
      j["error"] = core::code_name(r.code);
      if (!r.message.empty()) j["message"] = r.message;
      if (r.retry_delay > core::Duration::zero()) j["retryDelay"] = core::format_duration(r.retry_delay);
      break;
    case RuleReply::Kind::kBlock:
      j["block"] = r.block_reason;
      if (r.block_prompt) j["blockPrompt"] = true;
      break;
  }
  if (r.delay > core::Duration::zero()) j["delay"] = core::format_duration(r.delay);
  if (r.every > core::Duration::zero()) j["every"] = core::format_duration(r.every);
  return j;
}

}  // namespace

std::string RuleBook::add(Rule rule) {
  if (rule.id.empty()) rule.id = "rule-" + std::to_string(next_id_++);
  rules_.push_back(std::move(rule));
  return rules_.back().id;
}

std::optional<RuleReply> RuleBook::answer(const CallKey& key) {
  std::optional<RuleReply> chosen;
  for (auto& r : rules_) {
    if (!fits(r, key)) continue;
    ++r.seen;
    bool due = r.seen > r.after && (!r.count || r.fired < *r.count);
    if (due && !chosen) {
      ++r.fired;
      chosen = r.reply;
    }
  }
  return chosen;
}

Rule rule_from_stack(const GeminiRule& s) {
  Rule r;
  r.model = s.match.model;
  r.call = s.match.call;
  if (!s.match.prompt.empty()) {
    r.prompt = (s.match.prompt_ignore_case ? "(?i)" : "") + s.match.prompt;
    auto flags = std::regex::ECMAScript;
    if (s.match.prompt_ignore_case) flags |= std::regex::icase;
    r.prompt_re = std::regex(s.match.prompt, flags);  // the loader already compiled it once
  }
  using K = GeminiReply::Kind;
  r.reply.kind = s.reply.kind == K::kText ? RuleReply::Kind::kText : s.reply.kind == K::kJson ? RuleReply::Kind::kJson : RuleReply::Kind::kError;
  r.reply.text = s.reply.text;
  if (s.reply.kind == K::kJson) r.reply.value = Json::parse(s.reply.json);
  r.reply.code = s.reply.code;
  r.reply.message = s.reply.message;
  r.reply.delay = s.reply.delay;
  r.reply.every = s.reply.every;
  return r;
}

core::StatusOr<Rule> rule_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return core::Status::invalid_argument("a rule must be a JSON object");
  Rule r;
  if (const auto* m = field(j, "match")) {
    if (!m->is_object()) return core::Status::invalid_argument("match must be an object");
    auto text = [&](const char* k) { const auto* v = field(*m, k); return v && v->is_string() ? v->get<std::string>() : std::string(); };
    r.model = text("model");
    if (r.model.rfind("models/", 0) == 0) r.model = r.model.substr(7);
    r.call = text("call");
    r.prompt = text("prompt");
  }
  if (!r.prompt.empty()) {
    ASSIGN_OR_RETURN(r.prompt_re, core::compile_regex(r.prompt, "invalid prompt regular expression"));
  }
  if (const auto* a = field(j, "after"); a && a->is_number_integer()) r.after = a->get<int64_t>();
  if (const auto* c = field(j, "count"); c && c->is_number_integer()) r.count = c->get<int64_t>();
  if (r.after < 0 || (r.count && *r.count < 1)) return core::Status::invalid_argument("after must be >= 0 and count >= 1");
  const auto* reply = field(j, "reply");
  if (!reply) return core::Status::invalid_argument("a rule needs a reply");
  ASSIGN_OR_RETURN(r.reply, read_reply(*reply));
  if (const auto* id = field(j, "id"); id && id->is_string()) r.id = id->get<std::string>();
  return r;
}

nlohmann::json rule_to_json(const Rule& r) {
  nlohmann::json match = nlohmann::json::object();
  if (!r.model.empty()) match["model"] = r.model;
  if (!r.call.empty()) match["call"] = r.call;
  if (!r.prompt.empty()) match["prompt"] = r.prompt;
  nlohmann::json j = {{"id", r.id}, {"match", match}, {"reply", reply_to_json(r.reply)},
                      {"after", r.after}, {"seen", r.seen}, {"fired", r.fired}};
  if (r.count) j["count"] = *r.count;
  return j;
}

}  // namespace gcpsim::services::gemini
