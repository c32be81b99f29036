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

Libpq load_libpq() {
  void* lib = open_library({"libpq.so.5", "libpq.so"}, "libpq5");
  Libpq l{};
  bind(lib, l.connectdb, "PQconnectdb");
  bind(lib, l.status, "PQstatus");
  bind(lib, l.error_message, "PQerrorMessage");
  bind(lib, l.finish, "PQfinish");
  bind(lib, l.exec, "PQexec");
  bind(lib, l.result_status, "PQresultStatus");
  bind(lib, l.result_error_message, "PQresultErrorMessage");
  bind(lib, l.clear, "PQclear");
  bind(lib, l.ntuples, "PQntuples");
  bind(lib, l.nfields, "PQnfields");
  bind(lib, l.fname, "PQfname");
  bind(lib, l.ftype, "PQftype");
  bind(lib, l.getisnull, "PQgetisnull");
  bind(lib, l.getvalue, "PQgetvalue");
  bind(lib, l.cmd_status, "PQcmdStatus");
  return l;
}

Hiredis load_hiredis() {
  void* lib = open_library({kHiredisSoname, "libhiredis.so"}, "libhiredis");
  Hiredis h{};
  bind(lib, h.connect_with_timeout, "redisConnectWithTimeout");
  bind(lib, h.set_timeout, "redisSetTimeout");
  bind(lib, h.command_argv, "redisCommandArgv");
  bind(lib, h.free_reply, "freeReplyObject");
  bind(lib, h.free, "redisFree");
  return h;
}

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
