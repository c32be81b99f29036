// libfaketime for chosen Cloud Run services, functions or Compute Engine processes
// (GROUP/PROCESS): their processes read gcpsim's virtual clock from a file rewritten whenever
// the clock moves. Used by `gcpsim test` (a scenario's `faketime:`) and `gcpsim up --faketime`.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/stack.h"
#include "core/time.h"

namespace gcpsim::harness {

// Sets LD_PRELOAD and libfaketime's variables in the named services' (or GROUP/PROCESS
// processes') environment; an error names one the stack lacks or a missing libfaketime.
std::optional<std::string> enable_faketime(core::StackConfig& stack, const std::vector<std::string>& names,
                                           const std::string& file);
// Writes `t` (to the second) to the file, atomically, in libfaketime's absolute form.
void write_faketime_file(const std::string& file, core::Time t);

}  // namespace gcpsim::harness
