// The backing section, read by the backing service's own parser: named instances beside the
// single-instance form, Redis AUTH and memory, pgvector's engine, backups and Firestore TTL.
#include <catch2/catch.hpp>

#include "core/stack.h"
#include "services/backing/config.h"
#include "services/service.h"

namespace backing_config_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using services::backing::BackingConfig;
using services::backing::PostgresConfig;

namespace {

BackingConfig parse_ok(const std::string& yaml) {
  auto r = core::parse_stack(yaml, "gcpsim.yaml", "/srv/app", services::stack_sections());
  INFO(r.status().message());
  REQUIRE(r.ok());
  REQUIRE(r->section<BackingConfig>("backing"));
  return *r->section<BackingConfig>("backing");
}

std::string error_of(const std::string& yaml) {
  auto r = core::parse_stack(yaml, "gcpsim.yaml", "/srv/app", services::stack_sections());
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("named Postgres and Redis instances, in file order, each its own server and Cloud SQL instance") {
  auto b = parse_ok(R"(
secrets: {pw: {value: x}, redis-auth: {value: y}}
backing:
  postgres:
    main: {database: app, user: app, password_secret: pw, backups: {start: "03:00", retained: 3}}
    vectors: {extensions: [vector], init: [sql/v.sql]}
  redis:
    cache: {maxmemory: 64MB, maxmemory_policy: allkeys-lru}
    broker: {auth: true, databases: 4}
    sessions: {auth_secret: redis-auth}
)");
  REQUIRE(b.named_postgres);
  REQUIRE(b.postgres.size() == 2);
  CHECK(b.postgres[0].name == "postgres-main");
  CHECK(b.postgres[0].instance == "main");
  CHECK(b.postgres[0].engine == PostgresConfig::Engine::kPostgres);
  REQUIRE(b.postgres[0].backups);
  CHECK(b.postgres[0].backups->start_minutes == 180);
  CHECK(b.postgres[0].backups->retained == 3);
  CHECK(b.postgres[1].name == "postgres-vectors");
  CHECK(b.postgres[1].engine == PostgresConfig::Engine::kPglite);  // Debian has no pgvector
  CHECK(b.postgres[1].init == std::vector<std::string>{"/srv/app/sql/v.sql"});
  REQUIRE(b.redis.size() == 3);
  CHECK(b.redis[0].name == "redis-cache");
  CHECK(b.redis[0].maxmemory == "64mb");
  CHECK(b.redis[0].maxmemory_policy == "allkeys-lru");
  CHECK_FALSE(b.redis[0].auth);
  CHECK(b.redis[1].auth);
  CHECK(b.redis[1].databases == 4);
  CHECK(b.redis[2].auth);
  CHECK(b.redis[2].auth_secret == "redis-auth");
  CHECK(services::backing::env_suffix("vector-db") == "VECTOR_DB");
}

TEST_CASE("the single-instance form keeps its server names") {
  auto b = parse_ok("backing:\n  postgres: {database: app}\n  redis: {}\n");
  CHECK_FALSE(b.named_postgres);
  REQUIRE(b.postgres.size() == 1);
  CHECK(b.postgres[0].name == "postgres");
  CHECK(b.postgres[0].database == "app");
  REQUIRE(b.redis.size() == 1);
  CHECK(b.redis[0].name == "redis");
  CHECK(b.redis[0].databases == 16);
}

TEST_CASE("Firestore TTL policies per collection group and field") {
  auto b = parse_ok("backing:\n  firestore:\n    ttl: [{collection_group: cache, field: expireAt}]\n    ttl_sweep: 30s\n");
  REQUIRE(b.firestore);
  REQUIRE(b.firestore->ttl.size() == 1);
  CHECK(b.firestore->ttl[0].collection_group == "cache");
  CHECK(b.firestore->ttl[0].field == "expireAt");
  CHECK(b.firestore->ttl_sweep == std::chrono::seconds(30));
}

TEST_CASE("bad backing instances are refused naming the key") {
  CHECK(error_of("backing:\n  postgres:\n    Main: {}\n") ==
        "gcpsim.yaml:3: backing.postgres.Main: a Cloud SQL instance ID is 1-98 lowercase letters, digits and hyphens, "
        "starting with a letter, got 'Main'");
  CHECK(error_of("backing:\n  redis: {maxmemory: lots}\n") ==
        "gcpsim.yaml:2: backing.redis.maxmemory: expected a memory size like '64mb', '1gb' or '1048576', got 'lots'");
  CHECK(error_of("backing:\n  redis: {auth_secret: nope}\n") ==
        "gcpsim.yaml:2: backing.redis.auth_secret: secret 'nope' is not declared under secrets");
  CHECK(error_of("backing:\n  postgres: {backups: {start: '25:00'}}\n") ==
        "gcpsim.yaml:2: backing.postgres.backups.start: expected a UTC time of day HH:MM like '03:00', got '25:00'");
  CHECK(error_of("backing:\n  postgres: {extensions: [vector], backups: {}}\n") ==
        "gcpsim.yaml:2: backing.postgres.backups: backups need engine postgres: pg_dump does not read a PGlite server");
  CHECK(error_of("backing:\n  postgres:\n    a: {instance: x}\n    b: {instance: x}\n") ==
        "gcpsim.yaml:2: backing.postgres: two instances are both Cloud SQL instance 'x'");
}

}  // namespace backing_config_test
