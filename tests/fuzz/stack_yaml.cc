// Stack files: the YAML a team writes, parsed with every service's own section.
#include "core/stack.h"
#include "fuzz.h"
#include "services/service.h"

using namespace gcpsim;

GCPSIM_FUZZ_TARGET(stack_yaml) {
  static const auto sections = services::stack_sections();
  // Relative paths resolve against a directory that does not exist: nothing is read.
  (void)core::parse_stack(input, "gcpsim.yaml", "/nonexistent-gcpsim-fuzz", sections);
}
