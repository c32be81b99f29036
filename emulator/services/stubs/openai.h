// The built-in OpenAI-compatible API a stub of kind `openai` serves: chat completions,
// embeddings, models and the Responses API, answered from scripted rules (Gemini's form)
// or deterministically from the seed and the request, with OpenAI's error shapes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "services/gemini/service.h"

namespace gcpsim::services::stubs::openai {

using Json = nlohmann::ordered_json;

// {"error":{"message","type","param","code"}} with its HTTP status.
struct Error {
  int status = 400;
  std::string message, type = "invalid_request_error", param, code;
  core::Duration retry_after{};  // 429: the retry-after header
  Json body() const;
};

// What one call produced: after `delay` on the clock, a body or an error.
struct Result {
  core::Duration delay{};
  core::Duration every{};  // a streamed reply: between chunks (a rule's `every`)
  std::optional<Error> error;
  Json body;
  std::string model, prompt;  // for the api.call event
};

struct ModelInfo {
  std::string id;
  int context = 0;     // tokens
  int dimensions = 0;  // > 0: an embedding model
};
const std::vector<ModelInfo>& models();
const ModelInfo* find_model(const std::string& id);

class OpenAi {
 public:
  OpenAi(uint64_t seed, std::vector<gemini::Rule> rules) : seed_(seed) {
    for (auto& r : rules) rules_.add(std::move(r));
  }
  gemini::RuleBook& rules() { return rules_; }

  Result chat(const Json& body, core::Time now);
  Result embeddings(const Json& body);
  Result responses(const Json& body, core::Time now);
  Json model_list(core::Time now) const;

 private:
  Json chat_choice(const Json& req, const std::string& prompt, int index, core::Rng& rng) const;
  std::optional<Error> scripted(const std::string& model, const std::string& call, const std::string& prompt,
                                std::optional<gemini::RuleReply>& reply, core::Duration& delay);

  uint64_t seed_;
  gemini::RuleBook rules_;
};

// A chat completion as the SSE chunks `stream: true` sends (before "[DONE]").
std::vector<Json> chat_chunks(const Json& completion, bool include_usage);
// The error a rule or fault with this canonical code gives, in OpenAI's words.
Error error_for(core::Code code, const std::string& message, core::Duration retry_after);

}  // namespace gcpsim::services::stubs::openai
