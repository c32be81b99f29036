// Default and scripted answers for generateContent, countTokens and embeddings.
#include "services/gemini/domain.h"

#include <algorithm>

#include "services/gemini/text.h"

namespace gcpsim::services::gemini {
namespace {

constexpr int kImageTokens = 258;
constexpr core::Duration kDefaultRetryDelay = std::chrono::seconds(30);

std::string default_message(core::Code code) {
  switch (code) {
    case core::Code::kResourceExhausted:
      return "You exceeded your current quota, please check your plan and billing details. For more information on "
             "this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.";
    case core::Code::kInternal:
      return "An internal error has occurred. Please retry or report in "
             "https://developers.generativeai.google/guide/troubleshooting";
    case core::Code::kUnavailable:
      return "The model is overloaded. Please try again later.";
    case core::Code::kDeadlineExceeded:
      return "The request timed out. Please try again.";
    case core::Code::kPermissionDenied:
      return "The caller does not have permission";
    case core::Code::kInvalidArgument:
      return "Request contains an invalid argument.";
    default:
      return std::string(core::code_name(code));
  }
}

// 22 URL-safe characters, as the API's responseId looks.
std::string response_id(core::Rng& rng) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string id;
  for (int i = 0; i < 22; ++i) id += kAlphabet[rng.below(64)];
  return id;
}

core::Rng request_rng(uint64_t seed, const GenerateRequest& req) {
  return core::Rng(fingerprint(seed, req.model + "\n" + req.canonical));
}

const FunctionDecl* pick_function(const GenerateRequest& req) {
  for (const auto& f : req.functions) {
    if (req.allowed_functions.empty() ||
        std::find(req.allowed_functions.begin(), req.allowed_functions.end(), f.name) != req.allowed_functions.end()) {
      return &f;
    }
  }
  return nullptr;
}

// The body of a non-function answer in the requested format.
std::string formatted_text(const GenerateRequest& req, core::Rng& rng) {
  const std::string& mime = req.response_mime_type;
  if (mime == "application/json") {
    if (req.response_schema) return instance_of(*req.response_schema, req.schema_dialect, rng).dump();
    return Json{{"response", prose(rng, req.prompt_text())}}.dump();
  }
  if (mime == "text/x.enum" && req.response_schema) {
    Json v = instance_of(*req.response_schema, req.schema_dialect, rng);
    return v.is_string() ? v.get<std::string>() : v.dump();
  }
  std::string text = prose(rng, req.prompt_text());
  if (mime == "application/xml") return "<response>" + text + "</response>";
  if (mime == "application/yaml") return "response: \"" + text + "\"";
  return text;
}

}  // namespace

core::Status reply_error(const RuleReply& r) {
  core::Status s(r.code, r.message.empty() ? default_message(r.code) : r.message);
  if (r.code == core::Code::kResourceExhausted) {
    s.with(core::RetryInfo{r.retry_delay > core::Duration::zero() ? r.retry_delay : kDefaultRetryDelay});
  }
  return s;
}

Gemini::Gemini(uint64_t seed, std::vector<Rule> stack_rules) : seed_(seed) {
  for (auto& r : stack_rules) rules_.add(std::move(r));
}

core::StatusOr<const ModelInfo*> Gemini::model(const std::string& id, std::string_view method,
                                               std::string_view api_version) {
  const ModelInfo* m = find_model(id);
  if (!m || !m->supports(method)) {
    return core::Status::not_found("models/" + id + " is not found for API version " + std::string(api_version) +
                                   ", or is not supported for " + std::string(method) +
                                   ". Call ListModels to see the list of available models and their supported methods.");
  }
  return m;
}

Candidate Gemini::default_candidate(const GenerateRequest& req, core::Rng& rng) const {
  Candidate c;
  const FunctionDecl* f = req.function_mode == "ANY" && !req.ends_with_function_response() ? pick_function(req) : nullptr;
  if (f) {
    Json args = f->parameters.is_null() ? Json::object() : instance_of(f->parameters, f->dialect, rng);
    c.parts.push_back(OutPart{"", true, f->name, std::move(args)});
    return c;
  }
  std::string text = formatted_text(req, rng);
  if (req.max_output_tokens && req.response_mime_type == "text/plain") {
    bool cut = false;
    text = truncate_tokens(text, *req.max_output_tokens, cut);
    if (cut) c.finish_reason = "MAX_TOKENS";
  }
  c.parts.push_back(OutPart{std::move(text), false, "", Json()});
  return c;
}

Generation Gemini::default_generation(const GenerateRequest& req) const {
  core::Rng rng = request_rng(seed_, req);
  Generation g;
  for (int i = 0; i < req.candidate_count; ++i) g.candidates.push_back(default_candidate(req, rng));
  g.response_id = response_id(rng);
  return g;
}

Generation Gemini::scripted_generation(const GenerateRequest& req, const RuleReply& reply) const {
  core::Rng rng = request_rng(seed_, req);
  Generation g;
  g.response_id = response_id(rng);
  if (reply.kind == RuleReply::Kind::kBlock && reply.block_prompt) {
    g.prompt_block = reply.block_reason;
    return g;
  }
  Candidate c;
  switch (reply.kind) {
    case RuleReply::Kind::kText: c.parts.push_back(OutPart{reply.text, false, "", Json()}); break;
    case RuleReply::Kind::kJson: c.parts.push_back(OutPart{reply.value.dump(), false, "", Json()}); break;
    case RuleReply::Kind::kFunctionCall: c.parts.push_back(OutPart{"", true, reply.function_name, reply.value}); break;
    case RuleReply::Kind::kBlock:
      c.finish_reason = reply.block_reason;
      c.blocked = true;
      break;
    case RuleReply::Kind::kError: break;
  }
  g.candidates.assign(static_cast<size_t>(req.candidate_count), c);
  return g;
}

void Gemini::finish(const GenerateRequest& req, Generation& g) const {
  g.model_version = req.model;
  g.usage.prompt_tokens = req.prompt_tokens();
  g.usage.image_tokens = req.image_count() * kImageTokens;
  for (const auto& c : g.candidates) {
    for (const auto& p : c.parts) {
      g.usage.candidate_tokens += gemini::count_tokens(p.function_call ? p.function_name + " " + p.args.dump() : p.text);
    }
  }
}

Outcome<Generation> Gemini::generate(const GenerateRequest& req, std::string_view call) {
  auto reply = rules_.answer(CallKey{req.model, std::string(call), req.prompt_text()});
  if (reply && reply->kind == RuleReply::Kind::kError) return {reply->delay, reply_error(*reply)};
  Generation g = reply ? scripted_generation(req, *reply) : default_generation(req);
  finish(req, g);
  return {reply ? reply->delay : core::Duration{}, std::move(g)};
}

Outcome<TokenCount> Gemini::count_tokens(const GenerateRequest& req) {
  auto reply = rules_.answer(CallKey{req.model, "countTokens", req.prompt_text()});
  core::Duration delay = reply ? reply->delay : core::Duration{};
  if (reply && reply->kind == RuleReply::Kind::kError) return {delay, reply_error(*reply)};
  TokenCount t;
  t.image = req.image_count() * kImageTokens;
  t.text = req.prompt_tokens() - t.image;
  t.total = t.text + t.image;
  return {delay, t};
}

Outcome<std::vector<std::vector<float>>> Gemini::embed(const std::vector<EmbedRequest>& reqs, std::string_view call) {
  std::string joined;
  for (const auto& r : reqs) joined += (joined.empty() ? "" : "\n") + r.text;
  std::string model = reqs.empty() ? "" : reqs.front().model;
  auto reply = rules_.answer(CallKey{model, std::string(call), joined});
  core::Duration delay = reply ? reply->delay : core::Duration{};
  if (reply && reply->kind == RuleReply::Kind::kError) return {delay, reply_error(*reply)};
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const auto& r = reqs[i];
    const ModelInfo* m = find_model(r.model);
    int full = m ? m->embedding_dimensions : 768;
    int dims = r.output_dimensionality.value_or(full);
    if (dims < 1 || dims > full) {
      std::string where = call == "batchEmbedContents" ? "BatchEmbedContentsRequest.requests[" + std::to_string(i) + "]" : "EmbedContentRequest";
      return {delay, core::Status::invalid_argument("* " + where + ".output_dimensionality: must be between 1 and " +
                                                    std::to_string(full) + "\n")};
    }
    out.push_back(embed_text(seed_, r.model + "\n" + r.task_type, r.text, dims));
  }
  return {delay, std::move(out)};
}

}  // namespace gcpsim::services::gemini
