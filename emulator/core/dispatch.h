// The one wrapper every call passes, whatever carried it (gRPC, REST, internal): checks
// fault rules, runs the body (possibly after an injected delay on the clock), records the
// api.call event with the resulting code, and hands the Status to `done`.
#pragma once
#include <functional>
#include <string>

#include "core/events.h"
#include "core/faults.h"
#include "core/status.h"

namespace gcpsim::core {

struct Env;

struct Call {
  std::string method{};  // "pubsub.Publish"
  std::string service{}; // "pubsub"
  std::string target{};  // resource name when known
  Attrs attrs{};         // extra event attributes (never payloads)
  Boundary boundary = Boundary::kApi;
};

using Done = std::function<void(Status)>;
// A body completes by calling its Done exactly once (now, or later from a timer).
using Body = std::function<void(Done)>;

void dispatch(Env& env, Call call, Body body, Done done);

// Convenience for synchronous bodies.
inline Body sync_body(std::function<Status()> fn) {
  return [fn = std::move(fn)](Done done) { done(fn()); };
}

}  // namespace gcpsim::core
