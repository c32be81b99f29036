// Gemini's stack-file section: rules scripted before serving (`gemini.rules`). The first
// matching rule wins; requests that match none get the deterministic default.
#pragma once
#include <string>
#include <vector>

#include "core/stack_section.h"
#include "core/status.h"
#include "core/time.h"

namespace gcpsim::services::gemini {

struct GeminiMatch {
  std::string model;            // empty: any model
  std::string prompt;           // ECMAScript regex searched in the request's text; empty: any
  bool prompt_ignore_case = false;  // the file wrote a leading "(?i)"
  // "generateContent", "streamGenerateContent", "countTokens" or "embedContent"; empty: any.
  std::string call;
};

struct GeminiReply {
  enum class Kind { kText, kJson, kError };
  Kind kind = Kind::kText;
  std::string text;             // kText
  std::string json;             // kJson: the reply as serialized JSON text
  core::Code code = core::Code::kUnknown;  // kError
  std::string message;          // kError; empty: the service's usual wording
  core::Duration delay{};       // added before answering, whatever the kind
  core::Duration every{};       // an OpenAI stub's streamed reply: between chunks
};

struct GeminiRule {
  GeminiMatch match;
  GeminiReply reply;
};

struct GeminiConfig {
  std::vector<GeminiRule> rules;
};

// The `gemini` section; its result is ctx.stack.section<GeminiConfig>("gemini").
core::StackSection stack_section();

// One rule in the section's form; the OpenAI stub's `stubs.NAME.rules` read the same way.
// `paced`: the rule may set `every` (an OpenAI stub's rules; Gemini streams without pacing).
GeminiRule read_rule(const core::stackfile::Field& f, bool paced = false);

}  // namespace gcpsim::services::gemini
