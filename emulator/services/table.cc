// The services table: every emulated API, in start order. Add a row per service.
#include "services/service.h"

#include "core/stack_section.h"

#include "services/backing/service.h"
#include "services/iam/service.h"
#include "services/pubsub/service.h"
#include "services/run/service.h"
#include "services/secrets/service.h"
#include "services/oauth/service.h"
#include "services/calendar/service.h"
#include "services/functions/service.h"
#include "services/gemini/service.h"
#include "services/storage/service.h"
#include "services/stubs/service.h"
#include "services/tasks/service.h"

namespace gcpsim::services {

const std::vector<ServiceDef>& service_table() {
  static const std::vector<ServiceDef> table = {
      {"iam", iam::IamService::create},  // first: others mint tokens through it
      {"pubsub", pubsub::create_service},
      {"secrets", secrets::create_service},
      {"backing", backing::BackingService::create},  // after secrets (password), before run (env)
      {"run", run::RunService::create},  // after iam, pubsub, secrets: tokens and secret env
      {"oauth", oauth::create_service},        // after iam: signs ID tokens with its issuer
      {"calendar", calendar::create_service},  // after oauth: users come from tokens
      {"gemini", gemini::create_service},
      {"storage", storage::create_service},
      {"tasks", tasks::create_service},  // after iam: mints tokens for OIDC/OAuth targets
      {"functions", functions::create_service},  // after pubsub, run, storage: wires triggers to them
      {"stubs", stubs::StubsService::create, stubs::stack_section},  // HTTP stubs and the OpenAI API
  };
  return table;
}

std::vector<core::StackSection> stack_sections() {
  std::vector<core::StackSection> out;
  for (auto& def : service_table()) {
    if (def.section) out.push_back(def.section());
  }
  return out;
}

}  // namespace gcpsim::services
