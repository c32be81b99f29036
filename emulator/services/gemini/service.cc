// Gemini's row in the services table.
#include "services/gemini/service.h"

#include "core/env.h"
#include "core/ids.h"
#include "core/stack.h"
#include "services/gemini/config.h"

namespace gcpsim::services::gemini {
namespace {

std::vector<Rule> stack_rules(const core::StackConfig& stack) {
  std::vector<Rule> rules;
  if (const auto* gemini = stack.section<GeminiConfig>("gemini")) {
    for (const auto& r : gemini->rules) rules.push_back(rule_from_stack(r));
  }
  return rules;
}

}  // namespace

GeminiService::GeminiService(core::Env& env, const core::StackConfig& stack, net::Router& router)
    : gemini_(env.ids.seed(), stack_rules(stack)) {
  add_routes(router, env, gemini_);
}

std::unique_ptr<Service> create(Context& ctx) {
  return std::make_unique<GeminiService>(ctx.env, ctx.stack, ctx.router);
}

}  // namespace gcpsim::services::gemini
