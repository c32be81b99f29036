// The step-kinds table: every step a scenario can take, read top to bottom. Each row says
// how its value is checked when the file loads and how it runs against the emulator.
#pragma once
#include <string_view>
#include <vector>

#include "core/stack_yaml.h"
#include "harness/scenario.h"

namespace gcpsim::harness {

class StepContext;  // harness/step_context.h

struct StepKind {
  std::string_view name;
  bool answers;  // yields a response that `expect:` and `capture:` inspect
  void (*check)(const core::stackfile::Field& value);  // load time; throws StackError
  void (*run)(StepContext& ctx, const Json& params);   // params have ${vars} substituted
};

const std::vector<StepKind>& step_kinds();
const StepKind* find_step_kind(std::string_view name);
std::string step_kind_names();  // "http, publish, …" for messages

// Load-time check of an `expect:` mapping; response keys (status, json, …) only when the
// step answers.
void check_expect_value(const core::stackfile::Field& f, bool with_response);

}  // namespace gcpsim::harness
