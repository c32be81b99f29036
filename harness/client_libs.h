// libpq and hiredis, loaded with dlopen the first time a scenario's sql: or redis: step runs.
// `gcpsim up` never maps them: libpq alone brings about twenty libraries (Kerberos, LDAP,
// GnuTLS, …), 3 MB of resident pages and a millisecond of the dynamic loader's time.
#pragma once
#include <hiredis/hiredis.h>
#include <libpq-fe.h>

// The functions the steps call, each named once: (member, symbol). client_libs.cc binds
// every member from the same list, so none can be declared and left unbound.
#define GCPSIM_LIBPQ_FUNCTIONS(X)                                                        \
  X(connectdb, PQconnectdb) X(status, PQstatus) X(error_message, PQerrorMessage)         \
  X(finish, PQfinish) X(exec, PQexec) X(result_status, PQresultStatus)                   \
  X(result_error_message, PQresultErrorMessage) X(clear, PQclear) X(ntuples, PQntuples) \
  X(nfields, PQnfields) X(fname, PQfname) X(ftype, PQftype) X(getisnull, PQgetisnull)    \
  X(getvalue, PQgetvalue) X(cmd_status, PQcmdStatus)
#define GCPSIM_HIREDIS_FUNCTIONS(X)                                                      \
  X(connect_with_timeout, redisConnectWithTimeout) X(set_timeout, redisSetTimeout)       \
  X(command_argv, redisCommandArgv) X(free_reply, freeReplyObject) X(free, redisFree)

namespace gcpsim::harness {

#define GCPSIM_CLIENT_FUNCTION(member, symbol) decltype(&::symbol) member;
struct Libpq {
  GCPSIM_LIBPQ_FUNCTIONS(GCPSIM_CLIENT_FUNCTION)
};
struct Hiredis {
  GCPSIM_HIREDIS_FUNCTIONS(GCPSIM_CLIENT_FUNCTION)
};
#undef GCPSIM_CLIENT_FUNCTION

// Loaded once, on the first call; throws StepError naming the library (and the Debian
// package that has it) when it cannot be loaded.
const Libpq& libpq();
const Hiredis& hiredis();

}  // namespace gcpsim::harness
