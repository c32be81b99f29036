// How each backing server is started: the one-shot commands that prepare it (initdb), the
// server itself on a private port, how to tell it answers, and the one-shots that seed it
// once it does (database, init SQL). Pure planning plus file preparation; the service runs
// the plans through Run's supervisor.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/stack.h"
#include "core/status.h"
#include "services/run/spawn.h"

namespace gcpsim::services::backing {

struct Plan {
  std::vector<run::SpawnSpec> before;  // one-shots run in order before the server (initdb)
  run::SpawnSpec server;               // the long-running server on the private port
  std::string ready_line;              // non-empty: ready once a log line contains it; else when the port accepts
  std::vector<run::SpawnSpec> after;   // one-shots once the server answers (database, init SQL)
  std::string done_marker;             // written when `after` succeeded; its presence skips `after`
};

// The environment every backing process gets (gcpsim's own, minus nothing).
std::vector<std::string> inherited_env();

core::StatusOr<Plan> redis_plan(uint16_t port);

struct PostgresSetup {
  const core::PostgresConfig& config;
  std::string password;  // from the Secret Manager secret; empty: trust authentication
  std::string dir;       // data directory (kept when it already holds a cluster)
  std::string base;      // gcpsim's work dir: parents of `dir` up to it must let postgres through
  uint16_t port = 0;
};
core::StatusOr<Plan> postgres_plan(const PostgresSetup& setup);

core::StatusOr<Plan> firestore_plan(const std::string& project, uint16_t port);

// "postgresql://user:pass@127.0.0.1:port/db" with user, password and database escaped.
std::string postgres_url(const std::string& user, const std::string& password, uint16_t port, const std::string& db);

}  // namespace gcpsim::services::backing
