// Runs one scenario against a fresh emulator: steps in order, per-step progress, the
// failure report (step, file:line, expected vs actual, last events) and the transcript.
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "harness/scenario.h"

namespace gcpsim::harness {

struct RunConfig {
  std::string stack;                 // --stack: overrides the scenario's stack: key
  std::optional<uint64_t> seed;      // --seed: overrides the scenario's and the stack's
  std::ostream* progress = nullptr;  // per-step lines; null: quiet
  bool color = false;                // ANSI marks for a terminal
};

struct RunResult {
  bool passed = false;
  bool load_error = false;  // the stack or a name the steps use could not be resolved
  std::string headline;     // "step 3 (orders.yaml:12): expected status 200, got 404"
  std::string details;      // the diff, the response, the last events
  std::string transcript;   // JSONL: header, events and step records, result
  bool skipped = false;     // a `requires:` service is not served by this build
};

RunResult run_scenario(const Scenario& scenario, const RunConfig& config);

// Exit status of `gcpsim test` when every scenario was skipped (ctest's SKIP_RETURN_CODE).
constexpr int kSkippedExit = 77;

// A scenario with expect_failure passes when it fails with a headline containing that
// text, and fails when it passes or fails otherwise.
RunResult judge(const std::string& expect_failure, RunResult result);

}  // namespace gcpsim::harness
