// The stack file's `backing:` section as typed configuration: named Redis (Memorystore) and
// PostgreSQL (Cloud SQL) instances, and the Firestore emulator. Read by the backing service's
// own section parser (config.cc); `ctx.stack.section<BackingConfig>("backing")` returns it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/stack_section.h"
#include "core/time.h"

namespace gcpsim::core { struct StackConfig; }

namespace gcpsim::services::backing {

// One key of `redis.seed`: a scalar is a string (SET), a list a list (RPUSH), a mapping a
// hash (HSET); values in file order.
struct RedisSeed {
  enum class Kind { kString, kList, kHash };
  std::string key;
  Kind kind = Kind::kString;
  std::vector<std::string> values;  // kString: one; kList: items; kHash: field, value, …
};

struct RedisConfig {
  std::string name;               // the server's name: "redis", or "redis-NAME" for a named instance
  std::string instance;           // the instance id: "redis", or NAME
  std::optional<int> port;
  std::vector<RedisSeed> seed;    // written at start and after every reset
  bool auth = false;              // Memorystore AUTH: clients must send the AUTH string
  std::string auth_secret;        // the AUTH string is this secret's latest version; empty: generated
  std::string maxmemory;          // redis-server's maxmemory ("64mb"); empty: unlimited
  std::string maxmemory_policy;   // eviction policy; empty: Memorystore's volatile-lru
  int databases = 16;             // logical databases (SELECT 0..N-1)
};

// Cloud SQL automated backups: one a day at `start` (UTC, on gcpsim's clock), the newest
// `retained` kept.
struct BackupSchedule {
  int start_minutes = 0;  // minutes after midnight UTC
  int retained = 7;
};

struct PostgresConfig {
  enum class Engine { kPostgres, kPglite };
  std::string name;                  // "postgres", or "postgres-NAME" for a named instance
  std::optional<int> port;
  Engine engine = Engine::kPostgres;
  std::string database = "postgres";
  std::string user = "postgres";
  std::string instance = "postgres";  // Cloud SQL instance ID in PROJECT:REGION:INSTANCE
  std::string password_secret;        // a declared secret; empty: no password
  std::vector<std::string> init;      // absolute paths of SQL files run once, in order
  std::vector<std::string> extensions;  // CREATE EXTENSION'd before the init SQL
  std::optional<BackupSchedule> backups;
};

// A Firestore TTL policy: documents of the collection group whose `field` holds a timestamp
// in the past are deleted.
struct TtlPolicy {
  std::string collection_group;
  std::string field;
};

struct FirestoreConfig {
  std::optional<int> port;
  // `seed`: document path (collection/doc[/collection/doc…]) → its fields as JSON text, in
  // file order; written at start and after every reset.
  std::vector<std::pair<std::string, std::string>> seed;
  std::vector<TtlPolicy> ttl;
  core::Duration ttl_sweep = std::chrono::minutes(1);  // how often expired documents are looked for
};

// Instances in file order; the first of each kind is the default one (the plain variable names).
struct BackingConfig {
  std::vector<RedisConfig> redis;
  std::vector<PostgresConfig> postgres;
  std::optional<FirestoreConfig> firestore;
  bool named_redis = false;     // written as `redis: {NAME: {...}}`
  bool named_postgres = false;
  bool empty() const { return redis.empty() && postgres.empty() && !firestore; }
};

// The section parser for the services table.
core::StackSection stack_section();

// The stack's backing section, or nullptr when it has none.
const BackingConfig* config_of(const core::StackConfig& stack);

// "main" → "MAIN", "vector-db" → "VECTOR_DB": the suffix of an instance's own variables.
std::string env_suffix(const std::string& instance);

}  // namespace gcpsim::services::backing
