// Scenario files: settings, variables and steps as `gcpsim test` loads them.
#include "fuzz.h"
#include "harness/scenario.h"

using namespace gcpsim;

GCPSIM_FUZZ_TARGET(scenario_yaml) { (void)harness::parse_scenario(input, "/nonexistent-gcpsim-fuzz/scenario.yaml"); }
