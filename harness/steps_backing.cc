// Steps and expectations on the backing servers, through their fault proxies as any client
// would: Redis commands and keys (hiredis), SQL statements and rows (libpq), Firestore
// documents (the emulator's REST API).
#include <algorithm>
#include <memory>

#include "harness/client_libs.h"
#include "harness/steps.h"
#include "services/backing/servers.h"

namespace gcpsim::harness {
namespace {

constexpr core::Duration kCallTimeout = std::chrono::minutes(1);

// The variables Run services get, from /_gcpsim/backing: REDIS_PORT, DATABASE_URL, …
Json backing_env(StepContext& ctx) {
  Request r;
  r.target = "/_gcpsim/backing";
  auto res = ctx.session.exchange(std::move(r), ctx.session.now() + kCallTimeout);
  if (!res.ok()) throw StepError{res.status().message()};
  Json body = Json::parse(res->body, nullptr, false);
  if (res->status != 200 || !body.is_object()) throw StepError{"cannot read /_gcpsim/backing: status " + std::to_string(res->status)};
  return body.value("env", Json::object());
}

// KEY for the default instance, KEY_SUFFIX for a named one (main → DATABASE_URL_MAIN).
std::string env_name(const std::string& key, const std::string& instance) {
  return instance.empty() ? key : key + "_" + services::backing::env_suffix(instance);
}

std::string env_value(StepContext& ctx, const std::string& key, const char* server, const std::string& instance = "") {
  Json env = backing_env(ctx);
  std::string name = env_name(key, instance);
  if (!env.contains(name)) {
    throw StepError{std::string("the stack has no backing ") + server +
                    (instance.empty() ? std::string() : " instance '" + instance + "'") + " (no " + name + ")"};
  }
  return env[name].get<std::string>();
}

std::string instance_param(const Json& p) { return p.is_object() ? text_param(p, "instance") : std::string(); }

// ---- Redis ----

Json redis_json(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: return std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER: return r->integer;
    case REDIS_REPLY_NIL: return nullptr;
    case REDIS_REPLY_ERROR: return Json{{"error", std::string(r->str, r->len)}};
    case REDIS_REPLY_ARRAY: {
      Json a = Json::array();
      for (size_t i = 0; i < r->elements; ++i) a.push_back(redis_json(r->element[i]));
      return a;
    }
    default: return nullptr;
  }
}

struct RedisConn {
  std::unique_ptr<redisContext, void (*)(redisContext*)> c{nullptr, hiredis().free};

  // Sends the instance's AUTH string when it has one (unless `auth` is false) and SELECTs `db`.
  RedisConn(StepContext& ctx, const Json& p) {
    std::string instance = instance_param(p);
    Json env = backing_env(ctx);
    int port = std::stoi(env_value(ctx, "REDIS_PORT", "redis", instance));
    timeval tv{10, 0};
    c.reset(hiredis().connect_with_timeout("127.0.0.1", port, tv));
    if (!c || c->err) throw StepError{"cannot connect to redis: " + std::string(c ? c->errstr : "out of memory")};
    hiredis().set_timeout(c.get(), timeval{30, 0});
    std::string auth_var = env_name("REDIS_AUTH", instance);
    if (env.contains(auth_var) && (!p.is_object() || bool_param(p, "auth", true))) {
      Json r = command({"AUTH", env[auth_var].get<std::string>()});
      if (r != "OK") throw StepError{"redis AUTH failed: " + r.dump()};
    }
    if (p.is_object() && p.contains("db")) {
      Json r = command({"SELECT", std::to_string(int_param(p, "db", 0))});
      if (r != "OK") throw StepError{"redis SELECT failed: " + r.dump()};
    }
  }

  Json command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) argv.push_back(a.c_str()), lens.push_back(a.size());
    auto* reply = static_cast<redisReply*>(hiredis().command_argv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (!reply) throw StepError{"redis: " + std::string(c->errstr)};
    Json out = redis_json(reply);
    hiredis().free_reply(reply);
    return out;
  }
};

std::vector<std::string> redis_args(const Json& p) {
  const Json& list = p.is_object() ? p.value("command", Json()) : p;
  if (!list.is_array() || list.empty()) throw StepError{"redis: expected a command like [SET, key, value]"};
  std::vector<std::string> args;
  for (const auto& a : list) args.push_back(as_text(a));
  return args;
}

// The key's value as its type reads: string, list, hash (object), set (sorted), sorted set.
Json redis_value(RedisConn& r, const std::string& key) {
  std::string type = r.command({"TYPE", key}).get<std::string>();
  if (type == "string") return r.command({"GET", key});
  if (type == "list") return r.command({"LRANGE", key, "0", "-1"});
  if (type == "set") {
    Json members = r.command({"SMEMBERS", key});
    std::sort(members.begin(), members.end());
    return members;
  }
  if (type == "zset") return r.command({"ZRANGE", key, "0", "-1"});
  if (type == "hash") {
    Json flat = r.command({"HGETALL", key}), obj = Json::object();
    for (size_t i = 0; i + 1 < flat.size(); i += 2) obj[flat[i].get<std::string>()] = flat[i + 1];
    return obj;
  }
  return nullptr;
}

// {key, value?, ttl?, absent?}: ttl is the seconds left (-1: none), redis-server's own clock.
void expect_redis(StepContext& ctx, const Json& spec) {
  RedisConn r(ctx, spec);
  std::string key = text_param(spec, "key");
  std::string where = "redis key " + key;
  bool exists = r.command({"EXISTS", key}).get<int64_t>() > 0;
  bool absent = bool_param(spec, "absent", false);
  if (absent || !exists) {
    if (absent == exists) ctx.mismatches.push_back({where, absent ? "absent" : "to exist", absent ? "present" : "absent"});
    return;
  }
  if (spec.contains("value")) match(spec["value"], redis_value(r, key), where + " value", ctx.mismatches);
  if (spec.contains("ttl")) match(spec["ttl"], r.command({"TTL", key}), where + " ttl", ctx.mismatches);
}

// ---- PostgreSQL ----

Json sql_value(const PGresult* res, int row, int col) {
  const Libpq& pq = libpq();
  if (pq.getisnull(res, row, col)) return nullptr;
  std::string v = pq.getvalue(res, row, col);
  switch (pq.ftype(res, col)) {
    case 20: case 21: case 23: return std::stoll(v);           // int8, int2, int4
    case 16: return v == "t";                                  // bool
    case 700: case 701: return std::stod(v);                   // float4, float8
    case 114: case 3802: return Json::parse(v, nullptr, false);  // json, jsonb
    default: return v;
  }
}

// Rows as objects (column → value), with the command tag ("INSERT 0 1").
Json sql_run(StepContext& ctx, const std::string& query, const std::string& instance) {
  const Libpq& pq = libpq();
  std::string url = env_value(ctx, "DATABASE_URL", "postgres", instance);
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("connect_timeout=10");
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(pq.connectdb(url.c_str()), pq.finish);
  if (pq.status(conn.get()) != CONNECTION_OK) throw StepError{"cannot connect to postgres: " + std::string(pq.error_message(conn.get()))};
  std::unique_ptr<PGresult, void (*)(PGresult*)> res(pq.exec(conn.get(), query.c_str()), pq.clear);
  auto st = pq.result_status(res.get());
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    throw StepError{"SQL failed: " + std::string(pq.result_error_message(res.get())), query};
  }
  Json rows = Json::array();
  for (int i = 0; i < pq.ntuples(res.get()); ++i) {
    Json row = Json::object();
    for (int c = 0; c < pq.nfields(res.get()); ++c) row[pq.fname(res.get(), c)] = sql_value(res.get(), i, c);
    rows.push_back(std::move(row));
  }
  return {{"rows", rows}, {"command", pq.cmd_status(res.get())}};
}

std::string sql_text(const Json& p) { return p.is_object() ? text_param(p, "query") : as_text(p); }

// {query, rows}
void expect_sql(StepContext& ctx, const Json& spec) {
  std::string q = text_param(spec, "query");
  match(spec.value("rows", Json::array()), sql_run(ctx, q, instance_param(spec))["rows"], "sql " + show(Json(q)), ctx.mismatches);
}

// ---- Firestore (REST, the emulator's typed values) ----

Json from_value(const Json& v) {
  if (v.contains("integerValue")) return std::stoll(v["integerValue"].get<std::string>());
  if (v.contains("arrayValue")) {
    Json a = Json::array();
    for (const auto& e : v["arrayValue"].value("values", Json::array())) a.push_back(from_value(e));
    return a;
  }
  if (v.contains("mapValue")) {
    Json o = Json::object();
    const Json& f = v["mapValue"].value("fields", Json::object());
    for (auto it = f.begin(); it != f.end(); ++it) o[it.key()] = from_value(it.value());
    return o;
  }
  if (v.contains("nullValue")) return nullptr;
  for (const char* k : {"booleanValue", "doubleValue", "stringValue", "timestampValue", "referenceValue", "bytesValue"})
    if (v.contains(k)) return v[k];
  return nullptr;
}

Response firestore_call(StepContext& ctx, const std::string& method, const std::string& document, const Json* data) {
  Request r;
  r.method = method;
  r.url = "http://" + env_value(ctx, "FIRESTORE_EMULATOR_HOST", "firestore");
  r.target = "/v1/projects/" + ctx.project() + "/databases/(default)/documents/" + document;
  r.headers.emplace_back("Authorization", "Bearer owner");
  if (data) {
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = services::backing::firestore_document_body(data->dump());
  }
  auto res = ctx.session.exchange(std::move(r), ctx.session.now() + kCallTimeout);
  if (!res.ok()) throw StepError{res.status().message()};
  return *res;
}

Json document_json(const Response& res) {
  Json body = Json::parse(res.body, nullptr, false);
  if (!body.is_object()) return nullptr;
  return from_value({{"mapValue", {{"fields", body.value("fields", Json::object())}}}});
}

// {document, json?, absent?}
void expect_firestore(StepContext& ctx, const Json& spec) {
  std::string doc = text_param(spec, "document");
  std::string where = "firestore document " + doc;
  auto res = firestore_call(ctx, "GET", doc, nullptr);
  bool absent = bool_param(spec, "absent", false);
  if (absent || res.status != 200) {
    if (absent != (res.status == 404)) {
      ctx.mismatches.push_back({where, absent ? "absent" : "to exist", "status " + std::to_string(res.status)});
    }
    return;
  }
  if (spec.contains("json")) match(spec["json"], document_json(res), where, ctx.mismatches);
}

}  // namespace

// redis: [SET, key, value, EX, "60"] → {value: the reply}
void run_redis(StepContext& ctx, const Json& p) {
  RedisConn r(ctx, p);
  auto args = redis_args(p);
  Json reply = r.command(args);
  ctx.response = {{"status", 200}, {"value", reply}};
  if (reply.is_object() && reply.contains("error")) ctx.response["error"] = reply["error"];
  ctx.record["redis"] = args[0];
}

// sql: "INSERT …" or {query} → {rows, command}
void run_sql(StepContext& ctx, const Json& p) {
  ctx.response = sql_run(ctx, sql_text(p), instance_param(p));
  ctx.response["status"] = 200;
  ctx.record["rows"] = ctx.response["rows"].size();
}

// firestore: {op: set | get | delete, document: users/alice, json: {...}} → {status, json}
void run_firestore(StepContext& ctx, const Json& p) {
  std::string op = text_param(p, "op");
  std::string doc = text_param(p, "document");
  Response res;
  if (op == "set") {
    if (!p.contains("json") || !p["json"].is_object()) throw StepError{"firestore set needs json: {field: value, …}"};
    res = firestore_call(ctx, "PATCH", doc, &p["json"]);
  } else if (op == "get" || op == "delete") {
    res = firestore_call(ctx, op == "get" ? "GET" : "DELETE", doc, nullptr);
  } else {
    throw StepError{"firestore op must be set, get or delete, got '" + op + "'"};
  }
  ctx.response = {{"status", res.status}, {"body", res.status == 200 ? document_json(res) : Json()}, {"text", res.body}};
  if (res.status != 200 && !(op == "get" && res.status == 404)) {
    throw StepError{"firestore " + op + " " + doc + ": status " + std::to_string(res.status), res.body};
  }
  ctx.record["status"] = res.status;
}

namespace {

// The backing server of a Postgres instance (its name in /_gcpsim/backing): the named one, or
// the default one (INSTANCE_CONNECTION_NAME's).
std::string postgres_server(StepContext& ctx, const Json& p) {
  std::string instance = instance_param(p);
  if (instance.empty()) {
    std::string connection = env_value(ctx, "INSTANCE_CONNECTION_NAME", "postgres");
    instance = connection.substr(connection.rfind(':') + 1);
  }
  Request r;
  r.target = "/_gcpsim/backing";
  auto res = ctx.session.exchange(std::move(r), ctx.session.now() + kCallTimeout);
  if (!res.ok()) throw StepError{res.status().message()};
  Json servers = Json::parse(res->body, nullptr, false).value("servers", Json::object());
  for (auto it = servers.begin(); it != servers.end(); ++it)
    if (it.value().value("kind", "") == "postgres" && it.value().value("instance", "") == instance) return it.key();
  throw StepError{"the stack has no backing Postgres instance '" + instance + "'"};
}

Response control_call(StepContext& ctx, const std::string& method, const std::string& target) {
  Request r;
  r.method = method;
  r.target = target;
  auto res = ctx.session.exchange(std::move(r), ctx.session.now() + kCallTimeout);
  if (!res.ok()) throw StepError{res.status().message()};
  return *res;
}

void answer(StepContext& ctx, const Response& res, const std::string& what) {
  Json body = Json::parse(res.body, nullptr, false);
  ctx.response = {{"status", res.status}, {"body", body.is_discarded() ? Json() : body}, {"text", res.body}};
  ctx.record["status"] = res.status;
  if (res.status != 200) throw StepError{what + ": status " + std::to_string(res.status), res.body};
}

}  // namespace

// backup: {instance?} → {body: the backup run}
void run_backup(StepContext& ctx, const Json& p) {
  std::string server = postgres_server(ctx, p);
  answer(ctx, control_call(ctx, "POST", "/_gcpsim/backing/" + server + "/backups"), "backup of " + server);
}

// restore: {instance?, backup: ID | latest | the time it was taken}
void run_restore(StepContext& ctx, const Json& p) {
  std::string server = postgres_server(ctx, p);
  std::string want = text_param(p, "backup");
  auto list = control_call(ctx, "GET", "/_gcpsim/backing/" + server + "/backups");
  Json backups = Json::parse(list.body, nullptr, false).value("backups", Json::array());
  std::string id;
  for (const auto& b : backups) {  // newest first
    if (want == "latest" || b.value("id", "") == want || b.value("windowStartTime", "") == want) {
      id = b.value("id", "");
      break;
    }
  }
  if (id.empty()) throw StepError{"no backup '" + want + "' of " + server, list.body};
  answer(ctx, control_call(ctx, "POST", "/_gcpsim/backing/" + server + "/backups/" + id + ":restore"),
         "restore of " + server + " from " + id);
}

// Expectations on backing state, for check_expect.
bool check_backing_expect(StepContext& ctx, const std::string& key, const Json& value) {
  if (key == "redis") expect_redis(ctx, value);
  else if (key == "sql") expect_sql(ctx, value);
  else if (key == "firestore") expect_firestore(ctx, value);
  else return false;
  return true;
}

}  // namespace gcpsim::harness
