// libFuzzer's entry point for one target, chosen at build time (GCPSIM_FUZZ_NAME).
#include <cstdio>
#include <cstdlib>

#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const gcpsim::fuzz::Entry entry = [] {
    auto e = gcpsim::fuzz::find_target(GCPSIM_FUZZ_NAME);
    if (!e) {
      std::fprintf(stderr, "no fuzz target %s\n", GCPSIM_FUZZ_NAME);
      std::abort();
    }
    return e;
  }();
  entry(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
