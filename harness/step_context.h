// What a running step works with (the session, variables, its own Step) and what it
// leaves behind: a response for expect/capture, mismatches, fields for the transcript.
#pragma once
#include <string>
#include <vector>

#include "core/time.h"
#include "harness/match.h"
#include "harness/request.h"
#include "harness/scenario.h"
#include "harness/session.h"
#include "harness/vars.h"

namespace gcpsim::harness {

// Thrown by a step that cannot run (bad value after substitution, no answer, …); the
// runner turns it into the failure headline after "step N (file:line): ".
struct StepError {
  std::string message;
  std::string details{};
};

class StepContext {
 public:
  StepContext(Session& s, Vars& v, const Step& st) : session(s), vars(v), step(st) {}

  Session& session;
  Vars& vars;
  const Step& step;

  Json response;                        // {status, headers, body, …} when the step answers
  std::vector<Mismatch> mismatches;     // conditions that did not hold
  Json record = Json::object();         // extra transcript fields (deterministic values only)

  const std::string& project() const { return session.stack().project; }
  // Sends to the edge (in process) or a URL and waits up to `timeout` of virtual time;
  // the answer becomes `response` (body parsed when it is JSON).
  Response call(Request req, core::Duration timeout);
  // The same, for calls whose failure ends the step: throws unless the status is 2xx.
  Json call_ok(Request req, const std::string& what);
};

// How long a step that calls gcpsim or a service waits for its answer unless it says `timeout`.
inline constexpr core::Duration kStepTimeout = std::chrono::minutes(5);

// Typed reads of substituted params; they throw StepError naming the key.
std::string text_param(const Json& params, const char* key, const std::string& fallback = "");
core::Duration duration_param(const Json& params, const char* key, core::Duration fallback);
int64_t int_param(const Json& params, const char* key, int64_t fallback);
bool bool_param(const Json& params, const char* key, bool fallback);

// The response a step exposes: {status, headers (lower-case names), body (JSON when it
// parses, else text), text (the raw body)}.
Json response_json(const Response& r);
std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);

}  // namespace gcpsim::harness
