// The services table: every emulated API, in start order. Add a row per service.
#include "services/service.h"

#include <algorithm>

#include "core/stack.h"
#include "core/stack_section.h"

#include "services/backing/service.h"
#include "services/bigquery/service.h"
#include "services/iam/service.h"
#include "services/metadata/service.h"
#include "services/pubsub/service.h"
#include "services/run/service.h"
#include "services/secrets/service.h"
#include "services/oauth/service.h"
#include "services/calendar/service.h"
#include "services/compute/service.h"
#include "services/functions/service.h"
#include "services/gemini/service.h"
#include "services/storage/service.h"
#include "services/stubs/service.h"
#include "services/tasks/service.h"

namespace gcpsim::services {

const std::vector<ServiceDef>& service_table() {
  static const std::vector<ServiceDef> table = {
      {"iam", iam::create},  // first: others mint tokens through it
      {"metadata", metadata::create},    // after iam: serves its tokens
      {"pubsub", pubsub::create, pubsub::stack_section},
      {"secrets", secrets::create, secrets::stack_section},
      {"backing", backing::BackingService::create,  // after secrets (password), before run (env)
       backing::stack_section},
      {"run", run::RunService::create,  // after iam, pubsub, secrets: tokens and secret env
       run::stack_section},
      {"oauth", oauth::create},        // after iam: signs ID tokens with its issuer
      {"calendar", calendar::create, calendar::stack_section},  // after oauth: users come from tokens
      {"gemini", gemini::create, gemini::stack_section},
      {"storage", storage::create, storage::stack_section},
      {"tasks", tasks::create, tasks::stack_section},  // after iam: mints tokens for OIDC/OAuth targets
      {"functions", functions::create, functions::stack_section},  // after pubsub, run, storage: wires triggers to them
      {"compute", compute::ComputeService::create, compute::compute_section},  // after run, storage: LB backends
      {"bigquery", bigquery::create, bigquery::stack_section},  // after storage (load/extract)
      {"stubs", stubs::StubsService::create, stubs::stack_section},  // HTTP stubs and the OpenAI API
  };
  return table;
}

// The stack file's keys in the order they are read and listed in messages, as
// docs/stack-file.md presents them: run before functions (a function may not take a
// service's name) and the shared `faults` after the first five. Sections not named here
// follow in table order.
std::vector<core::StackSection> stack_sections() {
  static const std::vector<std::string> kFirst = {"run", "functions", "pubsub", "storage", "secrets", "faults"};
  std::vector<core::StackSection> all, out;
  for (auto& def : service_table()) {
    if (def.section) all.push_back(def.section());
  }
  all.push_back(core::fault_section());
  for (const auto& key : kFirst) {
    for (auto& s : all)
      if (s.key == key) out.push_back(s);
  }
  for (auto& s : all) {
    if (std::find(kFirst.begin(), kFirst.end(), s.key) == kFirst.end()) out.push_back(s);
  }
  return out;
}

}  // namespace gcpsim::services
