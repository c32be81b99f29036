// Scripted answers: rules from the stack file or the control API that match a call by
// model, method, prompt regex and call number, and say what the model replies.
#pragma once
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"

namespace gcpsim::services::gemini {

struct GeminiRule;  // config.h

using Json = nlohmann::ordered_json;

struct RuleReply {
  enum class Kind { kText, kJson, kFunctionCall, kError, kBlock };
  Kind kind = Kind::kText;
  std::string text;              // kText
  Json value;                    // kJson: the reply; kFunctionCall: the arguments
  std::string function_name;     // kFunctionCall
  core::Code code = core::Code::kUnknown;  // kError
  std::string message;           // kError; empty: the API's usual wording
  core::Duration retry_delay{};  // kError with RESOURCE_EXHAUSTED; zero: 30s
  std::string block_reason;      // kBlock: "SAFETY", "RECITATION", … (finishReason)
  bool block_prompt = false;     // kBlock: promptFeedback.blockReason instead
  core::Duration delay{};        // added on the virtual clock before answering
  core::Duration every{};        // an OpenAI stub's streamed reply: between chunks, on the clock
};

struct Rule {
  std::string id;                // "rule-1"
  std::string model;             // empty: any
  std::string call;              // "generateContent", …; empty: any
  std::string prompt;            // regex source as given; empty: any
  std::optional<std::regex> prompt_re;
  int64_t after = 0;             // let this many matching calls through first
  std::optional<int64_t> count;  // apply at most this many times
  RuleReply reply;
  int64_t seen = 0, fired = 0;   // state
};

// The call a rule is matched against. Streaming calls also match "generateContent" rules,
// batch embeddings "embedContent" rules.
struct CallKey {
  std::string model, call, prompt;
};

class RuleBook {
 public:
  std::string add(Rule rule);
  void clear() { rules_.clear(); }
  const std::vector<Rule>& rules() const { return rules_; }
  // The first rule that matches and is within its call numbers; counters advance for every
  // rule whose match fits, so "after"/"count" count calls, not wins.
  std::optional<RuleReply> answer(const CallKey& key);

 private:
  uint64_t next_id_ = 1;
  std::vector<Rule> rules_;
};

// The stack file's rule, and the control API's JSON (the same shape, plus
// reply.functionCall, reply.block, reply.retryDelay, after and count).
Rule rule_from_stack(const GeminiRule& r);
core::StatusOr<Rule> rule_from_json(const nlohmann::json& j);
nlohmann::json rule_to_json(const Rule& r);

}  // namespace gcpsim::services::gemini
