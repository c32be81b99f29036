// SQLite rows of the secrets service. Times are nanoseconds since the epoch; the fields a
// list never filters on in SQL live in one JSON body per secret.
#include "services/secrets/rows.h"

#include <nlohmann/json.hpp>

#include "core/store.h"

namespace gcpsim::services::secrets::rows {
namespace {

using core::Status;
using core::StatusOr;
using nlohmann::json;

const std::vector<std::string> kMigration = {
    R"sql(
CREATE TABLE secrets_secrets (
  name TEXT PRIMARY KEY,
  parent TEXT NOT NULL,
  ord INTEGER NOT NULL,
  create_time INTEGER NOT NULL,
  etag TEXT NOT NULL,
  body TEXT NOT NULL,
  expire_time INTEGER,
  next_rotation_time INTEGER,
  last_version INTEGER NOT NULL DEFAULT 0,
  policy TEXT
);
CREATE INDEX secrets_secrets_parent ON secrets_secrets (parent, ord);
CREATE TABLE secrets_versions (
  secret TEXT NOT NULL,
  number INTEGER NOT NULL,
  create_time INTEGER NOT NULL,
  state INTEGER NOT NULL,
  destroy_time INTEGER,
  scheduled_destroy_time INTEGER,
  etag TEXT NOT NULL,
  client_checksum INTEGER NOT NULL,
  payload BLOB,
  crc32c INTEGER NOT NULL,
  PRIMARY KEY (secret, number)
);
CREATE TABLE secrets_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
)sql"};

int64_t ns(core::Time t) { return t.time_since_epoch().count(); }
core::Time time_of(int64_t v) { return core::Time{core::Duration{v}}; }

void bind_time(core::Statement& st, int index, const std::optional<core::Time>& t) {
  if (t) {
    st.bind(index, ns(*t));
  } else {
    st.bind_null(index);
  }
}
std::optional<core::Time> column_time(const core::Statement& st, int col) {
  if (st.column_null(col)) return std::nullopt;
  return time_of(st.column_int(col));
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const char* kind_name(Replication::Kind k) {
  switch (k) {
    case Replication::Kind::kAutomatic: return "automatic";
    case Replication::Kind::kUserManaged: return "user_managed";
    case Replication::Kind::kNone: break;
  }
  return "none";
}

std::string body_of(const Secret& s) {
  json replicas = json::array();
  for (const auto& r : s.replication.replicas) {
    replicas.push_back({{"location", r.location}, {"kms", r.kms_key_name}});
  }
  json body = {
      {"replication",
       {{"kind", kind_name(s.replication.kind)}, {"kms", s.replication.kms_key_name},
        {"replicas", replicas}}},
      {"labels", s.labels},
      {"annotations", s.annotations},
      {"topics", s.topics},
      {"aliases", s.version_aliases},
      {"kms", s.kms_key_name},
      {"type", s.secret_type},
  };
  if (s.rotation) {
    body["rotation"] = json::object();
    if (s.rotation->rotation_period) body["rotation"]["period"] = s.rotation->rotation_period->count();
  }
  if (s.version_destroy_ttl) body["destroy_ttl"] = s.version_destroy_ttl->count();
  return dump(body);
}

void read_body(const std::string& text, Secret& s) {
  json body = json::parse(text);
  const json& rep = body["replication"];
  std::string kind = rep["kind"];
  s.replication.kind = kind == "automatic"      ? Replication::Kind::kAutomatic
                       : kind == "user_managed" ? Replication::Kind::kUserManaged
                                                : Replication::Kind::kNone;
  s.replication.kms_key_name = rep["kms"];
  for (const auto& r : rep["replicas"]) s.replication.replicas.push_back({r["location"], r["kms"]});
  s.labels = body["labels"].get<std::map<std::string, std::string>>();
  s.annotations = body["annotations"].get<std::map<std::string, std::string>>();
  s.topics = body["topics"].get<std::vector<std::string>>();
  s.version_aliases = body["aliases"].get<std::map<std::string, int64_t>>();
  s.kms_key_name = body["kms"];
  s.secret_type = body["type"];
  if (body.contains("rotation")) {
    s.rotation = Rotation{};
    if (body["rotation"].contains("period")) {
      s.rotation->rotation_period = core::Duration{body["rotation"]["period"].get<int64_t>()};
    }
  }
  if (body.contains("destroy_ttl")) {
    s.version_destroy_ttl = core::Duration{body["destroy_ttl"].get<int64_t>()};
  }
}

constexpr const char* kSecretColumns =
    "SELECT name, ord, create_time, etag, body, expire_time, next_rotation_time "
    "FROM secrets_secrets ";

Secret secret_of(const core::Statement& st) {
  Secret s;
  s.name = st.column_text(0);
  s.order = st.column_int(1);
  s.create_time = time_of(st.column_int(2));
  s.etag = st.column_text(3);
  read_body(st.column_text(4), s);
  s.expire_time = column_time(st, 5);
  if (auto next = column_time(st, 6)) {
    if (!s.rotation) s.rotation = Rotation{};
    s.rotation->next_rotation_time = next;
  }
  return s;
}

StatusOr<std::vector<Secret>> select_secrets(core::Statement st) {
  std::vector<Secret> out;
  while (st.step()) out.push_back(secret_of(st));
  RETURN_IF_ERROR(st.status());
  return out;
}

constexpr const char* kVersionColumns =
    "SELECT secret, number, create_time, state, destroy_time, scheduled_destroy_time, etag, "
    "client_checksum FROM secrets_versions ";

Version version_of(const core::Statement& st) {
  Version v;
  v.number = st.column_int(1);
  v.name = st.column_text(0) + "/versions/" + std::to_string(v.number);
  v.create_time = time_of(st.column_int(2));
  v.state = static_cast<VersionState>(st.column_int(3));
  v.destroy_time = column_time(st, 4);
  v.scheduled_destroy_time = column_time(st, 5);
  v.etag = st.column_text(6);
  v.client_specified_payload_checksum = st.column_int(7) != 0;
  return v;
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(const std::string& text) {
  std::string out;
  auto val = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out += static_cast<char>(val(text[i]) * 16 + val(text[i + 1]));
  }
  return out;
}

}  // namespace

Status migrate(core::Store& db) { return db.migrate("secrets", kMigration); }

StatusOr<std::optional<Secret>> find_secret(core::Store& db, const std::string& name) {
  auto st = db.prepare(std::string(kSecretColumns) + "WHERE name = ?");
  st.bind_all(name);
  ASSIGN_OR_RETURN(auto found, select_secrets(std::move(st)));
  if (found.empty()) return std::optional<Secret>{};
  return std::optional<Secret>{std::move(found.front())};
}

StatusOr<std::vector<Secret>> secrets_under(core::Store& db, const std::string& parent) {
  auto st = db.prepare(std::string(kSecretColumns) + "WHERE parent = ? ORDER BY ord DESC");
  st.bind_all(parent);
  return select_secrets(std::move(st));
}

StatusOr<std::vector<Secret>> all_secrets(core::Store& db) {
  return select_secrets(db.prepare(std::string(kSecretColumns) + "ORDER BY ord"));
}

Status insert_secret(core::Store& db, Secret& s) {
  if (s.order == 0) {
    auto max = db.prepare("SELECT COALESCE(MAX(ord), 0) FROM secrets_secrets");
    if (max.step()) s.order = max.column_int(0) + 1;
    RETURN_IF_ERROR(max.status());
  }
  std::string parent = s.name.substr(0, s.name.rfind("/secrets/"));
  auto st = db.prepare(
      "INSERT INTO secrets_secrets (name, parent, ord, create_time, etag, body, expire_time, "
      "next_rotation_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind_all(s.name, parent, s.order, ns(s.create_time), s.etag, body_of(s));
  bind_time(st, 7, s.expire_time);
  bind_time(st, 8, s.rotation ? s.rotation->next_rotation_time : std::nullopt);
  return st.run();
}

Status update_secret(core::Store& db, const Secret& s) {
  auto st = db.prepare(
      "UPDATE secrets_secrets SET etag = ?, body = ?, expire_time = ?, next_rotation_time = ? "
      "WHERE name = ?");
  st.bind_all(s.etag, body_of(s));
  bind_time(st, 3, s.expire_time);
  bind_time(st, 4, s.rotation ? s.rotation->next_rotation_time : std::nullopt);
  st.bind(5, s.name);
  return st.run();
}

Status delete_secret(core::Store& db, const std::string& name) {
  auto versions = db.prepare("DELETE FROM secrets_versions WHERE secret = ?");
  versions.bind_all(name);
  RETURN_IF_ERROR(versions.run());
  auto secret = db.prepare("DELETE FROM secrets_secrets WHERE name = ?");
  secret.bind_all(name);
  return secret.run();
}

StatusOr<int64_t> next_version_number(core::Store& db, const std::string& secret) {
  auto bump = db.prepare("UPDATE secrets_secrets SET last_version = last_version + 1 WHERE name = ?");
  bump.bind_all(secret);
  RETURN_IF_ERROR(bump.run());
  auto st = db.prepare("SELECT last_version FROM secrets_secrets WHERE name = ?");
  st.bind_all(secret);
  int64_t n = 0;
  if (st.step()) n = st.column_int(0);
  RETURN_IF_ERROR(st.status());
  return n;
}

StatusOr<std::optional<Version>> find_version(core::Store& db, const std::string& secret,
                                              int64_t number) {
  auto st = db.prepare(std::string(kVersionColumns) + "WHERE secret = ? AND number = ?");
  st.bind_all(secret, number);
  std::optional<Version> v;
  if (st.step()) v = version_of(st);
  RETURN_IF_ERROR(st.status());
  return v;
}

StatusOr<int64_t> latest_version_number(core::Store& db, const std::string& secret) {
  auto st = db.prepare("SELECT COALESCE(MAX(number), 0) FROM secrets_versions WHERE secret = ?");
  st.bind_all(secret);
  int64_t n = 0;
  if (st.step()) n = st.column_int(0);
  RETURN_IF_ERROR(st.status());
  return n;
}

StatusOr<std::vector<Version>> versions_of(core::Store& db, const std::string& secret) {
  auto st = db.prepare(std::string(kVersionColumns) + "WHERE secret = ? ORDER BY number DESC");
  st.bind_all(secret);
  std::vector<Version> out;
  while (st.step()) out.push_back(version_of(st));
  RETURN_IF_ERROR(st.status());
  return out;
}

Status insert_version(core::Store& db, const std::string& secret, const Version& v,
                      std::string_view payload, uint32_t crc32c) {
  auto st = db.prepare(
      "INSERT INTO secrets_versions (secret, number, create_time, state, etag, client_checksum, "
      "payload, crc32c) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind_all(secret, v.number, ns(v.create_time), static_cast<int64_t>(v.state), v.etag,
              static_cast<int64_t>(v.client_specified_payload_checksum));
  st.bind_blob(7, payload);
  st.bind(8, static_cast<int64_t>(crc32c));
  return st.run();
}

Status update_version(core::Store& db, const std::string& secret, const Version& v) {
  bool destroyed = v.state == VersionState::kDestroyed;
  auto st = db.prepare(
      std::string("UPDATE secrets_versions SET state = ?, destroy_time = ?, "
                  "scheduled_destroy_time = ?, etag = ?") +
      (destroyed ? ", payload = NULL, crc32c = 0" : "") + " WHERE secret = ? AND number = ?");
  st.bind(1, static_cast<int64_t>(v.state));
  bind_time(st, 2, v.destroy_time);
  bind_time(st, 3, v.scheduled_destroy_time);
  st.bind(4, v.etag);
  st.bind(5, secret);
  st.bind(6, v.number);
  return st.run();
}

StatusOr<std::pair<std::string, uint32_t>> payload(core::Store& db, const std::string& secret,
                                                   int64_t number) {
  auto st = db.prepare("SELECT payload, crc32c FROM secrets_versions WHERE secret = ? AND number = ?");
  st.bind_all(secret, number);
  std::pair<std::string, uint32_t> out;
  if (st.step()) out = {st.column_blob(0), static_cast<uint32_t>(st.column_int(1))};
  RETURN_IF_ERROR(st.status());
  return out;
}

StatusOr<std::vector<std::pair<std::string, Version>>> pending_destructions(core::Store& db) {
  auto st = db.prepare(std::string(kVersionColumns) +
                       "WHERE scheduled_destroy_time IS NOT NULL ORDER BY secret, number");
  std::vector<std::pair<std::string, Version>> out;
  while (st.step()) out.emplace_back(st.column_text(0), version_of(st));
  RETURN_IF_ERROR(st.status());
  return out;
}

StatusOr<std::optional<Policy>> find_policy(core::Store& db, const std::string& secret) {
  auto st = db.prepare("SELECT policy FROM secrets_secrets WHERE name = ? AND policy IS NOT NULL");
  st.bind_all(secret);
  std::optional<Policy> p;
  if (st.step()) {
    json j = json::parse(st.column_text(0));
    p = Policy{};
    p->version = j["version"];
    p->etag = unhex(j["etag"]);
    for (const auto& b : j["bindings"]) {
      Binding binding{b["role"], b["members"].get<std::vector<std::string>>(), std::nullopt};
      if (b.contains("condition")) {
        const json& c = b["condition"];
        binding.condition = Condition{c["expression"], c["title"], c["description"], c["location"]};
      }
      p->bindings.push_back(std::move(binding));
    }
  }
  RETURN_IF_ERROR(st.status());
  return p;
}

Status put_policy(core::Store& db, const std::string& secret, const Policy& p) {
  json bindings = json::array();
  for (const auto& b : p.bindings) {
    json j = {{"role", b.role}, {"members", b.members}};
    if (b.condition) {
      j["condition"] = {{"expression", b.condition->expression},
                        {"title", b.condition->title},
                        {"description", b.condition->description},
                        {"location", b.condition->location}};
    }
    bindings.push_back(std::move(j));
  }
  json j = {{"version", p.version}, {"etag", hex(p.etag)}, {"bindings", bindings}};
  auto st = db.prepare("UPDATE secrets_secrets SET policy = ? WHERE name = ?");
  st.bind_all(dump(j), secret);
  return st.run();
}

StatusOr<int64_t> meta(core::Store& db, const std::string& key) {
  auto st = db.prepare("SELECT value FROM secrets_meta WHERE key = ?");
  st.bind_all(key);
  int64_t v = 0;
  if (st.step()) v = st.column_int(0);
  RETURN_IF_ERROR(st.status());
  return v;
}

Status put_meta(core::Store& db, const std::string& key, int64_t value) {
  auto st = db.prepare("INSERT OR REPLACE INTO secrets_meta (key, value) VALUES (?, ?)");
  st.bind_all(key, value);
  return st.run();
}

}  // namespace gcpsim::services::secrets::rows
