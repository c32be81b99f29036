#include "harness/client_libs.h"

#include <dlfcn.h>

#include <initializer_list>
#include <string>

#include "harness/step_context.h"

namespace gcpsim::harness {
namespace {

#define GCPSIM_STR2(x) #x
#define GCPSIM_STR(x) GCPSIM_STR2(x)
#if HIREDIS_MAJOR == 0
constexpr const char* kHiredisSoname = "libhiredis.so.0." GCPSIM_STR(HIREDIS_MINOR);
#else
constexpr const char* kHiredisSoname = "libhiredis.so." GCPSIM_STR(HIREDIS_MAJOR) "." GCPSIM_STR(HIREDIS_MINOR) ".0";
#endif
#undef GCPSIM_STR
#undef GCPSIM_STR2

// The library under its soname (the ABI the headers describe), or its development link.
void* open_library(std::initializer_list<const char*> names, const char* package) {
  std::string why;
  for (const char* name : names) {
    if (void* h = ::dlopen(name, RTLD_NOW | RTLD_LOCAL)) return h;
    if (why.empty()) why = ::dlerror();
  }
  throw StepError{std::string("cannot load ") + *names.begin() + " (Debian package " + package + "): " + why};
}

template <class Fn>
void bind(void* lib, Fn& fn, const char* symbol) {
  fn = reinterpret_cast<Fn>(::dlsym(lib, symbol));
  if (!fn) throw StepError{std::string("the loaded library has no ") + symbol};
}

#define GCPSIM_BIND(member, symbol) bind(lib, loaded.member, #symbol);

Libpq load_libpq() {
  void* lib = open_library({"libpq.so.5", "libpq.so"}, "libpq5");
  Libpq loaded{};
  GCPSIM_LIBPQ_FUNCTIONS(GCPSIM_BIND)
  return loaded;
}

Hiredis load_hiredis() {
  void* lib = open_library({kHiredisSoname, "libhiredis.so"}, "libhiredis");
  Hiredis loaded{};
  GCPSIM_HIREDIS_FUNCTIONS(GCPSIM_BIND)
  return loaded;
}

#undef GCPSIM_BIND

}  // namespace

// A failed load throws out of the static's initializer, so the next step tries again.
const Libpq& libpq() {
  static const Libpq l = load_libpq();
  return l;
}

const Hiredis& hiredis() {
  static const Hiredis h = load_hiredis();
  return h;
}

}  // namespace gcpsim::harness
