// libpq and hiredis, loaded with dlopen the first time a scenario's sql: or redis: step runs.
// `gcpsim up` never maps them: libpq alone brings about twenty libraries (Kerberos, LDAP,
// GnuTLS, …), 3 MB of resident pages and a millisecond of the dynamic loader's time.
#pragma once
#include <hiredis/hiredis.h>
#include <libpq-fe.h>

namespace gcpsim::harness {

struct Libpq {
  decltype(&::PQconnectdb) connectdb;
  decltype(&::PQstatus) status;
  decltype(&::PQerrorMessage) error_message;
  decltype(&::PQfinish) finish;
  decltype(&::PQexec) exec;
  decltype(&::PQresultStatus) result_status;
  decltype(&::PQresultErrorMessage) result_error_message;
  decltype(&::PQclear) clear;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQnfields) nfields;
  decltype(&::PQfname) fname;
  decltype(&::PQftype) ftype;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQcmdStatus) cmd_status;
};

struct Hiredis {
  decltype(&::redisConnectWithTimeout) connect_with_timeout;
  decltype(&::redisSetTimeout) set_timeout;
  decltype(&::redisCommandArgv) command_argv;
  decltype(&::freeReplyObject) free_reply;
  decltype(&::redisFree) free;
};

// Loaded once, on the first call; throws StepError naming the library (and the Debian
// package that has it) when it cannot be loaded.
const Libpq& libpq();
const Hiredis& hiredis();

}  // namespace gcpsim::harness
