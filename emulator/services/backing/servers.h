// How each backing server is started: the one-shot commands that prepare it (initdb), the
// server itself on a private port, how to tell it answers, and the one-shots that seed it
// once it does (database, init SQL). Pure planning plus file preparation; the service runs
// the plans through Run's supervisor.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "services/backing/config.h"
#include "core/status.h"
#include "proc/spawn.h"

namespace gcpsim::services::backing {

// An HTTP call to the server's private port (the Firestore emulator's REST API).
struct Call {
  std::string method;
  std::string target;  // "/v1/projects/…"
  std::string body;    // JSON; empty: none
};

// A server's start runs before → server → after → seed → seed_calls; a reset (the stack's
// initial state again, the server kept running) runs reset → reset_calls → seed → seed_calls.
struct Plan {
  std::vector<proc::SpawnSpec> before; // one-shots run in order before the server (initdb)
  proc::SpawnSpec server;              // the long-running server on the private port
  std::string ready_line;              // non-empty: ready once a log line contains it; else when the port accepts
  std::vector<proc::SpawnSpec> after;  // one-shots once the server answers (database, init SQL)
  std::string done_marker;             // written when `after` succeeded; its presence skips `after`
  std::vector<proc::SpawnSpec> reset;  // one-shots that empty the server (FLUSHALL; drop, create, init SQL)
  std::vector<Call> reset_calls;       // calls that empty it (Firestore's documents DELETE)
  std::vector<proc::SpawnSpec> seed;   // one-shots writing the stack's seed data (redis)
  std::vector<Call> seed_calls;        // calls writing it (Firestore documents)
};

// The environment every backing process gets (gcpsim's own, minus nothing).
std::vector<std::string> inherited_env();

// `auth`: the AUTH string clients must send (requirepass); empty: none.
core::StatusOr<Plan> redis_plan(uint16_t port, const RedisConfig& config, const std::string& auth);

struct PostgresSetup {
  const PostgresConfig& config;
  std::string password;  // from the Secret Manager secret; empty: trust authentication
  std::string dir;       // data directory (kept when it already holds a cluster)
  std::string base;      // gcpsim's work dir: parents of `dir` up to it must let postgres through
  uint16_t port = 0;
};
core::StatusOr<Plan> postgres_plan(const PostgresSetup& setup);
// PGlite (PostgreSQL in WebAssembly with pgvector) behind pglite-socket, a node process. `dir`
// is its data directory (kept across starts when --data-dir is set), empty: in memory.
core::StatusOr<Plan> pglite_plan(const PostgresSetup& setup);

// The node package serving PGlite (emulator/services/backing/pglite, or $GCPSIM_PGLITE_DIR).
std::string pglite_dir();

// psql's argv against a server on `port` as `user`, and the environment giving the password.
std::vector<std::string> psql_argv(uint16_t port, const std::string& user);
core::StatusOr<std::string> postgres_tool(const std::string& name);  // pg_dump, pg_restore, psql
std::string quote_identifier(const std::string& id);

core::StatusOr<Plan> firestore_plan(const std::string& project, uint16_t port, const FirestoreConfig& config);

// A Firestore REST document body {"fields": {…typed values…}} for a JSON object of fields
// (integers → integerValue, …); the scenario steps write documents the same way.
std::string firestore_document_body(const std::string& json_fields);

// "postgresql://user:pass@127.0.0.1:port/db" with user, password and database escaped.
std::string postgres_url(const std::string& user, const std::string& password, uint16_t port, const std::string& db);

}  // namespace gcpsim::services::backing
