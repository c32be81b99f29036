// Reads the `gemini` section: each rule's match (model, call, prompt regex) and reply.
#include "services/gemini/config.h"

#include "core/regex.h"
#include "core/stack_yaml.h"

namespace gcpsim::services::gemini {
namespace {

using namespace core::stackfile;
using namespace std::chrono_literals;

GeminiMatch read_match(const Field& f) {
  Map m(f, {"model", "prompt", "call"});
  GeminiMatch match;
  if (auto x = m.get("model")) match.model = text(*x);
  if (auto x = m.get("call")) {
    match.call = one_of(*x, {"generateContent", "streamGenerateContent", "countTokens", "embedContent"});
  }
  if (auto x = m.get("prompt")) {
    std::string re = text(*x);
    // std::regex has no inline flags; "(?i)" is how users of other engines ask for them.
    match.prompt_ignore_case = re.rfind("(?i)", 0) == 0;
    match.prompt = match.prompt_ignore_case ? re.substr(4) : re;
    auto compiled = core::compile_regex(re, "invalid regular expression");
    if (!compiled.ok()) fail(*x, compiled.status().message());
  }
  return match;
}

}  // namespace

GeminiRule read_rule(const Field& f, bool paced) {
  Map m(f, {"match", "reply"});
  GeminiRule rule;
  if (auto mf = m.get("match")) rule.match = read_match(*mf);
  Field rf = m.require("reply");
  std::vector<std::string_view> keys = {"text", "json", "error", "message", "delay"};
  if (paced) keys.push_back("every");
  Map rm(rf, keys);
  if (rm.has("text") + rm.has("json") + rm.has("error") != 1) {
    fail_under(rf, "set exactly one of 'text', 'json' or 'error'");
  }
  GeminiReply& r = rule.reply;
  if (auto t = rm.get("text")) r.text = text(*t);
  if (auto j = rm.get("json")) {
    r.kind = GeminiReply::Kind::kJson;
    r.json = json_text(j->node);
  }
  if (auto e = rm.get("error")) {
    r.kind = GeminiReply::Kind::kError;
    r.code = error_code(*e);
  }
  if (auto msg = rm.get("message")) {
    if (r.kind != GeminiReply::Kind::kError) fail(*msg, "applies only to an 'error' reply");
    r.message = text(*msg);
  }
  if (auto d = rm.get("delay")) r.delay = duration(*d, 0s, 3600s);
  if (auto e = rm.get("every")) r.every = duration(*e, 0s, 3600s);
  return rule;
}

core::StackSection stack_section() {
  return {"gemini", [](const Field& section, core::SectionContext&) -> std::any {
            Map m(section, {"rules"});
            GeminiConfig cfg;
            if (auto f = m.get("rules")) {
              for (auto& rf : items(*f)) cfg.rules.push_back(read_rule(rf));
            }
            return cfg;
          }};
}

}  // namespace gcpsim::services::gemini
