// The plans for redis-server, PostgreSQL (initdb, server, database and init SQL as one-shot
// psql runs) and the Firestore emulator of the Google Cloud CLI.
#include "services/backing/servers.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

extern char** environ;

namespace gcpsim::services::backing {
namespace {

namespace fs = std::filesystem;

// The newest Debian PostgreSQL server installed: /usr/lib/postgresql/<major>/bin.
core::StatusOr<std::string> postgres_bindir() {
  std::string best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string major = e.path().filename().string();
    if (major.empty() || !std::isdigit(static_cast<unsigned char>(major[0]))) continue;
    if (!fs::exists(e.path() / "bin" / "postgres") || !fs::exists(e.path() / "bin" / "initdb")) continue;
    int m = std::atoi(major.c_str());
    if (m > best_major) best_major = m, best = (e.path() / "bin").string();
  }
  if (best.empty()) {
    return core::Status::failed_precondition(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres; apt-get install postgresql)");
  }
  return best;
}

// PostgreSQL refuses to run as root: the server and initdb run as the `postgres` user then.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

core::StatusOr<RunAs> postgres_identity() {
  RunAs r;
  if (::geteuid() != 0) return r;
  const passwd* pw = ::getpwnam("postgres");
  if (!pw) return core::Status::failed_precondition("gcpsim runs as root and there is no 'postgres' user to run PostgreSQL as");
  r.drop = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  return r;
}

std::vector<std::string> as_user(const RunAs& who, std::vector<std::string> argv) {
  if (!who.drop) return argv;
  std::vector<std::string> out = {"setpriv", "--reuid=" + std::to_string(who.uid), "--regid=" + std::to_string(who.gid),
                                  "--clear-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

// The postgres user must reach the data directory: chown it, and let it traverse the parents
// gcpsim created (its temp dir is 0700).
core::Status prepare_dir(const std::string& dir, const std::string& base, const RunAs& who) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::Status::internal("cannot create " + dir + ": " + ec.message());
  if (!who.drop) return core::Status::ok();
  const fs::path top = fs::path(base).lexically_normal();
  for (fs::path p = fs::path(dir).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    if (p.lexically_normal().string().size() < top.string().size()) break;
    auto perms = fs::status(p, ec).permissions();
    if (ec) break;
    if ((perms & fs::perms::others_exec) == fs::perms::none) fs::permissions(p, fs::perms::others_exec, fs::perm_options::add, ec);
  }
  if (::chown(dir.c_str(), who.uid, who.gid) != 0) return core::Status::internal("cannot chown " + dir + " to postgres");
  ::chmod(dir.c_str(), 0700);
  return core::Status::ok();
}

std::string percent_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

proc::SpawnSpec spec(std::vector<std::string> argv, std::vector<std::string> env = inherited_env()) {
  return proc::SpawnSpec{std::move(argv), "/", std::move(env)};
}

}  // namespace

std::string quote_identifier(const std::string& id) {
  std::string out = "\"";
  for (char c : id) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> inherited_env() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

// Writes every seed key in one atomic script: ARGV is command, argument count, arguments, …
constexpr const char* kRedisSeedScript =
    "local i = 1\n"
    "while i <= #ARGV do\n"
    "  local n = tonumber(ARGV[i + 1])\n"
    "  redis.call(ARGV[i], unpack(ARGV, i + 2, i + 1 + n))\n"
    "  i = i + 2 + n\n"
    "end\n"
    "return #ARGV\n";

core::StatusOr<Plan> redis_plan(uint16_t port, const RedisConfig& config, const std::string& auth) {
  Plan p;
  // Memorystore's basic tier: in memory, no persistence; reachable only through the proxy.
  // Its default eviction policy is volatile-lru (redis-server's own is noeviction).
  std::vector<std::string> argv = {"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                                   "--protected-mode", "no", "--save", "", "--appendonly", "no", "--daemonize", "no",
                                   "--loglevel", "notice", "--databases", std::to_string(config.databases),
                                   "--maxmemory-policy", config.maxmemory_policy.empty() ? "volatile-lru" : config.maxmemory_policy};
  if (!config.maxmemory.empty()) argv.insert(argv.end(), {"--maxmemory", config.maxmemory});
  if (!auth.empty()) argv.insert(argv.end(), {"--requirepass", auth});
  p.server = spec(std::move(argv));
  // redis-cli reads the password from the environment (no warning, not in the process list).
  auto env = inherited_env();
  if (!auth.empty()) env.push_back("REDISCLI_AUTH=" + auth);
  std::vector<std::string> cli = {"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(port)};
  auto flush = cli;
  flush.push_back("FLUSHALL");
  p.reset.push_back(spec(std::move(flush), env));
  if (!config.seed.empty()) {
    auto eval = cli;
    eval.insert(eval.end(), {"EVAL", kRedisSeedScript, "0"});
    for (const auto& s : config.seed) {
      using K = RedisSeed::Kind;
      const char* command = s.kind == K::kString ? "SET" : s.kind == K::kList ? "RPUSH" : "HSET";
      eval.insert(eval.end(), {command, std::to_string(s.values.size() + 1), s.key});
      eval.insert(eval.end(), s.values.begin(), s.values.end());
    }
    p.seed.push_back(spec(std::move(eval), env));
  }
  return p;
}

namespace {

// psql running the instance's extensions (CREATE EXTENSION IF NOT EXISTS) and init files in
// `database`, one transaction per -c/-f; nothing when there are neither.
std::optional<std::vector<std::string>> init_step(std::vector<std::string> psql, const PostgresConfig& c,
                                                  const std::string& database) {
  if (c.init.empty() && c.extensions.empty()) return std::nullopt;
  psql.insert(psql.end(), {"-d", database});
  for (const auto& ext : c.extensions) psql.insert(psql.end(), {"-c", "CREATE EXTENSION IF NOT EXISTS " + quote_identifier(ext)});
  for (const auto& file : c.init) psql.insert(psql.end(), {"-f", file});
  return psql;
}

}  // namespace

core::StatusOr<std::string> postgres_tool(const std::string& name) {
  auto bindir = postgres_bindir();
  if (!bindir.ok()) return bindir.status();
  return *bindir + "/" + name;
}

std::vector<std::string> psql_argv(uint16_t port, const std::string& user) {
  auto psql = postgres_tool("psql");
  return {psql.ok() ? *psql : "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
          "-p", std::to_string(port), "-U", user};
}

std::string pglite_dir() {
  if (const char* d = std::getenv("GCPSIM_PGLITE_DIR"); d && *d) return d;
  return GCPSIM_PGLITE_DIR;
}

// PGlite has one database and no roles to speak of: every connection reaches `postgres` as
// `postgres`, whatever it asks for. A reset drops the public schema (extensions live there)
// and runs the extensions and init SQL again.
core::StatusOr<Plan> pglite_plan(const PostgresSetup& s) {
  std::string dir = pglite_dir();
  std::error_code ec;
  if (!fs::exists(dir + "/node_modules/@electric-sql/pglite-socket", ec)) {
    return core::Status::failed_precondition("PGlite is not installed: run `npm ci` in " + dir +
                                             " (scripts/install-deps.sh does)");
  }
  Plan p;
  std::vector<std::string> argv = {"node", dir + "/server.mjs", "--port", std::to_string(s.port)};
  if (!s.dir.empty()) {
    fs::create_directories(s.dir, ec);
    argv.insert(argv.end(), {"--data-dir", s.dir});
  }
  p.server = spec(std::move(argv));
  p.ready_line = "ready to accept connections";
  auto psql = psql_argv(s.port, "postgres");
  auto init = init_step(psql, s.config, "postgres");
  if (init) p.after.push_back(spec(*init));
  auto drop = psql;
  drop.insert(drop.end(), {"-d", "postgres", "-c", "DROP SCHEMA IF EXISTS public CASCADE", "-c", "CREATE SCHEMA public"});
  p.reset.push_back(spec(std::move(drop)));
  if (init) p.reset.push_back(spec(*init));
  if (!s.dir.empty()) {
    p.done_marker = s.dir + "/gcpsim-initialized";
    if (fs::exists(p.done_marker, ec)) p.after.clear();
  }
  return p;
}

core::StatusOr<Plan> postgres_plan(const PostgresSetup& s) {
  auto bindir = postgres_bindir();
  if (!bindir.ok()) return bindir.status();
  auto who = postgres_identity();
  if (!who.ok()) return who.status();
  auto st = prepare_dir(s.dir, s.base, *who);
  if (!st.is_ok()) return st;
  Plan p;
  std::error_code ec;
  if (!fs::exists(s.dir + "/PG_VERSION", ec)) {
    std::vector<std::string> initdb = {*bindir + "/initdb", "-D", s.dir, "-U", s.config.user, "-E", "UTF8",
                                       "--locale=C", "--no-sync"};
    if (s.password.empty()) {
      initdb.push_back("--auth=trust");
    } else {
      // initdb reads the superuser's password from a file only the postgres user can read.
      std::string pwfile = fs::path(s.dir).parent_path().string() + "/postgres.pw";
      {
        std::ofstream f(pwfile, std::ios::trunc);
        f << s.password << "\n";
        if (!f) return core::Status::internal("cannot write " + pwfile);
      }
      ::chmod(pwfile.c_str(), 0600);
      if (who->drop && ::chown(pwfile.c_str(), who->uid, who->gid) != 0) return core::Status::internal("cannot chown " + pwfile);
      initdb.insert(initdb.end(), {"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwfile});
    }
    p.before.push_back(spec(as_user(*who, std::move(initdb))));
  }
  // A throwaway cluster behind a proxy: durability across power loss is not the point, speed is.
  p.server = spec(as_user(*who, {*bindir + "/postgres", "-D", s.dir, "-p", std::to_string(s.port), "-c",
                                 "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off",
                                 "-c", "synchronous_commit=off", "-c", "full_page_writes=off"}));
  p.ready_line = "database system is ready to accept connections";
  auto env = inherited_env();
  if (!s.password.empty()) env.push_back("PGPASSWORD=" + s.password);
  auto psql = psql_argv(s.port, s.config.user);
  if (s.config.database != "postgres") {
    auto create = psql;
    create.insert(create.end(), {"-d", "postgres", "-c", "CREATE DATABASE " + quote_identifier(s.config.database)});
    p.after.push_back(spec(std::move(create), env));
  }
  auto init = init_step(psql, s.config, s.config.database);
  if (init) p.after.push_back(spec(*init, env));
  // A reset drops the database (closing its sessions) and builds it again from the init SQL;
  // roles and other databases are the cluster's and stay.
  auto recreate = psql;  // connected to another database than the one dropped
  recreate.insert(recreate.end(), {"-d", s.config.database == "postgres" ? "template1" : "postgres", "-c",
                                             "DROP DATABASE IF EXISTS " + quote_identifier(s.config.database) + " WITH (FORCE)",
                                             "-c", "CREATE DATABASE " + quote_identifier(s.config.database)});
  p.reset.push_back(spec(std::move(recreate), env));
  if (init) p.reset.push_back(spec(*init, env));
  p.done_marker = s.dir + "/gcpsim-initialized";
  if (fs::exists(p.done_marker, ec)) p.after.clear();
  return p;
}

core::StatusOr<Plan> firestore_plan(const std::string& project, uint16_t port, const FirestoreConfig& config) {
  Plan p;
  const std::string documents = "/v1/projects/" + project + "/databases/(default)/documents/";
  p.reset_calls.push_back({"DELETE", "/emulator" + documents.substr(0, documents.size() - 1), ""});
  for (const auto& [path, fields] : config.seed) p.seed_calls.push_back({"PATCH", documents + path, firestore_document_body(fields)});
  auto env = inherited_env();
  env.push_back("CLOUDSDK_CORE_DISABLE_PROMPTS=1");
  p.server = spec({"gcloud", "beta", "emulators", "firestore", "start", "--host-port=127.0.0.1:" + std::to_string(port),
                   "--project=" + project, "--quiet"},
                  std::move(env));
  return p;
}

namespace {

nlohmann::json typed_value(const nlohmann::json& j) {
  using nlohmann::json;
  if (j.is_null()) return {{"nullValue", nullptr}};
  if (j.is_boolean()) return {{"booleanValue", j}};
  if (j.is_number_integer()) return {{"integerValue", std::to_string(j.get<int64_t>())}};
  if (j.is_number()) return {{"doubleValue", j}};
  if (j.is_string()) return {{"stringValue", j}};
  if (j.is_array()) {
    json values = json::array();
    for (const auto& e : j) values.push_back(typed_value(e));
    return {{"arrayValue", {{"values", values}}}};
  }
  // {timestampValue: "…"} (and the other types JSON has no form for) is taken as written.
  static const char* kTyped[] = {"timestampValue", "bytesValue", "referenceValue", "geoPointValue"};
  if (j.size() == 1)
    for (const char* k : kTyped)
      if (j.contains(k)) return j;
  json fields = json::object();
  for (auto it = j.begin(); it != j.end(); ++it) fields[it.key()] = typed_value(it.value());
  return {{"mapValue", {{"fields", fields}}}};
}

}  // namespace

std::string firestore_document_body(const std::string& json_fields) {
  auto fields = nlohmann::json::parse(json_fields, nullptr, false);
  if (!fields.is_object()) fields = nlohmann::json::object();
  return nlohmann::json{{"fields", typed_value(fields)["mapValue"]["fields"]}}.dump();
}

std::string postgres_url(const std::string& user, const std::string& password, uint16_t port, const std::string& db) {
  std::string auth = percent_encode(user) + (password.empty() ? "" : ":" + percent_encode(password));
  return "postgresql://" + auth + "@127.0.0.1:" + std::to_string(port) + "/" + percent_encode(db);
}

}  // namespace gcpsim::services::backing
