// SQLite rows of the storage service. Times are nanoseconds since the epoch.
#include "services/storage/rows.h"

#include <nlohmann/json.hpp>

#include "core/store.h"
#include "services/storage/hashes.h"

namespace gcpsim::services::storage::rows {
namespace {

using nlohmann::json;

const std::vector<std::string> kMigration = {R"sql(
CREATE TABLE storage_buckets (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE storage_objects (
  bucket TEXT NOT NULL,
  name TEXT NOT NULL,
  generation INTEGER NOT NULL,
  live INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (bucket, name, generation)
);
CREATE INDEX storage_objects_live ON storage_objects (bucket, live, name);
CREATE INDEX storage_objects_generation ON storage_objects (generation);
CREATE TABLE storage_notifications (
  bucket TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (bucket, id));
CREATE TABLE storage_uploads (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE storage_counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
)sql"};

int64_t ns(core::Time t) { return t.time_since_epoch().count(); }
core::Time time_of(int64_t v) { return core::Time{core::Duration{v}}; }

template <class T>
void opt_to(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
template <class T>
void opt_from(const json& j, const char* key, std::optional<T>& v) {
  if (j.contains(key)) v = j.at(key).get<T>();
}
void time_to(json& j, const char* key, const std::optional<core::Time>& t) {
  if (t) j[key] = ns(*t);
}
void time_from(const json& j, const char* key, std::optional<core::Time>& t) {
  if (j.contains(key)) t = time_of(j.at(key).get<int64_t>());
}

json rule_json(const LifecycleRule& r) {
  const auto& c = r.condition;
  json cj = json::object();
  opt_to(cj, "age", c.age_days);
  opt_to(cj, "createdBefore", c.created_before);
  opt_to(cj, "isLive", c.is_live);
  opt_to(cj, "numNewer", c.num_newer_versions);
  opt_to(cj, "noncurrentDays", c.days_since_noncurrent_time);
  opt_to(cj, "noncurrentBefore", c.noncurrent_time_before);
  opt_to(cj, "customDays", c.days_since_custom_time);
  cj["classes"] = c.matches_storage_class;
  cj["prefixes"] = c.matches_prefix;
  cj["suffixes"] = c.matches_suffix;
  return {{"action", r.action}, {"class", r.storage_class}, {"condition", cj}};
}

LifecycleRule rule_of(const json& j) {
  LifecycleRule r;
  r.action = j.at("action").get<std::string>();
  r.storage_class = j.at("class").get<std::string>();
  const auto& cj = j.at("condition");
  auto& c = r.condition;
  opt_from(cj, "age", c.age_days);
  opt_from(cj, "createdBefore", c.created_before);
  opt_from(cj, "isLive", c.is_live);
  opt_from(cj, "numNewer", c.num_newer_versions);
  opt_from(cj, "noncurrentDays", c.days_since_noncurrent_time);
  opt_from(cj, "noncurrentBefore", c.noncurrent_time_before);
  opt_from(cj, "customDays", c.days_since_custom_time);
  c.matches_storage_class = cj.at("classes").get<std::vector<std::string>>();
  c.matches_prefix = cj.at("prefixes").get<std::vector<std::string>>();
  c.matches_suffix = cj.at("suffixes").get<std::vector<std::string>>();
  return r;
}

std::string bucket_body(const Bucket& b) {
  json j = {{"location", b.location}, {"class", b.storage_class}, {"labels", b.labels},
            {"versioning", b.versioning}, {"eventHold", b.default_event_based_hold},
            {"mainPage", b.website_main_page_suffix}, {"notFound", b.website_not_found_page},
            {"ubla", b.uniform_bucket_level_access}, {"pap", b.public_access_prevention},
            {"metageneration", b.metageneration},
            {"created", ns(b.created)}, {"updated", ns(b.updated)}};
  j["lifecycle"] = json::array();
  for (const auto& r : b.lifecycle) j["lifecycle"].push_back(rule_json(r));
  j["cors"] = json::array();
  for (const auto& c : b.cors) {
    json cj = {{"origin", c.origins}, {"method", c.methods}, {"header", c.response_headers}};
    opt_to(cj, "maxAge", c.max_age_seconds);
    j["cors"].push_back(cj);
  }
  if (b.retention) j["retention"] = {{"period", b.retention->period_seconds}, {"locked", b.retention->locked}};
  time_to(j, "retentionEffective", b.retention_effective);
  return j.dump();
}

Bucket bucket_of(const std::string& name, const std::string& body) {
  auto j = json::parse(body);
  Bucket b;
  b.name = name;
  b.location = j.at("location").get<std::string>();
  b.storage_class = j.at("class").get<std::string>();
  b.labels = j.at("labels").get<std::map<std::string, std::string>>();
  b.versioning = j.at("versioning").get<bool>();
  b.default_event_based_hold = j.at("eventHold").get<bool>();
  b.website_main_page_suffix = j.at("mainPage").get<std::string>();
  b.website_not_found_page = j.at("notFound").get<std::string>();
  b.uniform_bucket_level_access = j.at("ubla").get<bool>();
  b.public_access_prevention = j.value("pap", std::string("inherited"));  // rows from before the field
  b.metageneration = j.at("metageneration").get<int64_t>();
  b.created = time_of(j.at("created").get<int64_t>());
  b.updated = time_of(j.at("updated").get<int64_t>());
  for (const auto& r : j.at("lifecycle")) b.lifecycle.push_back(rule_of(r));
  for (const auto& cj : j.at("cors")) {
    CorsEntry c;
    c.origins = cj.at("origin").get<std::vector<std::string>>();
    c.methods = cj.at("method").get<std::vector<std::string>>();
    c.response_headers = cj.at("header").get<std::vector<std::string>>();
    opt_from(cj, "maxAge", c.max_age_seconds);
    b.cors.push_back(std::move(c));
  }
  if (j.contains("retention"))
    b.retention = RetentionPolicy{j["retention"]["period"].get<int64_t>(), j["retention"]["locked"].get<bool>()};
  time_from(j, "retentionEffective", b.retention_effective);
  return b;
}

std::string object_body(const Object& o) {
  const auto& m = o.meta;
  json j = {{"type", m.content_type}, {"encoding", m.content_encoding}, {"disposition", m.content_disposition},
            {"cache", m.cache_control}, {"language", m.content_language}, {"metadata", m.metadata},
            {"eventHold", m.event_based_hold}, {"tempHold", m.temporary_hold}, {"class", m.storage_class},
            {"metageneration", o.metageneration}, {"size", o.size}, {"md5", base64_encode(o.md5)}, {"crc32c", o.crc32c},
            {"created", ns(o.created)}, {"updated", ns(o.updated)}, {"classUpdated", ns(o.storage_class_updated)}};
  time_to(j, "customTime", m.custom_time);
  time_to(j, "noncurrent", o.noncurrent_since);
  time_to(j, "retentionExpires", o.retention_expires);
  opt_to(j, "components", o.component_count);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Object object_of(const core::Statement& st) {
  Object o;
  o.bucket = st.column_text(0);
  o.name = st.column_text(1);
  o.generation = st.column_int(2);
  o.live = st.column_int(3) != 0;
  auto j = json::parse(st.column_text(4));
  auto& m = o.meta;
  m.content_type = j.at("type").get<std::string>();
  m.content_encoding = j.at("encoding").get<std::string>();
  m.content_disposition = j.at("disposition").get<std::string>();
  m.cache_control = j.at("cache").get<std::string>();
  m.content_language = j.at("language").get<std::string>();
  m.metadata = j.at("metadata").get<std::map<std::string, std::string>>();
  m.event_based_hold = j.at("eventHold").get<bool>();
  m.temporary_hold = j.at("tempHold").get<bool>();
  m.storage_class = j.at("class").get<std::string>();
  o.metageneration = j.at("metageneration").get<int64_t>();
  o.size = j.at("size").get<uint64_t>();
  o.md5 = base64_decode(j.at("md5").get<std::string>()).value_or("");
  o.crc32c = j.at("crc32c").get<uint32_t>();
  o.created = time_of(j.at("created").get<int64_t>());
  o.updated = time_of(j.at("updated").get<int64_t>());
  o.storage_class_updated = time_of(j.at("classUpdated").get<int64_t>());
  time_from(j, "customTime", m.custom_time);
  time_from(j, "noncurrent", o.noncurrent_since);
  time_from(j, "retentionExpires", o.retention_expires);
  opt_from(j, "components", o.component_count);
  return o;
}

constexpr const char* kObjectColumns = "SELECT bucket, name, generation, live, body FROM storage_objects ";

}  // namespace

const std::vector<std::string>& migration() { return kMigration; }

core::Status put_bucket(core::Store& db, const Bucket& b) {
  return db.prepare("INSERT OR REPLACE INTO storage_buckets (name, body) VALUES (?, ?)")
      .bind_all(b.name, bucket_body(b))
      .run();
}

std::optional<Bucket> get_bucket(core::Store& db, const std::string& name) {
  auto st = db.prepare("SELECT body FROM storage_buckets WHERE name = ?");
  st.bind_all(name);
  if (!st.step()) return std::nullopt;
  return bucket_of(name, st.column_text(0));
}

core::Status delete_bucket(core::Store& db, const std::string& name) {
  RETURN_IF_ERROR(db.prepare("DELETE FROM storage_notifications WHERE bucket = ?").bind_all(name).run());
  return db.prepare("DELETE FROM storage_buckets WHERE name = ?").bind_all(name).run();
}

void scan_buckets(core::Store& db, const std::string& after, const std::function<bool(Bucket)>& fn) {
  auto st = db.prepare("SELECT name, body FROM storage_buckets WHERE name > ? ORDER BY name");
  st.bind_all(after);
  while (st.step())
    if (!fn(bucket_of(st.column_text(0), st.column_text(1)))) return;
}

core::Status put_object(core::Store& db, const Object& o) {
  return db
      .prepare("INSERT OR REPLACE INTO storage_objects (bucket, name, generation, live, body) VALUES (?, ?, ?, ?, ?)")
      .bind_all(o.bucket, o.name, o.generation, o.live ? 1 : 0, object_body(o))
      .run();
}

std::optional<Object> get_object(core::Store& db, const std::string& bucket, const std::string& name,
                                 std::optional<int64_t> generation) {
  auto st = generation ? db.prepare(std::string(kObjectColumns) + "WHERE bucket = ? AND name = ? AND generation = ?")
                       : db.prepare(std::string(kObjectColumns) + "WHERE bucket = ? AND name = ? AND live = 1");
  st.bind_all(bucket, name);
  if (generation) st.bind(3, *generation);
  if (!st.step()) return std::nullopt;
  return object_of(st);
}

core::Status delete_object(core::Store& db, const std::string& bucket, const std::string& name, int64_t generation) {
  return db.prepare("DELETE FROM storage_objects WHERE bucket = ? AND name = ? AND generation = ?")
      .bind_all(bucket, name, generation)
      .run();
}

void scan_objects(core::Store& db, const std::string& bucket, const std::string& from, bool versions,
                  const std::function<bool(Object)>& fn) {
  auto st = db.prepare(std::string(kObjectColumns) + "WHERE bucket = ? AND name >= ?" +
                       (versions ? "" : " AND live = 1") + " ORDER BY name, generation");
  st.bind_all(bucket, from);
  while (st.step())
    if (!fn(object_of(st))) return;
}

bool bucket_has_objects(core::Store& db, const std::string& bucket) {
  auto st = db.prepare("SELECT 1 FROM storage_objects WHERE bucket = ? LIMIT 1");
  st.bind_all(bucket);
  return st.step();
}

bool generation_exists(core::Store& db, int64_t generation) {
  auto st = db.prepare("SELECT 1 FROM storage_objects WHERE generation = ?");
  st.bind_all(generation);
  return st.step();
}

std::vector<Object> generations(core::Store& db, const std::string& bucket, const std::string& name) {
  auto st = db.prepare(std::string(kObjectColumns) + "WHERE bucket = ? AND name = ? ORDER BY generation");
  st.bind_all(bucket, name);
  std::vector<Object> out;
  while (st.step()) out.push_back(object_of(st));
  return out;
}

core::Status put_notification(core::Store& db, const std::string& bucket, const NotificationConfig& n) {
  json j = {{"topic", n.topic}, {"events", n.event_types}, {"attributes", n.custom_attributes},
            {"prefix", n.object_name_prefix}, {"format", n.payload_format}, {"etag", n.etag}};
  return db.prepare("INSERT OR REPLACE INTO storage_notifications (bucket, id, body) VALUES (?, ?, ?)")
      .bind_all(bucket, n.id, j.dump())
      .run();
}

std::vector<NotificationConfig> notifications(core::Store& db, const std::string& bucket) {
  auto st = db.prepare("SELECT id, body FROM storage_notifications WHERE bucket = ? ORDER BY CAST(id AS INTEGER)");
  st.bind_all(bucket);
  std::vector<NotificationConfig> out;
  while (st.step()) {
    auto j = json::parse(st.column_text(1));
    NotificationConfig n;
    n.id = st.column_text(0);
    n.topic = j.at("topic").get<std::string>();
    n.event_types = j.at("events").get<std::vector<std::string>>();
    n.custom_attributes = j.at("attributes").get<std::map<std::string, std::string>>();
    n.object_name_prefix = j.at("prefix").get<std::string>();
    n.payload_format = j.at("format").get<std::string>();
    n.etag = j.at("etag").get<int64_t>();
    out.push_back(std::move(n));
  }
  return out;
}

core::Status delete_notification(core::Store& db, const std::string& bucket, const std::string& id) {
  return db.prepare("DELETE FROM storage_notifications WHERE bucket = ? AND id = ?").bind_all(bucket, id).run();
}

core::Status put_upload(core::Store& db, const std::string& id, const std::string& body) {
  return db.prepare("INSERT OR REPLACE INTO storage_uploads (id, body) VALUES (?, ?)").bind_all(id, body).run();
}

std::optional<std::string> get_upload(core::Store& db, const std::string& id) {
  auto st = db.prepare("SELECT body FROM storage_uploads WHERE id = ?");
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return st.column_text(0);
}

core::Status delete_upload(core::Store& db, const std::string& id) {
  return db.prepare("DELETE FROM storage_uploads WHERE id = ?").bind_all(id).run();
}

std::vector<std::pair<std::string, std::string>> uploads(core::Store& db) {
  auto st = db.prepare("SELECT id, body FROM storage_uploads ORDER BY id");
  std::vector<std::pair<std::string, std::string>> out;
  while (st.step()) out.emplace_back(st.column_text(0), st.column_text(1));
  return out;
}

int64_t counter(core::Store& db, const std::string& key) {
  auto st = db.prepare("SELECT value FROM storage_counters WHERE key = ?");
  st.bind_all(key);
  return st.step() ? st.column_int(0) : 0;
}

core::Status set_counter(core::Store& db, const std::string& key, int64_t value) {
  return db.prepare("INSERT OR REPLACE INTO storage_counters (key, value) VALUES (?, ?)").bind_all(key, value).run();
}

}  // namespace gcpsim::services::storage::rows
