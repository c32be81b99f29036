// The services table: every emulated API, in start order. Add a row per service.
#include "services/service.h"

namespace gcpsim::services {

const std::vector<ServiceDef>& service_table() {
  static const std::vector<ServiceDef> table = {
  };
  return table;
}

}  // namespace gcpsim::services
