// Reads the stack file's `backing:` section: one instance per kind (`postgres: {database: app}`)
// or several named ones (`postgres: {main: {...}, vectors: {extensions: [vector]}}`), Redis
// AUTH, memory and databases, Cloud SQL backups, Firestore seed documents and TTL policies.
#include "services/backing/config.h"

#include <algorithm>
#include <set>

#include "core/stack.h"
#include "core/stack_yaml.h"
#include "services/secrets/service.h"

namespace gcpsim::services::backing {
namespace {

using namespace core::stackfile;

const std::vector<std::string_view> kRedisKeys = {"port", "seed", "auth", "auth_secret", "maxmemory",
                                                  "maxmemory_policy", "databases"};
const std::vector<std::string_view> kPostgresKeys = {"port", "engine", "database", "user", "instance",
                                                     "password_secret", "init", "extensions", "backups"};

bool lower_digit_hyphen(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// Memorystore and Cloud SQL instance IDs: lowercase letters, digits and hyphens, starting with a
// letter, not ending with a hyphen.
void check_instance_id(const Field& f, const std::string& id, size_t max_len, const std::string& what) {
  bool ok = !id.empty() && id.size() <= max_len && id[0] >= 'a' && id[0] <= 'z' && id.back() != '-' &&
            std::all_of(id.begin(), id.end(), lower_digit_hyphen);
  if (!ok) {
    fail(f, "a " + what + " instance ID is 1-" + std::to_string(max_len) +
                " lowercase letters, digits and hyphens, starting with a letter, got '" + id + "'");
  }
}

std::string scalar(const Field& f, const std::string& what) {
  if (!f.node.IsScalar()) fail(f, what + " must be a string or number, got " + describe(f.node));
  return f.node.Scalar();
}

RedisSeed redis_seed(const std::string& key, const Field& f) {
  if (key.empty()) fail_under(f, "a Redis key must not be empty");
  RedisSeed seed;
  seed.key = key;
  if (f.node.IsSequence()) {
    seed.kind = RedisSeed::Kind::kList;
    for (auto& item : items(f)) seed.values.push_back(scalar(item, "a list item"));
    if (seed.values.empty()) fail(f, "an empty list cannot be stored in Redis (leave the key out)");
  } else if (f.node.IsMap()) {
    seed.kind = RedisSeed::Kind::kHash;
    for (auto& [field, value] : entries(f)) {
      seed.values.push_back(field);
      seed.values.push_back(scalar(value, "a hash field's value"));
    }
    if (seed.values.empty()) fail(f, "an empty hash cannot be stored in Redis (leave the key out)");
  } else {
    seed.values.push_back(scalar(f, "a Redis value"));
  }
  return seed;
}

// collection/doc[/collection/doc…]: an even number of non-empty segments, fields a mapping.
std::string firestore_document(const std::string& path, const Field& fields) {
  size_t segments = 1;
  bool empty_segment = path.empty() || path.front() == '/' || path.back() == '/' || path.find("//") != std::string::npos;
  for (char c : path) segments += c == '/';
  if (empty_segment || segments % 2 != 0) {
    fail_under(fields, "a Firestore document path is collection/document (an even number of non-empty segments), got '" +
                           path + "'");
  }
  if (!fields.node.IsMap() && !fields.node.IsNull()) fail(fields, "a document's fields must be a mapping, got " + describe(fields.node));
  return path;
}

// redis-server's memory sizes: digits and an optional unit.
std::string memory_size(const Field& f) {
  std::string s = text(f);
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  size_t digits = 0;
  while (digits < lower.size() && std::isdigit(static_cast<unsigned char>(lower[digits]))) ++digits;
  static const std::set<std::string> kUnits = {"", "b", "k", "kb", "m", "mb", "g", "gb"};
  if (digits == 0 || !kUnits.count(lower.substr(digits))) {
    fail(f, "expected a memory size like '64mb', '1gb' or '1048576', got '" + s + "'");
  }
  return lower;
}

class Reader {
 public:
  explicit Reader(core::SectionContext& ctx) : ctx_(ctx) {}

  BackingConfig read(const Field& section) {
    Map m(section, {"redis", "postgres", "firestore"});
    if (auto f = m.get("redis")) {
      cfg_.named_redis = named(*f, kRedisKeys);
      for (auto& [name, field] : instances(*f, cfg_.named_redis)) cfg_.redis.push_back(redis(name, field));
    }
    if (auto f = m.get("postgres")) {
      cfg_.named_postgres = named(*f, kPostgresKeys);
      for (auto& [name, field] : instances(*f, cfg_.named_postgres)) cfg_.postgres.push_back(postgres(name, field));
      std::set<std::string> ids;
      for (const auto& pg : cfg_.postgres)
        if (!ids.insert(pg.instance).second) fail_under(*f, "two instances are both Cloud SQL instance '" + pg.instance + "'");
    }
    if (auto f = m.get("firestore")) cfg_.firestore = firestore(*f);
    return std::move(cfg_);
  }

 private:
  // The named form: a non-empty mapping whose keys are none of an instance's own keys.
  static bool named(const Field& f, const std::vector<std::string_view>& keys) {
    if (!f.node.IsMap() || f.node.size() == 0) return false;
    for (const auto& kv : f.node) {
      std::string k = kv.first.Scalar();
      if (std::find(keys.begin(), keys.end(), k) != keys.end()) return false;
    }
    return true;
  }

  static std::vector<std::pair<std::string, Field>> instances(const Field& f, bool named) {
    if (named) return entries(f);
    return {{"", f}};
  }

  void declared_secret(const Field& f, const std::string& name) {
    // The reader is gone when the check runs; the loader's context is not.
    ctx_.later([&ctx = ctx_, f, name] {
      if (!secrets::declares_secret(ctx.stack(), name)) fail(f, "secret '" + name + "' is not declared under secrets");
    });
  }

  RedisConfig redis(const std::string& name, const Field& f) {
    if (!name.empty()) check_instance_id(f, name, 40, "Memorystore");
    Map m(f, kRedisKeys);
    RedisConfig r;
    r.name = name.empty() ? "redis" : "redis-" + name;
    r.instance = name.empty() ? "redis" : name;
    if (auto p = m.get("port")) r.port = ctx_.port(*p);
    if (auto s = m.get("seed")) {
      for (auto& [key, value] : entries(*s)) r.seed.push_back(redis_seed(key, value));
    }
    if (auto a = m.get("auth")) r.auth = boolean(*a);
    if (auto s = m.get("auth_secret")) {
      r.auth = true;
      r.auth_secret = text(*s);
      declared_secret(*s, r.auth_secret);
      if (auto a = m.get("auth"); a && !boolean(*a)) fail(*a, "auth_secret needs auth (leave auth out or set it true)");
    }
    if (auto x = m.get("maxmemory")) r.maxmemory = memory_size(*x);
    if (auto x = m.get("maxmemory_policy")) {
      r.maxmemory_policy = one_of(*x, {"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru",
                                       "volatile-lfu", "volatile-random", "volatile-ttl"});
    }
    if (auto x = m.get("databases")) r.databases = small_int(*x, 1, 100);
    return r;
  }

  PostgresConfig postgres(const std::string& name, const Field& f) {
    if (!name.empty()) check_instance_id(f, name, 98, "Cloud SQL");
    Map m(f, kPostgresKeys);
    PostgresConfig pg;
    pg.name = name.empty() ? "postgres" : "postgres-" + name;
    pg.instance = name.empty() ? "postgres" : name;
    if (auto p = m.get("port")) pg.port = ctx_.port(*p);
    if (auto d = m.get("database")) pg.database = text(*d);
    if (auto u = m.get("user")) pg.user = text(*u);
    if (auto i = m.get("instance")) {
      pg.instance = text(*i);
      check_instance_id(*i, pg.instance, 98, "Cloud SQL");
    }
    if (pg.database.empty() || pg.user.empty()) fail_under(f, "database and user must not be empty");
    if (auto s = m.get("password_secret")) {
      pg.password_secret = text(*s);
      declared_secret(*s, pg.password_secret);
    }
    if (auto i = m.get("init")) {
      for (auto& file : strings(*i)) pg.init.push_back(ctx_.resolve(file));
    }
    if (auto e = m.get("extensions")) pg.extensions = strings(*e);
    bool vector = std::find(pg.extensions.begin(), pg.extensions.end(), "vector") != pg.extensions.end();
    // Debian's PostgreSQL has no pgvector: a vector instance is PGlite unless told otherwise.
    pg.engine = vector ? PostgresConfig::Engine::kPglite : PostgresConfig::Engine::kPostgres;
    if (auto e = m.get("engine")) {
      pg.engine = one_of(*e, {"postgres", "pglite"}) == "pglite" ? PostgresConfig::Engine::kPglite
                                                                 : PostgresConfig::Engine::kPostgres;
    }
    if (pg.engine == PostgresConfig::Engine::kPglite) {
      for (const auto& ext : pg.extensions)
        if (ext != "vector") fail_under(*m.get("extensions"), "engine pglite serves only the 'vector' extension, got '" + ext + "'");
    }
    if (auto b = m.get("backups")) pg.backups = backups(*b, pg);
    return pg;
  }

  static BackupSchedule backups(const Field& f, const PostgresConfig& pg) {
    if (pg.engine == PostgresConfig::Engine::kPglite) {
      fail_under(f, "backups need engine postgres: pg_dump does not read a PGlite server");
    }
    Map m(f, {"start", "retained"});
    BackupSchedule b;
    if (auto s = m.get("start")) {
      std::string t = text(*s);
      bool ok = t.size() == 5 && t[2] == ':' && std::isdigit(static_cast<unsigned char>(t[0])) &&
                std::isdigit(static_cast<unsigned char>(t[1])) && std::isdigit(static_cast<unsigned char>(t[3])) &&
                std::isdigit(static_cast<unsigned char>(t[4]));
      int h = ok ? std::stoi(t.substr(0, 2)) : 0, mi = ok ? std::stoi(t.substr(3)) : 0;
      if (!ok || h > 23 || mi > 59) fail(*s, "expected a UTC time of day HH:MM like '03:00', got '" + t + "'");
      b.start_minutes = h * 60 + mi;
    }
    if (auto r = m.get("retained")) b.retained = small_int(*r, 1, 365);
    return b;
  }

  FirestoreConfig firestore(const Field& f) {
    Map m(f, {"port", "seed", "ttl", "ttl_sweep"});
    FirestoreConfig fs;
    if (auto p = m.get("port")) fs.port = ctx_.port(*p);
    if (auto s = m.get("seed")) {
      for (auto& [path, fields] : entries(*s)) fs.seed.emplace_back(firestore_document(path, fields), json_text(fields.node));
    }
    if (auto t = m.get("ttl")) {
      for (auto& item : items(*t)) {
        Map tm(item, {"collection_group", "field"});
        TtlPolicy p{text(tm.require("collection_group")), text(tm.require("field"))};
        if (p.collection_group.empty() || p.collection_group.find('/') != std::string::npos)
          fail_under(item, "collection_group is a collection ID (no '/'), got '" + p.collection_group + "'");
        if (p.field.empty()) fail_under(item, "field must not be empty");
        fs.ttl.push_back(std::move(p));
      }
    }
    if (auto s = m.get("ttl_sweep")) fs.ttl_sweep = duration(*s, std::chrono::seconds(1), std::chrono::hours(24));
    return fs;
  }

  core::SectionContext& ctx_;
  BackingConfig cfg_;
};

}  // namespace

core::StackSection stack_section() {
  return {"backing", [](const Field& f, core::SectionContext& ctx) -> std::any { return Reader(ctx).read(f); }};
}

const BackingConfig* config_of(const core::StackConfig& stack) {
  const auto* cfg = stack.section<BackingConfig>("backing");
  return cfg && !cfg->empty() ? cfg : nullptr;
}

std::string env_suffix(const std::string& instance) {
  std::string out;
  for (char c : instance) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace gcpsim::services::backing
