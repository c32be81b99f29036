// The step kinds' run functions (steps_api.cc, steps_time.cc, expect.cc), named in the
// step-kinds table (step_kinds.cc).
#pragma once
#include "harness/step_context.h"

namespace gcpsim::harness {

void run_http(StepContext& ctx, const Json& params);
// The request an http step's value describes (a websocket step opens with one too).
Request http_request(StepContext& ctx, const Json& params);
void run_websocket(StepContext& ctx, const Json& params);  // steps_websocket.cc
void run_publish(StepContext& ctx, const Json& params);
void run_pull(StepContext& ctx, const Json& params);
void run_gcs(StepContext& ctx, const Json& params);
void run_secret(StepContext& ctx, const Json& params);
void run_advance(StepContext& ctx, const Json& params);
void run_wait_for(StepContext& ctx, const Json& params);
void run_fault(StepContext& ctx, const Json& params);
void run_clear_faults(StepContext& ctx, const Json& params);
void run_kill(StepContext& ctx, const Json& params);
void run_restart(StepContext& ctx, const Json& params);
void run_expect(StepContext& ctx, const Json& params);
void run_stub(StepContext& ctx, const Json& params);
void run_hmac(StepContext& ctx, const Json& params);
// The `stub` expectation: what a stub received (steps_stubs.cc).
void expect_stub(StepContext& ctx, const Json& spec);
// An http step with `repeat: N`: substitutes ${i} = 1..N into N copies, sends them all at
// once and checks every response against expect: (state expectations once, at the end).
void run_http_repeated(StepContext& ctx);

// True for expect: keys that look at the emulator's state (events, logs, …), not a response.
bool is_state_expectation(const std::string& key);

void run_redis(StepContext& ctx, const Json& params);
void run_sql(StepContext& ctx, const Json& params);
void run_firestore(StepContext& ctx, const Json& params);
void run_backup(StepContext& ctx, const Json& params);
void run_restore(StepContext& ctx, const Json& params);

// `redis`, `sql` and `firestore` expectations on the backing servers; false for other keys.
bool check_backing_expect(StepContext& ctx, const std::string& key, const Json& value);

// Checks an `expect:` against the step's response (null for a standalone expect step) and
// the emulator's state; adds what does not hold to ctx.mismatches.
void check_expect(StepContext& ctx, const Json& expect, const Json& response);

// Events as expectations see them: {"seq","time","kind","service","attrs"}.
Json event_json(const core::Event& e);
// {kind, service, attrs, time} against an event (kind takes a trailing '*'; attrs and time take matchers).
bool event_matches(const Json& spec, const Json& event);

}  // namespace gcpsim::harness
