// Gemini's row in the services table.
#include "services/gemini/service.h"

#include "core/env.h"
#include "core/ids.h"
#include "core/stack.h"

namespace gcpsim::services::gemini {
namespace {

std::vector<Rule> stack_rules(const core::StackConfig& stack) {
  std::vector<Rule> rules;
  for (const auto& r : stack.gemini.rules) rules.push_back(rule_from_stack(r));
  return rules;
}

}  // namespace

GeminiService::GeminiService(core::Env& env, const core::StackConfig& stack, net::Router& router)
    : gemini_(env.ids.seed(), stack_rules(stack)) {
  add_routes(router, env, gemini_);
}

std::unique_ptr<Service> create_service(Context& ctx) {
  return std::make_unique<GeminiService>(ctx.env, ctx.stack, ctx.router);
}

}  // namespace gcpsim::services::gemini
