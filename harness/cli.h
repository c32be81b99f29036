// `gcpsim test SCENARIO...`: runs scenario files and reports (exit 0 pass, 1 failure,
// 2 usage or load error).
#pragma once

namespace gcpsim::harness {

extern const char* const kTestUsage;

// argv holds the arguments after "test".
int run_test_command(int argc, char** argv);

}  // namespace gcpsim::harness
