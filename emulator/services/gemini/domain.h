// The Gemini stub's behaviour: scripted rules first, otherwise a default answer that is
// a pure function of the seed and the request (same request, same seed: same bytes).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "services/gemini/models.h"
#include "services/gemini/request.h"
#include "services/gemini/rules.h"

namespace gcpsim::services::gemini {

struct OutPart {
  std::string text;
  bool function_call = false;
  std::string function_name;
  Json args;
};

struct Candidate {
  std::vector<OutPart> parts;
  std::string finish_reason = "STOP";  // STOP, MAX_TOKENS, SAFETY, …
  bool blocked = false;                // finish_reason names a block: no content
};

struct Usage {
  int prompt_tokens = 0;
  int image_tokens = 0;
  int candidate_tokens = 0;
  int total() const { return prompt_tokens + candidate_tokens; }
};

struct Generation {
  std::vector<Candidate> candidates;
  std::string prompt_block;  // promptFeedback.blockReason; no candidates when set
  Usage usage;
  std::string model_version;
  std::string response_id;
};

// What a call produces after `delay` on the virtual clock: a value or an error.
template <class T>
struct Outcome {
  core::Duration delay{};
  core::StatusOr<T> result;
};

struct TokenCount {
  int total = 0, text = 0, image = 0;
};

class Gemini {
 public:
  Gemini(uint64_t seed, std::vector<Rule> stack_rules);

  RuleBook& rules() { return rules_; }

  // NOT_FOUND in the API's words unless the model exists and lists the method among its
  // supportedGenerationMethods (streaming counts as generateContent, batches as embedContent).
  static core::StatusOr<const ModelInfo*> model(const std::string& id, std::string_view method,
                                                std::string_view api_version);

  // call: "generateContent" or "streamGenerateContent".
  Outcome<Generation> generate(const GenerateRequest& req, std::string_view call);
  Outcome<TokenCount> count_tokens(const GenerateRequest& req);
  // One unit vector per request; call: "embedContent" or "batchEmbedContents".
  Outcome<std::vector<std::vector<float>>> embed(const std::vector<EmbedRequest>& reqs, std::string_view call);

 private:
  Generation default_generation(const GenerateRequest& req) const;
  Generation scripted_generation(const GenerateRequest& req, const RuleReply& reply) const;
  Candidate default_candidate(const GenerateRequest& req, core::Rng& rng) const;
  void finish(const GenerateRequest& req, Generation& g) const;

  uint64_t seed_;
  RuleBook rules_;
};

// The error a scripted reply produces, worded as the API words it.
core::Status reply_error(const RuleReply& r);

}  // namespace gcpsim::services::gemini
