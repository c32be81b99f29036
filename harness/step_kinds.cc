// The step-kinds table and each kind's load-time check of its value.
#include "harness/step_kinds.h"

#include "harness/steps.h"

namespace gcpsim::harness {
namespace {

namespace sf = core::stackfile;

// An http step's generated body (body_size) is built in memory: 64 MiB at most.
constexpr int64_t kMaxBodySize = int64_t{64} << 20;
using sf::Field;
using sf::Map;

bool has_var(const Field& f) { return f.node.IsScalar() && f.node.Scalar().find("${") != std::string::npos; }

void check_duration(const Field& f) {
  if (!has_var(f)) sf::duration(f, core::Duration::zero(), std::chrono::hours(24 * 3650));
}

void check_event(const Field& f) {
  Map m(f, {"kind", "service", "attrs", "time", "count"});
  if (auto a = m.get("attrs"); a && !a->node.IsMap()) sf::fail(*a, "expected a mapping, got " + sf::describe(a->node));
}

void check_list_of(const Field& f, void (*each)(const Field&)) {
  for (const auto& item : sf::items(f)) each(item);
}

void check_log(const Field& f) {
  if (!f.node.IsMap()) sf::fail(f, "expected a mapping like {service: api, message: {regex: ...}}, got " + sf::describe(f.node));
}

void check_object(const Field& f) {
  Map m(f, {"bucket", "object", "body", "json", "absent"});
  m.require("bucket");
  m.require("object");
}

void check_secret_state(const Field& f) {
  Map m(f, {"secret", "version", "value", "absent"});
  m.require("secret");
}

void check_timeout(const Map& m) {
  if (auto t = m.get("timeout")) check_duration(*t);
}

void check_http(const Field& f) {
  Map m(f, {"method", "path", "service", "url", "stub", "headers", "query", "json", "body", "body_size", "timeout", "source"});
  if (m.has("json") && m.has("body")) sf::fail_under(f, "give json or body, not both");
  if (auto n = m.get("body_size")) {
    if (m.has("json")) sf::fail_under(f, "body_size repeats body; it does not go with json");
    sf::integer(*n, 0, kMaxBodySize);
  }
  if (m.has("service") + m.has("url") + m.has("stub") > 1) sf::fail_under(f, "give one of service, url or stub");
  if (auto s = m.get("source"); s && !m.has("url") && !m.has("service"))
    sf::fail(*s, "source: the client address of a socket request, so it needs url or service");
  if (!m.has("url")) m.require("path");
  if (auto h = m.get("headers")) sf::string_map(*h);
  check_timeout(m);
}

// websocket: {id, service | url, path, headers, query, send, receive | until, close, timeout | hold}.
void check_websocket(const Field& f) {
  Map m(f, {"id", "service", "url", "path", "headers", "query", "send", "receive", "until", "close", "timeout", "hold"});
  if (m.has("service") && m.has("url")) sf::fail_under(f, "give service or url, not both");
  if (m.has("service")) m.require("path");
  if (m.has("path") && !m.has("service") && !m.has("url")) sf::fail_under(f, "path opens a connection: give service or url too");
  if (m.has("receive") && m.has("until")) sf::fail_under(f, "give receive (a count) or until (a frame to wait for), not both");
  if (auto n = m.get("receive"); n && !has_var(*n)) sf::integer(*n, 0, 100000);
  if (auto c = m.get("close")) sf::boolean(*c);
  if (auto h = m.get("headers")) sf::string_map(*h);
  if (!m.has("service") && !m.has("url") && !m.has("send") && !m.has("receive") && !m.has("until") && !m.has("close"))
    sf::fail_under(f, "a websocket step opens (service or url), sends, receives (receive or until) or closes");
  if (auto h = m.get("hold")) {
    if (!m.has("receive") && !m.has("until")) sf::fail(*h, "hold: belongs to a step that waits for frames (receive or until)");
    if (m.has("timeout")) sf::fail(*h, "hold: the clock stays put, so timeout (virtual time) does not apply");
    if (m.has("close")) sf::fail(*h, "hold: applies to the frames awaited, not to a close");
    if (!has_var(*h)) sf::duration(*h, std::chrono::milliseconds(1), std::chrono::minutes(5));
  }
  check_timeout(m);
}

void check_message(const Field& f) {
  Map m(f, {"data", "json", "attributes", "ordering_key"});
  if (!m.has("data") && !m.has("json")) sf::fail_under(f, "a message needs data or json");
  if (auto a = m.get("attributes")) sf::string_map(*a);
}

void check_publish(const Field& f) {
  Map m(f, {"topic", "data", "json", "attributes", "ordering_key", "messages", "timeout"});
  m.require("topic");
  if (auto ms = m.get("messages")) {
    check_list_of(*ms, check_message);
  } else if (!m.has("data") && !m.has("json")) {
    sf::fail_under(f, "publish needs data, json or messages");
  }
  if (auto a = m.get("attributes")) sf::string_map(*a);
  check_timeout(m);
}

void check_pull(const Field& f) {
  Map m(f, {"subscription", "max", "ack", "timeout"});
  m.require("subscription");
  if (auto x = m.get("max"); x && !has_var(*x)) sf::integer(*x, 1, 1000);
  if (auto a = m.get("ack")) sf::boolean(*a);
  check_timeout(m);
}

void check_gcs(const Field& f) {
  Map m(f, {"op", "bucket", "object", "data", "json", "content_type", "timeout"});
  std::string op = sf::one_of(m.require("op"), {"upload", "download", "get", "delete"});
  m.require("bucket");
  m.require("object");
  if (op == "upload" && !m.has("data") && !m.has("json")) sf::fail_under(f, "an upload needs data or json");
  check_timeout(m);
}

void check_secret(const Field& f) {
  Map m(f, {"op", "secret", "data", "json", "version", "timeout"});
  std::string op = sf::one_of(m.require("op"), {"create", "add", "access"});
  m.require("secret");
  if (op == "add" && !m.has("data") && !m.has("json")) sf::fail_under(f, "adding a version needs data or json");
  check_timeout(m);
}

void check_advance(const Field& f) { check_duration(f); }

void check_wait_for(const Field& f) {
  Map m(f, {"event", "log", "http", "expect", "count", "within", "every", "hold"});
  int conditions = m.has("event") + m.has("log") + m.has("http");
  if (conditions != 1) sf::fail_under(f, "wait_for needs exactly one of event, log or http");
  if (auto e = m.get("event")) check_event(*e);
  if (auto l = m.get("log")) check_log(*l);
  if (auto h = m.get("http")) check_http(*h);
  if (auto e = m.get("expect")) {
    if (!m.has("http")) sf::fail(*e, "expect: belongs to an http condition");
    check_expect_value(*e, true);
  }
  if (auto c = m.get("count"); c && !has_var(*c)) sf::integer(*c, 1, INT64_MAX);
  if (auto w = m.get("within")) check_duration(*w);
  if (auto w = m.get("every")) check_duration(*w);
  if (auto h = m.get("hold")) {
    if (m.has("http")) sf::fail(*h, "hold: belongs to an event or log condition (an http condition moves the clock)");
    if (m.has("within")) sf::fail(*h, "hold: the clock stays put, so within (virtual time) does not apply");
    if (!has_var(*h)) sf::duration(*h, std::chrono::milliseconds(1), std::chrono::minutes(5));
  }
}

void check_fault(const Field& f) { sf::read_fault(f); }

void check_clear_faults(const Field& f) {
  if (f.node.IsSequence()) sf::strings(f);
  else if (f.node.IsScalar() && !sf::boolean(f)) sf::fail(f, "write clear_faults: true, or a list of fault ids");
}

void check_service_name(const Field& f) { sf::text(f); }

void check_expect(const Field& f) { check_expect_value(f, false); }

void check_redis(const Field& f) {
  if (f.node.IsMap()) {
    Map m(f, {"command", "instance", "db", "auth"});
    sf::strings(m.require("command"));
    if (auto d = m.get("db")) sf::small_int(*d, 0, 99);
    if (auto a = m.get("auth")) sf::boolean(*a);
  } else if (sf::strings(f).empty()) {
    sf::fail(f, "expected a command like [SET, key, value]");
  }
}

void check_sql(const Field& f) {
  if (f.node.IsMap()) Map(f, {"query", "instance"}).require("query");
  else sf::text(f);
}

// backup: {instance?} — an on-demand Cloud SQL backup.
void check_backup(const Field& f) {
  if (f.node.IsMap()) Map(f, {"instance"});
  else if (!f.node.IsNull() && !sf::boolean(f)) sf::fail(f, "write backup: true, or backup: {instance: NAME}");
}

// restore: {instance?, backup: ID | latest | a timestamp (the backup taken then)}.
void check_restore(const Field& f) {
  Map m(f, {"instance", "backup"});
  sf::text(m.require("backup"));
}

void check_firestore(const Field& f) {
  Map m(f, {"op", "document", "json"});
  std::string op = sf::one_of(m.require("op"), {"set", "get", "delete"});
  m.require("document");
  if (op == "set" && !m.has("json")) sf::fail_under(f, "firestore set needs json");
}

void check_stub(const Field& f) {
  Map m(f, {"name", "kind", "routes", "rules", "api_key"});
  m.require("name");
  if (auto r = m.get("routes")) sf::items(*r);
  if (auto r = m.get("rules")) sf::items(*r);
}

void check_hmac(const Field& f) {
  Map m(f, {"key", "text"});
  m.require("key");
  m.require("text");
}

void check_stub_state(const Field& f) {
  Map m(f, {"name", "route", "path", "count", "requests"});
  m.require("name");
  if (auto r = m.get("requests")) sf::items(*r);
}

void check_redis_state(const Field& f) { Map(f, {"key", "value", "ttl", "absent", "instance", "db"}).require("key"); }

void check_sql_state(const Field& f) { Map(f, {"query", "rows", "instance"}).require("query"); }

void check_firestore_state(const Field& f) { Map(f, {"document", "json", "absent"}).require("document"); }

}  // namespace

void check_expect_value(const Field& f, bool with_response) {
  std::vector<std::string_view> keys = {"events", "events_in_order", "logs", "object", "secret", "redis", "sql", "firestore", "stub"};
  if (with_response) keys.insert(keys.end(), {"status", "json", "body", "headers", "messages", "value", "rows", "error", "closed", "close_code"});
  Map m(f, keys);
  if (auto e = m.get("events")) check_list_of(*e, check_event);
  if (auto e = m.get("events_in_order")) check_list_of(*e, check_event);
  if (auto e = m.get("logs")) check_list_of(*e, check_log);
  if (auto o = m.get("object")) check_object(*o);
  if (auto s = m.get("secret")) check_secret_state(*s);
  if (auto r = m.get("redis")) check_redis_state(*r);
  if (auto q = m.get("sql")) check_sql_state(*q);
  if (auto d = m.get("firestore")) check_firestore_state(*d);
  if (auto s = m.get("stub")) check_stub_state(*s);
  if (auto h = m.get("headers"); h && !h->node.IsMap()) sf::fail(*h, "expected a mapping of header names");
}

const std::vector<StepKind>& step_kinds() {
  static const std::vector<StepKind> kTable = {
      // name           answers  load-time check      run
      {"http",          true,    check_http,          run_http},
      {"publish",       true,    check_publish,       run_publish},
      {"pull",          true,    check_pull,          run_pull},
      {"gcs",           true,    check_gcs,           run_gcs},
      {"secret",        true,    check_secret,        run_secret},
      {"advance",       false,   check_advance,       run_advance},
      {"wait_for",      false,   check_wait_for,      run_wait_for},
      {"fault",         false,   check_fault,         run_fault},
      {"clear_faults",  false,   check_clear_faults,  run_clear_faults},
      {"kill",          false,   check_service_name,  run_kill},
      {"restart",       false,   check_service_name,  run_restart},
      {"expect",        false,   check_expect,        run_expect},
      {"redis",         true,    check_redis,         run_redis},
      {"sql",           true,    check_sql,           run_sql},
      {"firestore",     true,    check_firestore,     run_firestore},
      {"stub",          false,   check_stub,          run_stub},
      {"hmac",          true,    check_hmac,          run_hmac},
      {"backup",        true,    check_backup,        run_backup},
      {"restore",       true,    check_restore,       run_restore},
      {"websocket",     true,    check_websocket,     run_websocket},
  };
  return kTable;
}

const StepKind* find_step_kind(std::string_view name) {
  for (const auto& k : step_kinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string step_kind_names() {
  std::string out;
  for (const auto& k : step_kinds()) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

}  // namespace gcpsim::harness
