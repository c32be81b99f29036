// Cloud Functions' stack-file section (`functions:`): each 2nd-gen function is a Run service
// (read by Cloud Run's service reader, with the Cloud Functions defaults) plus its trigger.
#pragma once
#include <map>
#include <string>

#include "core/stack_section.h"
#include "services/run/service.h"

namespace gcpsim::core { struct StackConfig; }

namespace gcpsim::services::functions {

struct FunctionTrigger {
  enum class Kind { kHttp, kPubsub, kStorage };
  Kind kind = Kind::kHttp;
  std::string topic;   // kPubsub: topic id (implied in pubsub.topics)
  std::string bucket;  // kStorage: bucket name
  std::string event;   // kStorage: "google.cloud.storage.object.v1.finalized", …
  bool retry = false;  // event triggers: redeliver when the function fails
  std::string dead_letter;  // event triggers: topic id, empty for none
  int max_attempts = 5;     // delivery attempts before dead-lettering
};

// A 2nd-gen function is a Run service plus a trigger. The reader starts `service` from the
// Cloud Functions defaults (concurrency 1, timeout 60s) rather than Cloud Run's.
struct FunctionConfig {
  run::RunServiceConfig service;
  FunctionTrigger trigger;
};

using StackFunctions = std::map<std::string, FunctionConfig>;

// The `functions` section, read after `run` (a function may not reuse a service's name).
core::StackSection stack_section();
// The declared functions (none without a `functions` section).
const StackFunctions& stack_functions(const core::StackConfig& stack);

}  // namespace gcpsim::services::functions
