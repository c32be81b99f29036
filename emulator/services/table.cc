// The services table: every emulated API, in start order. Add a row per service.
#include "services/service.h"

#include "services/iam/service.h"
#include "services/pubsub/service.h"
#include "services/secrets/service.h"

namespace gcpsim::services {

const std::vector<ServiceDef>& service_table() {
  static const std::vector<ServiceDef> table = {
      {"iam", iam::IamService::create},  // first: others mint tokens through it
      {"pubsub", pubsub::create_service},
      {"secrets", secrets::create_service},
  };
  return table;
}

}  // namespace gcpsim::services
